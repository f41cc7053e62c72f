import { EACCES, EBUSY, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { pfnOf, zeros } from '../../kernel/physmem.ts';
import type { State } from '../../state.ts';
import { setAt, updateDevice } from '../../state.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDeviceOperations, DirectAccess } from '../block_device_operations.ts';

const CITE = 'drivers/block/brd.c with CONFIG_BLK_DEV_XIP (2.6.25–3.19)';
export const B_BRD = branches('brd_direct_access', CITE, ['enodev', 'einval-unaligned', 'erange', 'enomem', 'alloc-page', 'ok'] as const, {
  enodev: 'private_data is NULL only after brd_del_one (module unload), which the model does not offer while the gendisk exists',
});

/**
 * brd_direct_access: allocates a zeroed backing page on first touch (brd_insert_page,
 * GFP_NOIO|__GFP_ZERO, never highmem under XIP), hence can fail with -ENOMEM (4.0: -ENOSPC).
 */
function brd_direct_access(s: State, dev: number, sector: number, highmem = false): readonly [State, DirectAccess & { branch?: string }] {
  const d = s.devices[dev];
  if (!d.present) return hit(B_BRD, 'enodev'), [s, { err: -ENODEV }];
  if (sector & (PAGE_SECTORS - 1)) return hit(B_BRD, 'einval-unaligned'), [s, { err: -EINVAL }];
  if (sector + PAGE_SECTORS > d.pages * PAGE_SECTORS) return hit(B_BRD, 'erange'), [s, { err: -ERANGE }];
  const page = sector / PAGE_SECTORS;
  let next = s;
  if (d.data[page] === null) {
    if (d.backing && d.backing.allocated >= d.backing.max) return hit(B_BRD, 'enomem'), [s, { err: -ENOMEM }];
    hit(B_BRD, 'alloc-page');
    next = updateDevice(s, dev, (x) => ({
      ...x,
      data: setAt(x.data, page, zeros(s.cfg.pageSize)),
      backing: x.backing && { ...x.backing, allocated: x.backing.allocated + 1 },
    }));
  }
  hit(B_BRD, 'ok');
  // 2.6.25: brd_insert_page allocated with __GFP_HIGHMEM whatever CONFIG_BLK_DEV_XIP said, and
  // `*data = (unsigned long)page_address(page)` is 0 for a highmem page: the caller maps
  // virt_to_page(0), kernel memory (hist-brd-highmem; the model's machine has only highmem)
  if (highmem) return [next, { kaddr: 0, pfn: 0 }];
  return [next, { kaddr: pfnOf(dev, page) * s.cfg.pageSize, pfn: pfnOf(dev, page) }];
}

export const brd_fops: BlockDeviceOperations = { driver: 'brd', cites: CITE, direct_access: (s, dev, sector) => brd_direct_access(s, dev, sector) };
export const brd_fops_highmem: BlockDeviceOperations = { ...brd_fops, direct_access: (s, dev, sector) => brd_direct_access(s, dev, sector, true) };

export const B_BRD_IOCTL = branches('brd_ioctl', CITE, ['blkflsbuf-enodev', 'blkflsbuf-generic', 'blkflsbuf-ebusy', 'blkflsbuf-ok', 'discard-zero', 'discard-unbacked', 'discard-einval-range', 'discard-eacces-ro', 'discard-unsupported'] as const);

/**
 * ioctl(BLKFLSBUF). On brd (brd_ioctl, 2.6.25–3.19): under bd_mutex, -EBUSY unless
 * `bdev->bd_openers <= 1` — the open the ioctl is issued through. `openers` counts the mount
 * and every raw open; `viaOwnFd` says the caller's own raw open is one of them (else the call
 * opens the device for itself, one more). Then brd_free_pages frees every backing page: "we
 * want to actually release and destroy the ramdisk data". On any other driver blkdev_ioctl
 * just syncs and invalidates the buffer cache (nothing to model). A removed device cannot be
 * opened: -ENODEV.
 */
export function brd_blkflsbuf(s: State, dev: number, ignoreUsers: boolean, viaOwnFd = false): readonly [State, number, string] {
  const d = s.devices[dev];
  if (!d.present) return [s, -ENODEV, 'blkflsbuf-enodev'];
  if (d.driver !== 'brd') return [s, 0, 'blkflsbuf-generic'];
  const bdOpeners = d.openers + (viaOwnFd ? 0 : 1);
  if (bdOpeners > 1 && !ignoreUsers) return [s, -EBUSY, 'blkflsbuf-ebusy'];
  return [updateDevice(s, dev, (x) => ({ ...x, data: x.data.map(() => null), backing: x.backing && { ...x.backing, allocated: 0 }, formatted: false })), 0, 'blkflsbuf-ok'];
}

/** discard_from_brd (3.x): zeroes the page in place instead of freeing it (pfn stays valid). */
export function brd_discard(s: State, dev: number, page: number, offByOne = false): readonly [State, number, string] {
  const d = s.devices[dev];
  // blkdev_issue_discard: a queue without discard support (dcssblk, axonram, a plain disk here) is -EOPNOTSUPP
  if (!d.present || d.driver !== 'brd') return [s, -EOPNOTSUPP, 'discard-unsupported'];
  if (d.readOnly) return [s, -EACCES, 'discard-eacces-ro'];
  if (offByOne ? page > d.pages : page >= d.pages) return [s, -EINVAL, 'discard-einval-range'];
  if (!d.data[page]) return [s, 0, 'discard-unbacked'];
  return [updateDevice(s, dev, (x) => ({ ...x, data: setAt(x.data, page, zeros(s.cfg.pageSize)) })), 0, 'discard-zero'];
}
