import type { State } from '../state.ts';

/** Outcome of `direct_access`: a kernel address and pfn, or a negative errno. */
export type DirectAccess = { readonly kaddr: number; readonly pfn: number } | { readonly err: number };

/**
 * include/linux/blkdev.h `struct block_device_operations`, the members XIP uses.
 * `direct_access` (2.6.25–3.19 form: `int (*)(struct block_device *, sector_t, void **kaddr,
 * unsigned long *pfn)`) is optional: a driver without it cannot host an XIP mount.
 * Each member is one atomic step of the caller (the drivers take no sleeping lock on this path;
 * brd's radix-tree spinlock is inside the step).
 */
export interface BlockDeviceOperations {
  readonly driver: string;
  readonly cites: string;
  readonly direct_access?: (s: State, dev: number, sector: number) => readonly [State, DirectAccess];
  /** bdops->open / ->release beyond the generic bd_openers count (dcssblk use_count, save_pending). */
  readonly release?: (s: State, dev: number) => State;
}
