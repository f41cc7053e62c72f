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

export const Config = z.strictObject({
  /** Bytes per page. Tiny (4) for checking so that tails and partial pages are real; 4096 in docs. */
  pageSize: z.number().int().min(2).max(4096).default(4),
  devices: z.array(DeviceConfig).min(1),
  /** The file system made on one device; mounted at start when `mounted` is true. */
  fs: z.strictObject({
    /** Which registered file_system_type mkfs made and `mount` names (mount -t); the model's one is ext2. */
    type: z.string().min(1).default('ext2'),
    device: z.string(),
    mounted: z.boolean().default(true),
    mount: MountConfig.omit({ device: true }).default({ xip: true, ro: false }),
    files: z.array(FileConfig).default([]),
    /** Largest file in pages (s_maxbytes / PAGE_SIZE): writes beyond get -EFBIG. */
    maxFilePages: z.number().int().min(1).max(64).default(6),
  }),
  /** User processes, each with its own address space and file table. */
  processes: z.number().int().min(1).max(4).default(2),
  /** Virtual pages per address space; the first `heapPages` are an anonymous heap. */
  vpages: z.number().int().min(2).max(64).default(12),
  heapPages: z.number().int().min(1).max(16).default(2),
}).superRefine((c, ctx) => {
  c.devices.forEach((d, i) => {
    if (d.startSect / PAGE_SECTORS > d.pages - 2) ctx.addIssue({ code: 'custom', path: ['devices', i, 'startSect'], message: `the partition must leave at least 2 of the device's ${d.pages} pages` });
  });
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** Sectors per page: the kernel's PAGE_SIZE/512 for 4 KiB pages, kept whatever `pageSize` is. */
export const PAGE_SECTORS = 8;
