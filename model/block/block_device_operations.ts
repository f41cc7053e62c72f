import type { Ctx } from '../kernel/step.ts';
import type { DeviceConfig } from '../config.ts';

/** Outcome of `direct_access`: a kernel address and pfn, or a negative errno. */
export type DirectAccess = { readonly kaddr: number; readonly pfn: number } | { readonly err: number };

/**
 * Which reference driver's specification a driver implements: the rules the invariants and the
 * reference hold it to (properties/invariants/medium.ts DIRECT_ACCESS_RULES, the sysfs and ioctl
 * semantics of properties/reference). `disk` is a driver without direct_access.
 */
export type DriverRole = 'dcssblk' | 'brd' | 'axonram' | 'disk';

/**
 * What a driver sees of one of its disks (struct gendisk + bd_disk->private_data + the memory
 * behind it). Read-only: a driver changes its disk only by what its operation returns
 * (DriverStep), so the block layer knows exactly what each driver owns.
 */
export interface Disk<P = unknown> {
  /** Index of the disk among all block devices (the `dev` of actions and traces). */
  readonly index: number;
  readonly name: string;
  /** Capacity in pages (get_capacity / 8). */
  readonly pages: number;
  readonly pageSize: number;
  /** hd_struct.start_sect of the block device the caller holds (0: the whole disk). */
  readonly startSect: number;
  /** bd_openers: the mount and every raw open. */
  readonly openers: number;
  /** False after del_gendisk (dcssblk remove): private_data is gone. */
  readonly present: boolean;
  /** get_disk_ro(). */
  readonly readOnly: boolean;
  /** Which pages of the medium have memory behind them (brd allocates on first touch). */
  readonly backed: readonly boolean[];
  /** The driver's own private data: plain JSON data, hashed and compared with the rest of the state. */
  readonly priv: P;
  /** The disks this driver added, in add_disk order (its own list, as dcssblk_devices is). */
  readonly siblings: readonly number[];
  /** The device's entry of the config: its options (segment type, memory limit, …). */
  readonly config: DeviceConfig;
}

/**
 * What one driver operation returns: its result and the changes it makes to what it owns —
 * its private data, its medium's memory, and its gendisk's presence and read-only flag.
 * Anything it does not list stays as it was.
 */
export interface DriverStep<R, P = unknown> {
  readonly ret: R;
  readonly priv?: P;
  /** Pages given fresh zeroed memory (brd_insert_page). */
  readonly back?: readonly number[];
  /** Pages zeroed in place (discard_from_brd). */
  readonly zero?: readonly number[];
  /** Every page's memory freed (brd_free_pages, segment_unload): the medium's contents are lost. */
  readonly freeAll?: boolean;
  /** del_gendisk. */
  readonly present?: boolean;
  /** set_disk_ro. */
  readonly readOnly?: boolean;
}

/**
 * include/linux/blkdev.h `struct block_device_operations`, the members XIP uses, plus the
 * driver's management entry points (ioctl; sysfs attributes). `direct_access` (2.6.26–3.19:
 * `int (*)(struct block_device *, sector_t, void **kaddr, unsigned long *pfn)`) is optional: a
 * driver without it cannot host an XIP mount. Each member is one atomic step of its caller: none
 * of the 2.6.26–3.19 drivers sleeps on a lock the rest of the kernel takes on these paths
 * (brd's radix-tree spinlock is inside the step).
 */
export interface BlockDeviceOperations<P = unknown> {
  readonly direct_access?: (ctx: Ctx, disk: Disk<P>, sector: number) => DriverStep<DirectAccess, P>;
  /** ->release, after the block layer dropped bd_openers (dcssblk: a pending save runs at the last release). */
  readonly release?: (ctx: Ctx, disk: Disk<P>) => DriverStep<void, P>;
  /** ->ioctl: BLKFLSBUF; BLKDISCARD of one page (blkdev_issue_discard → the driver's discard). 0 or -errno. */
  readonly ioctl?: (ctx: Ctx, disk: Disk<P>, cmd: 'BLKFLSBUF' | 'BLKDISCARD', arg: { readonly page?: number; readonly viaOwnFd?: boolean }) => DriverStep<number, P> | null;
}

/**
 * A block driver: what `add_disk` installs for each configured device of its name. The
 * reference drivers (drivers/) and an auditor's own are written against this and nothing else.
 */
export interface BlockDriver<P = unknown> {
  readonly kind: 'driver';
  /** The name configs give in `devices[].driver`. */
  readonly name: string;
  readonly role: DriverRole;
  /** Kernel source and version it models. */
  readonly cites: string;
  /** add_disk: the private data of a new disk, whether its memory exists from the start, and its initial read-only flag. */
  readonly add_disk: (config: DeviceConfig, pageSize: number) => { readonly priv: P; readonly backed: boolean; readonly readOnly: boolean };
  readonly fops: BlockDeviceOperations<P>;
  /** sysfs attributes (dcssblk's remove, save, shared): store → 0 or -errno; show → the value. */
  readonly sysfs?: Readonly<Record<string, (ctx: Ctx, disk: Disk<P>, value: boolean | null) => DriverStep<number, P>>>;
  /** The branch catalogues of the driver's own code (model/kernel/coverage.ts): what `audit` reports coverage of. */
  readonly coverage?: readonly { readonly fn: string }[];
  /** make_request for one page write: may refuse (brd cannot back the page: -ENOSPC, -ENOMEM before 3.16). Reads never fail. */
  readonly write_page?: (ctx: Ctx, disk: Disk<P>, page: number) => DriverStep<number, P>;
}
