import { EOPNOTSUPP } from '../kernel/errno.ts';
import type { State } from '../state.ts';
import type { BlockDeviceOperations, DirectAccess } from './block_device_operations.ts';
import { dcssblk_fops } from './drivers/dcssblk.ts';
import { brd_fops } from './drivers/brd.ts';
import { axonram_fops } from './drivers/axonram.ts';
import { disk_fops } from './drivers/disk.ts';

const DRIVERS: Record<string, BlockDeviceOperations> = {
  dcssblk: dcssblk_fops, brd: brd_fops, axonram: axonram_fops, disk: disk_fops,
};

/** bdev->bd_disk->fops: the driver's block_device_operations. */
export function fopsOf(s: State, dev: number): BlockDeviceOperations {
  return DRIVERS[s.devices[dev].driver];
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
