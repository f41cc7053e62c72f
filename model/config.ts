import { z } from 'zod';

/**
 * The constants of one model instance (TLA+ CONSTANTS). Everything that comes from outside —
 * a trace file, a suite, a user's config — is parsed with this schema; inside the model the
 * parsed value is trusted. Bounds (how many pages, processes) live here, never in the model.
 */
export const DeviceConfig = z.strictObject({
  name: z.string().min(1),
  /** Which block driver backs the device: a registered driver's name — the built-in dcssblk
   *  (drivers/s390/block/dcssblk.c), brd (drivers/block/brd.c), axonram
   *  (arch/powerpc/sysdev/axonram.c) and disk (no direct_access), or an audited plug-in. */
  driver: z.string().min(1),
  /** Capacity in pages (one page = one ext2 block = 8 sectors of the abstraction). */
  pages: z.number().int().min(2).max(64),
  /** Partition start in sectors (hd_struct.start_sect), page-aligned: the bio path adds it
   *  (blk_partition_remap); of the direct_access drivers only axonram does (before 4.0's
   *  bdev_direct_access). dcssblk disks have one minor: no partitions. */
  startSect: z.number().int().min(0).multipleOf(8, 'a partition starts on a page boundary (a multiple of 8 sectors)').default(0),
  /** dcssblk segment type: SW/EW/SN/EN writable, SR/ER/SC read-only. */
  segmentType: z.enum(['SW', 'EW', 'SN', 'EN', 'SR', 'ER', 'SC']).default('SW'),
  /** dcssblk: loaded SEGMENT_SHARED (true) or SEGMENT_EXCLUSIVE. */
  shared: z.boolean().default(false),
  /** A read-only medium (ROM) of any driver: set_disk_ro(1). */
  readOnly: z.boolean().default(false),
  /** brd: how many backing pages brd_insert_page may allocate before it fails (-ENOSPC; -ENOMEM before 3.16). */
  maxBackingPages: z.number().int().min(0).optional(),
  /** Byte every not-yet-used block holds at start: old data that must never leak into a file. */
  staleByte: z.number().int().min(0).max(255).default(0xee),
  /**
   * This entry is a partition (an hd_struct: /dev/ram0p2) of the disk the named entry is: it
   * shares that disk's medium, driver and private data (add_partition under one gendisk), and
   * `startSect`/`pages` place it on the disk (`pages` is then the partition's own length). It
   * names its disk's driver; the disk's medium options (segment type, memory limit, read-only,
   * stale byte) apply to it, its own are not read.
   */
  partitionOf: z.string().min(1).optional(),
});
export type DeviceConfig = z.infer<typeof DeviceConfig>;

export const FileConfig = z.strictObject({
  name: z.string().min(1),
  /** Initial contents, one entry per byte; `holes` lists page indices left unallocated (they read as zeros). */
  data: z.array(z.number().int().min(0).max(255)).default([]),
  holes: z.array(z.number().int().min(0)).default([]),
});

export const MountConfig = z.strictObject({
  device: z.string(),
  xip: z.boolean().default(true),
  ro: z.boolean().default(false),
  /** ext2 block size given to mke2fs; xip requires it to equal the page size (ext2_fill_super). */
  blocksize: z.number().int().positive().optional(),
});

/** One file system: made by mkfs on `device`, mounted at its mount point when `mounted`. */
export const FsConfig = z.strictObject({
  /** Which registered file_system_type mkfs made and `mount` names (mount -t); the model's one is ext2. */
  type: z.string().min(1).default('ext2'),
  device: z.string(),
  /** The directory of the root it is mounted on, for entry k ≥ 1 of a list (default `mnt<k>`); entry 0 is the root itself. */
  at: z.string().regex(/^(?!\.\.?$)[A-Za-z0-9_.-]+$/, 'a mount point is one directory name of the root (letters, digits, _ . -; not . or ..)').optional(),
  mounted: z.boolean().default(true),
  mount: MountConfig.omit({ device: true }).default({ xip: true, ro: false }),
  files: z.array(FileConfig).default([]),
  /** Largest file in pages (s_maxbytes / PAGE_SIZE): writes beyond get -EFBIG. */
  maxFilePages: z.number().int().min(1).max(64).default(6),
});
export type FsConfig = z.infer<typeof FsConfig>;

export const Config = z.strictObject({
  /** Bytes per page. Tiny (4) for checking so that tails and partial pages are real; 4096 in docs. */
  pageSize: z.number().int().min(2).max(4096).default(4),
  devices: z.array(DeviceConfig).min(1),
  /**
   * The file system made on one device, or several, each on its own device: entry 0 is mounted
   * at the root, entry k ≥ 1 at the directory `at` (default `mnt<k>`), whose files actions name
   * `<at>/<name>`. Each is mounted at start when its `mounted` is true.
   */
  fs: z.union([FsConfig, z.array(FsConfig).min(1)]),
  /** User processes, each with its own address space and file table. */
  processes: z.number().int().min(1).max(4).default(2),
  /** Virtual pages per address space; the first `heapPages` are an anonymous heap. */
  vpages: z.number().int().min(2).max(64).default(12),
  heapPages: z.number().int().min(1).max(16).default(2),
}).superRefine((c, ctx) => {
  c.devices.forEach((d, i) => {
    if (d.partitionOf !== undefined) return checkPartition(c.devices, i, (path, message) => ctx.addIssue({ code: 'custom', path: ['devices', i, ...path], message }));
    if (d.startSect / PAGE_SECTORS > d.pages - 2) ctx.addIssue({ code: 'custom', path: ['devices', i, 'startSect'], message: `the partition must leave at least 2 of the device's ${d.pages} pages` });
  });
  const names = c.devices.map((d) => d.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['devices', i, 'name'], message: `device name "${n}" is used twice` });
  });
  // several file systems: one per device (a second mount_bdev of a device finds the same super
  // block: one file system, not two), one per mount point, and a file name is a name inside its
  // file system (the mount point comes from `at`)
  const list = fsConfigs(c);
  const devs = new Set<string>(), points = new Set<string>();
  list.forEach((f, k) => {
    const path = Array.isArray(c.fs) ? ['fs', k] : ['fs'];
    if (devs.has(f.device)) ctx.addIssue({ code: 'custom', path: [...path, 'device'], message: `two file systems on device "${f.device}": each file system of "fs" needs its own device` });
    devs.add(f.device);
    if (k === 0 && f.at !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'at'], message: 'the first file system is mounted at the root: it takes no "at"' });
    const at = mountPoint(c, k);
    if (k > 0 && points.has(at)) ctx.addIssue({ code: 'custom', path: [...path, 'at'], message: `two file systems mounted at "${at}"` });
    points.add(at);
    f.files.forEach((x, i) => {
      if (x.name.includes('/')) ctx.addIssue({ code: 'custom', path: [...path, 'files', i, 'name'], message: `"${x.name}": a file name has no "/" (a file of a file system mounted at "${at || '/'}" is named inside it)` });
    });
  });
  // a mount point is a directory of the root: no file of the root may have its name
  list[0]?.files.forEach((x, i) => {
    if (points.has(x.name)) ctx.addIssue({ code: 'custom', path: [...(Array.isArray(c.fs) ? ['fs', 0] : ['fs']), 'files', i, 'name'], message: `"${x.name}" is a mount point: the root's files need other names` });
  });
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/**
 * A partition entry: on a disk entry of the list (not itself a partition), page-aligned, inside
 * the disk, at least 2 pages, overlapping no other partition of that disk (a partition table
 * the kernel would accept), with its disk's driver.
 */
function checkPartition(devices: readonly DeviceConfig[], i: number, issue: (path: (string | number)[], message: string) => void): void {
  const p = devices[i];
  const k = devices.findIndex((d) => d.name === p.partitionOf);
  const disk = devices[k];
  if (!disk) return issue(['partitionOf'], `"${p.partitionOf}" names no device in "devices"`);
  if (disk.partitionOf !== undefined) return issue(['partitionOf'], `"${p.partitionOf}" is itself a partition: a partition's partitionOf names a disk`);
  if (disk.startSect) return issue(['partitionOf'], `disk "${disk.name}" has a startSect of its own: give each partition as an entry with partitionOf instead`);
  if (p.driver !== disk.driver) return issue(['driver'], `a partition's driver is its disk's: "${disk.driver}", not "${p.driver}"`);
  const first = p.startSect / PAGE_SECTORS;
  if (first < 1) issue(['startSect'], 'a partition starts after the partition table: startSect must be at least 8 (page 1)');
  if (first + p.pages > disk.pages) issue(['pages'], `the partition (pages ${first}..${first + p.pages - 1}) does not fit on disk "${disk.name}" (${disk.pages} pages)`);
  devices.forEach((q, j) => {
    if (j >= i || q.partitionOf !== p.partitionOf) return;
    const a = q.startSect / PAGE_SECTORS;
    if (a < first + p.pages && first < a + q.pages) issue(['startSect'], `the partition overlaps "${q.name}" on disk "${disk.name}"`);
  });
}

type FsList = { readonly fs: FsConfig | readonly FsConfig[] };

/** The configured file systems, by mount point index (0: the root). `fs` may be one object or a list. */
export function fsConfigs(c: FsList): readonly FsConfig[] {
  return Array.isArray(c.fs) ? c.fs : [c.fs as FsConfig];
}

/** The configured file system of mount point `k`. */
export function fsConfig(c: FsList, k: number): FsConfig {
  return fsConfigs(c)[k];
}

/** The directory of the root file system k is mounted on: '' for the root itself, else `at` or `mnt<k>`. */
export function mountPoint(c: FsList, k: number): string {
  return k === 0 ? '' : fsConfigs(c)[k].at ?? `mnt${k}`;
}

/** What a file name in an action names: the file system (mount point) and the name inside it. */
export function mountOfPath(c: FsList, name: string): { readonly fs: number; readonly rel: string } | null {
  const slash = name.indexOf('/');
  if (slash < 0) return { fs: 0, rel: name };
  const dir = name.slice(0, slash), rel = name.slice(slash + 1);
  const list = fsConfigs(c);
  for (let k = 1; k < list.length; k++) if (mountPoint(c, k) === dir) return rel && !rel.includes('/') ? { fs: k, rel } : null;
  return null; // no such directory: path lookup fails (-ENOENT)
}

/** The name actions give file `rel` of file system k: `rel` on the root, `<mount point>/rel` below it. */
export function pathIn(c: FsList, k: number, rel: string): string {
  return k === 0 ? rel : `${mountPoint(c, k)}/${rel}`;
}

/** Sectors per page: the kernel's PAGE_SIZE/512 for 4 KiB pages, kept whatever `pageSize` is. */
export const PAGE_SECTORS = 8;

/**
 * The config entry of the disk that holds device `i`'s medium: the device's own for a disk, its
 * disk's for a partition (one gendisk, one private_data, one set of medium options). Capacity,
 * memory limit and segment options are read here, never from a partition's entry.
 */
export function mediumConfig(cfg: Config, i: number): DeviceConfig {
  const d = cfg.devices[i];
  return d.partitionOf === undefined ? d : cfg.devices.find((x) => x.name === d.partitionOf)!;
}

/** The index of the disk entry holding device `i`'s medium (`i` itself for a disk). */
export function mediumIndex(cfg: Config, i: number): number {
  const d = cfg.devices[i];
  return d.partitionOf === undefined ? i : cfg.devices.findIndex((x) => x.name === d.partitionOf);
}
