import { withState } from './state.ts';
import { Config, fsConfigs, mediumIndex, pathIn, type ConfigInput } from './config.ts';
import type { Device, Proc, State } from './state.ts';
import { fopsFor } from './block/direct_access.ts';
import { driverByName, driverNames } from './block/driver.ts';
import './block/drivers/builtin.ts';
import { zeros } from './kernel/physmem.ts';
import type { Ctx } from './kernel/step.ts';
import { get_fs_type, registeredFileSystems, sget_type } from './fs/super_operations.ts';
import './filesystems.ts';
import { dirWith, emptyDir } from './vfs/dir.ts';

/**
 * Init: devices as configured (free blocks full of stale bytes), for each configured file
 * system one of its `type` made on its `device` with its files (the type's ->mkfs: mke2fs's
 * layout for ext2), and — when `mounted` — mounted at its mount point with its
 * options through that type's ->mount. Processes start with an anonymous heap mapped at virtual page 0.
 */
export function initialState(input: ConfigInput | Config, ctx: Ctx): State {
  const cfg = Config.parse(input);
  const PS = cfg.pageSize;
  const fsList = fsConfigs(cfg);
  const where = (k: number): string => (Array.isArray(cfg.fs) ? `fs[${k}]` : 'fs');
  const fsDevs = fsList.map((f, k) => {
    const i = cfg.devices.findIndex((d) => d.name === f.device);
    if (i < 0) throw new ConfigError(`${where(k)}.device "${f.device}" names no device in "devices"`);
    return i;
  });
  const fsTypes = fsList.map((f, k) => {
    const t = get_fs_type(f.type);
    if (!t) throw new ConfigError(`${where(k)}.type "${f.type}" names no registered file system (known: ${registeredFileSystems().join(', ')})`);
    return t;
  });
  const devices: Device[] = cfg.devices.map((d, i) => {
    if (d.partitionOf !== undefined) return null!; // after its disk: add_partition under the disk's gendisk
    const fops = fopsFor(d.driver, ctx.variant);
    const drv = driverByName(fops);
    if (!drv) throw new ConfigError(`devices[${i}].driver: no driver named "${d.driver}" (registered: ${driverNames().filter((n) => !n.includes(':')).join(', ')}); an audited driver is loaded with --plugin MODULE`);
    if (d.startSect && drv.role === 'dcssblk') throw new ConfigError(`devices[${i}].startSect: dcssblk disks have no partitions (one minor per segment): startSect must be 0`);
    // add_disk: the driver's private data; brd pages exist only once touched, other media hold old bytes everywhere
    const added = drv.add_disk(d, PS);
    return {
      name: d.name, driver: d.driver, fops, pages: d.pages, startSect: d.startSect,
      data: Array.from({ length: d.pages }, () => (added.backed ? new Array(PS).fill(d.staleByte) : null)),
      openers: 0, present: true, readOnly: added.readOnly, formatted: false, priv: added.priv,
    };
  });
  cfg.devices.forEach((d, i) => {
    if (d.partitionOf === undefined) return;
    const m = mediumIndex(cfg, i);
    const disk = devices[m];
    if (driverByName(disk.fops)?.role === 'dcssblk') throw new ConfigError(`devices[${i}].partitionOf: dcssblk disks have no partitions (one minor per segment)`);
    devices[i] = { ...disk, name: d.name, startSect: d.startSect, partPages: d.pages, medium: m, openers: 0, formatted: false };
  });
  const procs: Proc[] = Array.from({ length: cfg.processes }, (_, pid) => ({
    pid,
    vmas: [{ start: 0, pages: cfg.heapPages, ino: null, pgoff: 0, shared: false, read: true, write: true, mayWrite: true, fmodeWrite: false, vmOps: null }],
    ptes: new Array(cfg.vpages).fill(null),
    files: [],
    bdevs: devices.map(() => 0),
  }));
  let s: State = {
    cfg, devices, sbs: fsList.map(() => null), onDisk: fsList.map(() => null), rawOpens: devices.map(() => 0), inodes: [null], dir: emptyDir(), procs, threads: [],
    sparse: { allocated: false, refs: 0, data: zeros(PS) }, sparseSeq: 0, locks: {}, nextTid: 1,
  };
  // mkfs of each file system on its device, through its type (the layout is the file system's:
  // init knows none). Inode numbers are the model's, one table for every file system (each
  // inode records its own, i_sb), in file order; the directory is keyed by the name actions
  // give (pathIn).
  let dir = s.dir;
  fsList.forEach((f, k) => {
    const first = s.inodes.length;
    const [s2, err] = fsTypes[k].mkfs(ctx, s, k, fsDevs[k], f.files);
    if (err !== null) throw new ConfigError(`${where(k)}.files: ${err}`);
    if (s2.inodes.length !== first + f.files.length) throw new ConfigError(`${where(k)}: ${fsTypes[k].name}'s mkfs made ${s2.inodes.length - first} inodes for ${f.files.length} files`);
    f.files.forEach((file, j) => { dir = dirWith(dir, pathIn(cfg, k, file.name), first + j); });
    s = s2;
  });
  s = withState(s, { dir });
  for (let k = 0; k < fsList.length; k++) {
    if (!fsList[k].mounted) continue;
    const m = fsList[k].mount;
    const [s2, err] = fsTypes[k].mount(ctx, s, { dev: fsDevs[k], xip: m.xip, ro: m.ro, fs: k }, m.blocksize ?? PS);
    if (err) throw new ConfigError(`${where(k)}.mount: mounting "${devices[fsDevs[k]].name}" failed with ${err} (see ${fsTypes[k].name}'s fill_super)`);
    s = sget_type(s2, k, fsList[k].type);
  }
  return s;
}

/** A config that parses but describes an impossible machine. */
export class ConfigError extends Error {}
