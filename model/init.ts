import { Config, mediumIndex, type ConfigInput } from './config.ts';
import type { Device, Inode, Proc, State } from './state.ts';
import { fopsFor } from './block/direct_access.ts';
import { driverByName, driverNames } from './block/driver.ts';
import './block/drivers/builtin.ts';
import { zeros } from './kernel/physmem.ts';
import type { Ctx } from './kernel/step.ts';
import { get_fs_type, registeredFileSystems } from './fs/super_operations.ts';
import './filesystems.ts';
import { dirWith, emptyDir } from './vfs/dir.ts';
import { partitionPage, partitionPages } from './block/block_device.ts';

/**
 * Init: devices as configured (free blocks full of stale bytes), a file system of `fs.type`
 * made on `fs.device` with the configured files (mke2fs's layout: ext2 is the one file system
 * the model has), and — when `fs.mounted` — mounted with its options through that type's
 * ->mount. Processes start with an anonymous heap mapped at virtual page 0.
 */
export function initialState(input: ConfigInput | Config, ctx: Ctx): State {
  const cfg = Config.parse(input);
  const PS = cfg.pageSize;
  const fsDev = cfg.devices.findIndex((d) => d.name === cfg.fs.device);
  if (fsDev < 0) throw new ConfigError(`fs.device "${cfg.fs.device}" names no device in "devices"`);
  const fsType = get_fs_type(cfg.fs.type);
  if (!fsType) throw new ConfigError(`fs.type "${cfg.fs.type}" names no registered file system (known: ${registeredFileSystems().join(', ')})`);
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
  // mke2fs, writing through the partition's block device: block 0 is the super block; files get
  // consecutive blocks after it; block b is device page partitionPage(b).
  const used = [true, ...new Array(partitionPages(devices[fsDev]) - 1).fill(false)];
  const files: { size: number; blocks: number[] }[] = [];
  let dir = emptyDir();
  const dev = devices[fsDev];
  const data = dev.data.slice();
  // mke2fs writes the super block: on a medium that backs pages on first write, that backs it
  if (data[partitionPage(dev, 0)] === null) data[partitionPage(dev, 0)] = zeros(PS);
  for (const f of cfg.fs.files) {
    const blocks: number[] = [];
    for (let pg = 0; pg * PS < f.data.length; pg++) {
      if (f.holes.includes(pg)) { blocks.push(0); continue; }
      const b = used.indexOf(false);
      if (b < 0) throw new ConfigError(`fs.files: "${f.name}" does not fit on device "${dev.name}" (${dev.pages} pages)`);
      used[b] = true;
      const page = new Array(PS).fill(0);
      for (let k = 0; k < PS && pg * PS + k < f.data.length; k++) page[k] = f.data[pg * PS + k];
      data[partitionPage(dev, b)] = page;
      blocks.push(b);
    }
    files.push({ size: f.data.length, blocks });
    dir = dirWith(dir, f.name, files.length);
  }
  devices[fsDev] = { ...dev, data, formatted: true };
  // mke2fs wrote the medium every entry of the disk shares
  const medium = dev.medium ?? fsDev;
  devices.forEach((d, k) => { if (k !== fsDev && (d.medium ?? k) === medium) devices[k] = { ...d, data }; });
  const procs: Proc[] = Array.from({ length: cfg.processes }, (_, pid) => ({
    pid,
    vmas: [{ start: 0, pages: cfg.heapPages, ino: null, pgoff: 0, shared: false, read: true, write: true, mayWrite: true, fmodeWrite: false, vmOps: null }],
    ptes: new Array(cfg.vpages).fill(null),
    files: [],
    bdevs: devices.map(() => 0),
  }));
  let s: State = {
    cfg, devices, sb: null, fsUsed: used, rawOpens: devices.map(() => 0), inodes: [null], dir, procs, threads: [],
    sparse: { allocated: false, refs: 0, data: zeros(PS) }, sparseSeq: 0, locks: {}, nextTid: 1,
  };
  // the on-disk inodes, as an unmounted file system's inode would be instantiated (->mount makes them anew)
  const unmounted = s;
  const inodes: (Inode | null)[] = [null, ...files.map((f, k) => ({ ...fsType.s_op.new_inode(ctx, unmounted, k + 1), size: f.size, blocks: f.blocks }))];
  s = { ...s, inodes };
  if (cfg.fs.mounted) {
    const m = cfg.fs.mount;
    const [s2, err] = fsType.mount(ctx, s, { dev: fsDev, xip: m.xip, ro: m.ro }, m.blocksize ?? PS);
    if (err) throw new ConfigError(`fs.mount: mounting "${dev.name}" failed with ${err} (see ${fsType.name}'s fill_super)`);
    s = s2;
  }
  return s;
}

/** A config that parses but describes an impossible machine. */
export class ConfigError extends Error {}
