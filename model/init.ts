import { Config, fsConfigs, mediumIndex, pathIn, type ConfigInput } from './config.ts';
import type { Device, Inode, Proc, State } from './state.ts';
import { fopsFor } from './block/direct_access.ts';
import { driverByName, driverNames } from './block/driver.ts';
import './block/drivers/builtin.ts';
import { zeros } from './kernel/physmem.ts';
import type { Ctx } from './kernel/step.ts';
import { get_fs_type, registeredFileSystems, sget_type } from './fs/super_operations.ts';
import './filesystems.ts';
import { dirWith, emptyDir } from './vfs/dir.ts';
import { partitionPage, partitionPages } from './block/block_device.ts';

/**
 * Init: devices as configured (free blocks full of stale bytes), for each configured file
 * system one of its `type` made on its `device` with its files (mke2fs's layout: ext2 is the
 * one file system the model has), and — when `mounted` — mounted at its mount point with its
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
  // mke2fs on each file system's device, writing through the partition's block device: block 0
  // is the super block; files get consecutive blocks after it; block b is device page
  // partitionPage(b). Inode numbers are the model's, one table for every file system (each
  // inode records its own, i_sb); the directory is keyed by the name actions give (pathIn).
  const fsUsed: boolean[][] = [];
  const files: { fs: number; size: number; blocks: number[] }[] = [];
  let dir = emptyDir();
  fsList.forEach((f, k) => {
    const fsDev = fsDevs[k];
    const used = [true, ...new Array(partitionPages(devices[fsDev]) - 1).fill(false)];
    const dev = devices[fsDev];
    const data = dev.data.slice();
    // mke2fs writes the super block: on a medium that backs pages on first write, that backs it
    if (data[partitionPage(dev, 0)] === null) data[partitionPage(dev, 0)] = zeros(PS);
    for (const file of f.files) {
      const blocks: number[] = [];
      for (let pg = 0; pg * PS < file.data.length; pg++) {
        if (file.holes.includes(pg)) { blocks.push(0); continue; }
        const b = used.indexOf(false);
        if (b < 0) throw new ConfigError(`${where(k)}.files: "${file.name}" does not fit on device "${dev.name}" (${dev.pages} pages)`);
        used[b] = true;
        const page = new Array(PS).fill(0);
        for (let x = 0; x < PS && pg * PS + x < file.data.length; x++) page[x] = file.data[pg * PS + x];
        data[partitionPage(dev, b)] = page;
        blocks.push(b);
      }
      files.push({ fs: k, size: file.data.length, blocks });
      dir = dirWith(dir, pathIn(cfg, k, file.name), files.length);
    }
    devices[fsDev] = { ...dev, data, formatted: true };
    // mke2fs wrote the medium every entry of the disk shares (the next mke2fs starts from it)
    const medium = dev.medium ?? fsDev;
    devices.forEach((d, i) => { if (i !== fsDev && (d.medium ?? i) === medium) devices[i] = { ...d, data }; });
    fsUsed.push(used);
  });
  const procs: Proc[] = Array.from({ length: cfg.processes }, (_, pid) => ({
    pid,
    vmas: [{ start: 0, pages: cfg.heapPages, ino: null, pgoff: 0, shared: false, read: true, write: true, mayWrite: true, fmodeWrite: false, vmOps: null }],
    ptes: new Array(cfg.vpages).fill(null),
    files: [],
    bdevs: devices.map(() => 0),
  }));
  let s: State = {
    cfg, devices, sbs: fsList.map(() => null), fsUsed, rawOpens: devices.map(() => 0), inodes: [null], dir, procs, threads: [],
    sparse: { allocated: false, refs: 0, data: zeros(PS) }, sparseSeq: 0, locks: {}, nextTid: 1,
  };
  // the on-disk inodes, as an unmounted file system's inode would be instantiated (->mount makes them anew)
  const unmounted = s;
  const inodes: (Inode | null)[] = [null, ...files.map((f, k) => ({ ...fsTypes[f.fs].s_op.new_inode(ctx, unmounted, k + 1, f.fs), size: f.size, blocks: f.blocks }))];
  s = { ...s, inodes };
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
