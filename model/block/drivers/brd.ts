import { EACCES, EBUSY, EINVAL, ENODEV, ENOMEM, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { has } from '../../kernel/variant.ts';
import { pfnOf } from '../../kernel/physmem.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDriver, Disk, DirectAccess, DriverStep } from '../block_device_operations.ts';

const CITE = 'drivers/block/brd.c with CONFIG_BLK_DEV_XIP (2.6.25–3.19)';
export const B_BRD = branches('brd_direct_access', CITE, ['enodev', 'einval-unaligned', 'erange', 'enomem', 'alloc-page', 'ok'] as const, {
  enodev: 'private_data is NULL only after brd_del_one (module unload), which the model does not offer while the gendisk exists',
});

type D = Disk<null>;

/** brd_insert_page's limit: the memory the machine lets the ramdisk take (the config's, else one page per sector range). */
function canBack(disk: D): boolean {
  const max = disk.config.maxBackingPages ?? disk.pages;
  return disk.backed.filter(Boolean).length < max;
}

/**
 * brd_direct_access: allocates a zeroed backing page on first touch (brd_insert_page,
 * GFP_NOIO|__GFP_ZERO, never highmem under XIP), hence can fail: -ENOMEM up to 3.15, -ENOSPC from 3.16 (96f8d8e0965b; the model keeps -ENOMEM, docs/limitations.md item 48).
 */
function brd_direct_access(disk: D, sector: number, highmem = false): DriverStep<DirectAccess, null> {
  if (!disk.present) return hit(B_BRD, 'enodev'), { ret: { err: -ENODEV } };
  if (sector & (PAGE_SECTORS - 1)) return hit(B_BRD, 'einval-unaligned'), { ret: { err: -EINVAL } };
  if (sector + PAGE_SECTORS > disk.pages * PAGE_SECTORS) return hit(B_BRD, 'erange'), { ret: { err: -ERANGE } };
  const page = sector / PAGE_SECTORS;
  // 2.6.25: brd_insert_page allocated with __GFP_HIGHMEM whatever CONFIG_BLK_DEV_XIP said, and
  // `*data = (unsigned long)page_address(page)` is 0 for a highmem page: the caller maps
  // virt_to_page(0), kernel memory (hist-brd-highmem; the model's machine has only highmem)
  const ok = highmem ? { kaddr: 0, pfn: 0 } : { kaddr: pfnOf(disk.index, page) * disk.pageSize, pfn: pfnOf(disk.index, page) };
  if (!disk.backed[page]) {
    if (!canBack(disk)) return hit(B_BRD, 'enomem'), { ret: { err: -ENOMEM } };
    hit(B_BRD, 'alloc-page');
    hit(B_BRD, 'ok');
    return { ret: ok, back: [page] };
  }
  hit(B_BRD, 'ok');
  return { ret: ok };
}

export const B_BRD_IOCTL = branches('brd_ioctl', CITE, ['blkflsbuf-ebusy', 'blkflsbuf-ok', 'discard-zero', 'discard-unbacked', 'discard-einval-range', 'discard-eacces-ro'] as const);

/**
 * ioctl(BLKFLSBUF) (brd_ioctl, 2.6.25–3.19): under bd_mutex, -EBUSY unless
 * `bdev->bd_openers <= 1` — the open the ioctl is issued through. `openers` counts the mount
 * and every raw open; `viaOwnFd` says the caller's own raw open is one of them (else the call
 * opens the device for itself, one more). Then brd_free_pages frees every backing page: "we
 * want to actually release and destroy the ramdisk data".
 * BLKDISCARD → discard_from_brd (3.x): zeroes the page in place instead of freeing it (the pfn
 * stays valid).
 */
function brd_ioctl(ctx: { variant: Parameters<typeof has>[0] }, disk: D, cmd: 'BLKFLSBUF' | 'BLKDISCARD', arg: { page?: number; viaOwnFd?: boolean }): DriverStep<number, null> {
  if (cmd === 'BLKFLSBUF') {
    const bdOpeners = disk.openers + (arg.viaOwnFd ? 0 : 1);
    if (bdOpeners > 1 && !has(ctx.variant, 'remove-ignores-users')) return hit(B_BRD_IOCTL, 'blkflsbuf-ebusy'), { ret: -EBUSY };
    return hit(B_BRD_IOCTL, 'blkflsbuf-ok'), { ret: 0, freeAll: true };
  }
  const page = arg.page ?? 0;
  if (disk.readOnly) return hit(B_BRD_IOCTL, 'discard-eacces-ro'), { ret: -EACCES };
  if (has(ctx.variant, 'mut-brd-discard-off-by-one') ? page > disk.pages : page >= disk.pages) return hit(B_BRD_IOCTL, 'discard-einval-range'), { ret: -EINVAL };
  if (!disk.backed[page]) return hit(B_BRD_IOCTL, 'discard-unbacked'), { ret: 0 };
  return hit(B_BRD_IOCTL, 'discard-zero'), { ret: 0, zero: [page] };
}

function brd(name: string, highmem = false): BlockDriver<null> {
  return {
    kind: 'driver', name, role: 'brd', cites: CITE, coverage: [B_BRD, B_BRD_IOCTL],
    // brd_alloc: no page exists until something touches it
    add_disk: (c) => ({ priv: null, backed: false, readOnly: c.readOnly }),
    fops: { direct_access: (_ctx, disk, sector) => brd_direct_access(disk, sector, highmem), ioctl: brd_ioctl },
    /**
     * brd_make_request → brd_do_bvec → copy_to_brd_setup → brd_insert_page: a write allocates the
     * backing page first, "if (!brd_insert_page(brd, sector)) return -ENOMEM;" (2.6.25–3.19).
     */
    write_page: (_ctx, disk, page) => (disk.backed[page] ? { ret: 0 } : canBack(disk) ? { ret: 0, back: [page] } : { ret: -ENOMEM }),
  };
}

export const brd_driver = brd('brd');
/** The table of 2.6.25 on a highmem machine (docs/history.md). */
export const brd_driver_highmem = brd('brd:highmem', true);
