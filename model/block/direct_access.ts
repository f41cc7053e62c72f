import { EOPNOTSUPP } from '../kernel/errno.ts';
import { has, type Variant } from '../kernel/variant.ts';
import type { Device, State } from '../state.ts';
import type { BlockDeviceOperations, DirectAccess } from './block_device_operations.ts';
import { dcssblk_fops, dcssblk_fops_first_segment, dcssblk_fops_range_off_by_one } from './drivers/dcssblk.ts';
import { brd_fops, brd_fops_highmem } from './drivers/brd.ts';
import { axonram_fops, axonram_fops_bogus_pfn, axonram_fops_no_part_start } from './drivers/axonram.ts';
import { disk_fops } from './drivers/disk.ts';

/** Every block_device_operations table a gendisk can point at, by name (Device.fops). */
const DRIVERS = new Map<string, BlockDeviceOperations>([
  ['dcssblk', dcssblk_fops], ['brd', brd_fops], ['axonram', axonram_fops], ['disk', disk_fops],
  // defective drivers of the broken variants (the driver-contract invariant must catch them)
  ['dcssblk:range-off-by-one', dcssblk_fops_range_off_by_one], ['dcssblk:first-segment', dcssblk_fops_first_segment],
  // the drivers of historical kernels (docs/history.md)
  ['axonram:no-part-start', axonram_fops_no_part_start], ['axonram:bogus-pfn', axonram_fops_bogus_pfn], ['brd:highmem', brd_fops_highmem],
]);

/** add_disk: the table the driver installs in gendisk->fops (a broken variant installs a defective one). */
export function fopsFor(driver: Device['driver'], v: Variant): string {
  if (driver === 'dcssblk' && has(v, 'da-range-off-by-one')) return 'dcssblk:range-off-by-one';
  if (driver === 'dcssblk' && has(v, 'da-other-device')) return 'dcssblk:first-segment';
  if (driver === 'axonram' && has(v, 'hist-axonram-no-part-start')) return 'axonram:no-part-start';
  if (driver === 'axonram' && has(v, 'hist-axonram-bogus-pfn')) return 'axonram:bogus-pfn';
  if (driver === 'brd' && has(v, 'hist-brd-highmem')) return 'brd:highmem';
  return driver;
}

/** bdev->bd_disk->fops: the driver's block_device_operations. */
export function fopsOf(s: State, dev: number): BlockDeviceOperations {
  const f = DRIVERS.get(s.devices[dev].fops);
  if (!f) throw new Error(`device ${s.devices[dev].name}: unknown block_device_operations ${s.devices[dev].fops}`);
  return f;
}

export function hasDirectAccess(s: State, dev: number): boolean {
  return !!fopsOf(s, dev).direct_access;
}

/**
 * `bdev->bd_disk->fops->direct_access(bdev, sector, &kaddr, &pfn)` as called by
 * __inode_direct_access (fs/ext2/xip.c 2.6.25–3.19), which BUG_ONs on a missing method; the
 * model returns -EOPNOTSUPP there instead (what 4.0's bdev_direct_access returns).
 */
export function direct_access(s: State, dev: number, sector: number): readonly [State, DirectAccess] {
  const f = fopsOf(s, dev).direct_access;
  if (!f) return [s, { err: -EOPNOTSUPP }];
  return f(s, dev, sector);
}
