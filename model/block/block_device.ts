import { EACCES, EIO, ENODEV } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { zeros } from '../kernel/physmem.ts';
import type { State } from '../state.ts';
import { mediumOf, setAt, updateDevice } from '../state.ts';
import { neutralCtx } from './direct_access.ts';
import { callDriver, driverOf } from './driver.ts';
import type { Ctx } from '../kernel/step.ts';
import { PAGE_SECTORS } from '../config.ts';
import { pfnOf } from '../kernel/physmem.ts';

/**
 * The whole-device page that holds page `block` of a partition: generic_make_request's
 * blk_partition_remap adds hd_struct.start_sect to every bio, so mke2fs (writing through the
 * partition's block device), the page cache and every block the fs owns live there. A device
 * without partitions has startSect 0.
 */
export function partitionPage(d: { readonly startSect: number }, block: number): number {
  return block + d.startSect / PAGE_SECTORS;
}

/** Pages of the partition: the fs's block count (mke2fs sizes it from the partition). */
export function partitionPages(d: { readonly startSect: number; readonly pages: number; readonly partPages?: number }): number {
  return d.partPages ?? d.pages - d.startSect / PAGE_SECTORS;
}

/** The pfn of the memory that holds fs block `block` of the file system on `dev` (ground truth). */
export function fsBlockPfn(s: State, dev: number, block: number): number {
  return pfnOf(mediumOf(s.devices, dev), partitionPage(s.devices[dev], block));
}

const CITE = 'fs/block_dev.c blkdev_get/blkdev_put (3.x)';
export const B_BDEV = branches('blkdev_get', CITE, ['enodev', 'eacces-ro', 'ok'] as const);

/**
 * blkdev_get: count one more opener (bd_openers; dcssblk_open's use_count). Opening for write
 * a disk marked read-only fails with -EACCES (as mount_bdev does for a rw mount). A partition's
 * first open opens its whole disk too (__blkdev_get(whole, mode, 1), 3.19 fs/block_dev.c), so
 * the disk's bd_openers counts every partition in use.
 */
export function blkdev_get(s: State, dev: number, write: boolean): readonly [State, number, string] {
  const d = s.devices[dev];
  if (!d || !d.present) return [s, -ENODEV, 'enodev'];
  if (write && d.readOnly) return [s, -EACCES, 'eacces-ro'];
  const s1 = d.medium !== undefined && d.openers === 0 ? updateDevice(s, d.medium, (x) => ({ ...x, openers: x.openers + 1 })) : s;
  return [updateDevice(s1, dev, (x) => ({ ...x, openers: x.openers + 1 })), 0, 'ok'];
}

/**
 * blkdev_put: drop an opener; the driver's release hook runs with the new count. Only the whole
 * disk's put calls ->release (`bdev->bd_contains == bdev`); a partition's last put puts its
 * disk (__blkdev_put(victim, mode, 1)), which does.
 */
export function blkdev_put(s: State, dev: number, ctx: Ctx = neutralCtx(s)): State {
  const s2 = updateDevice(s, dev, (x) => ({ ...x, openers: Math.max(0, x.openers - 1) }));
  const m = s2.devices[dev].medium;
  if (m !== undefined) return s2.devices[dev].openers === 0 ? blkdev_put(s2, m, ctx) : s2;
  if (!driverOf(s2, dev).fops.release) return s2;
  return callDriver<void>(s2, dev, 'release', (drv, disk) => drv.fops.release!(ctx, disk), (r) => (r === undefined ? null : `release returned ${JSON.stringify(r)}; it returns nothing`))[0];
}

/**
 * The bio path (submit_bio → driver make_request), used by the page cache of a non-XIP mount.
 * Adds the partition start, as the block layer's generic_make_request remaps partitions.
 * Writes to a read-only device fail with -EIO (dcssblk_make_request: "read-only device").
 * On brd a read of a page never written copies zeros without allocating (copy_from_brd), and
 * a write allocates the backing page first: brd_make_request → brd_do_bvec →
 * copy_to_brd_setup → brd_insert_page, "if (!brd_insert_page(brd, sector)) return -ENOSPC;"
 * (drivers/block/brd.c 3.16–3.19; -ENOMEM in 2.6.25–3.15), the bio then ends with that error.
 */
export function bioRead(s: State, dev: number, page: number): readonly [State, readonly number[] | null] {
  const d = s.devices[dev];
  if (!d.present) return [s, null];
  const p = partitionPage(d, page);
  return [s, d.data[p] ?? zeros(s.cfg.pageSize)];
}

export function bioWrite(s: State, dev: number, page: number, data: readonly number[], ctx: Ctx = neutralCtx(s)): readonly [State, number] {
  const d = s.devices[dev];
  if (!d.present) return [s, -ENODEV];
  if (d.readOnly) return [s, -EIO];
  const p = partitionPage(d, page);
  let next = s;
  if (d.data[p] === null) {
    // the driver's make_request gives the page memory first, or fails the bio
    if (!driverOf(s, dev).write_page) return [s, -EIO];
    const [s2, st] = callDriver<number>(s, dev, 'write_page', (drv, disk) => drv.write_page!(ctx, disk, p), validErrno('write_page'));
    if (st!.ret) return [s, st!.ret];
    next = s2;
    if (next.devices[dev].data[p] === null) return [s, -EIO];
  }
  return [updateDevice(next, dev, (x) => ({ ...x, data: setAt(x.data, p, data.slice()) })), 0];
}

/** 0 or a negative errno: what ioctls, sysfs stores and make_request return. */
export function validErrno(op: string): (r: unknown) => string | null {
  return (r) => (Number.isInteger(r) && (r as number) <= 0 ? null : `${op} returned ${JSON.stringify(r)}, not 0 or a negative errno`);
}
