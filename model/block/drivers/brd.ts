import { EACCES, EBUSY, EINVAL, ENODEV, ENOMEM, ENOSPC, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { has } from '../../kernel/variant.ts';
import { pfnOf } from '../../kernel/physmem.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDriver, Disk, DirectAccess, DriverStep } from '../block_device_operations.ts';

const CITE = 'drivers/block/brd.c with CONFIG_BLK_DEV_XIP (2.6.26–3.19)';
export const B_BRD = branches('brd_direct_access', CITE, ['enodev', 'einval-unaligned', 'erange', 'enospc', 'enomem-before-3.16', 'alloc-page', 'ok'] as const, {
  enodev: 'private_data is NULL only after brd_del_one (module unload), which the model does not offer while the gendisk exists',
  'enomem-before-3.16': 'the errno of 2.6.25–3.15: only the tables of the kernels before 3.16 (variant flag hist-brd-enomem) return it; 3.19 returns -ENOSPC (enospc)',
});

type D = Disk<null>;

/** brd_insert_page's limit: the memory the machine lets the ramdisk take (the config's, else one page per sector range). */
function canBack(disk: D): boolean {
  const max = disk.config.maxBackingPages ?? disk.pages;
  return disk.backed.filter(Boolean).length < max;
}

/**
 * Which kernel's brd a table is: `highmem` the 2.6.25 one before "fix brd allocation flags"
 * (26defe34e48), `enomem` any before 3.16.
 */
interface Era { readonly highmem: boolean; readonly enomem: boolean }

/**
 * brd_insert_page's failure, in brd_direct_access and copy_to_brd_setup alike: "if (!page)
 * return -ENOSPC;" since 3.16 ("brd: return -ENOSPC rather than -ENOMEM on page allocation
 * failure", 96f8d8e0965b: "brd is effectively a thinly provisioned device. Thinly provisioned
 * devices return -ENOSPC when they can't write a new block"; read in the 3.19.8 tree), -ENOMEM
 * in 2.6.25–3.15 (read in 75acb9cd2ef "rd: support XIP" and the 2.6.32 tree).
 */
function allocFailure(era: Era): number {
  return era.enomem ? -ENOMEM : -ENOSPC;
}

/**
 * brd_direct_access: allocates a zeroed backing page on first touch (brd_insert_page,
 * GFP_NOIO|__GFP_ZERO, never highmem under XIP), hence can fail (allocFailure).
 */
function brd_direct_access(disk: D, sector: number, era: Era): DriverStep<DirectAccess, null> {
  if (!disk.present) return hit(B_BRD, 'enodev'), { ret: { err: -ENODEV } };
  if (sector & (PAGE_SECTORS - 1)) return hit(B_BRD, 'einval-unaligned'), { ret: { err: -EINVAL } };
  if (sector + PAGE_SECTORS > disk.pages * PAGE_SECTORS) return hit(B_BRD, 'erange'), { ret: { err: -ERANGE } };
  const page = sector / PAGE_SECTORS;
  // 2.6.25: brd_insert_page allocated with __GFP_HIGHMEM whatever CONFIG_BLK_DEV_XIP said, and
  // `*data = (unsigned long)page_address(page)` is 0 for a highmem page: the caller maps
  // virt_to_page(0), kernel memory (hist-brd-highmem; the model's machine has only highmem)
  const ok = era.highmem ? { kaddr: 0, pfn: 0 } : { kaddr: pfnOf(disk.index, page) * disk.pageSize, pfn: pfnOf(disk.index, page) };
  if (!disk.backed[page]) {
    if (!canBack(disk)) return hit(B_BRD, era.enomem ? 'enomem-before-3.16' : 'enospc'), { ret: { err: allocFailure(era) } };
    hit(B_BRD, 'alloc-page');
    hit(B_BRD, 'ok');
    return { ret: ok, back: [page] };
  }
  hit(B_BRD, 'ok');
  return { ret: ok };
}

export const B_BRD_IOCTL = branches('brd_ioctl', CITE, ['blkflsbuf-ebusy', 'blkflsbuf-ok', 'discard-zero', 'discard-unbacked', 'discard-einval-range', 'discard-eacces-ro'] as const);

/**
 * ioctl(BLKFLSBUF) (brd_ioctl, 2.6.26–3.19): under bd_mutex, -EBUSY unless
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

function brd(name: string, era: Era): BlockDriver<null> {
  return {
    kind: 'driver', name, role: 'brd', cites: CITE, coverage: [B_BRD, B_BRD_IOCTL],
    // brd_alloc: no page exists until something touches it
    add_disk: (c) => ({ priv: null, backed: false, readOnly: c.readOnly }),
    fops: { direct_access: (_ctx, disk, sector) => brd_direct_access(disk, sector, era), ioctl: brd_ioctl },
    /**
     * brd_make_request → brd_do_bvec → copy_to_brd_setup → brd_insert_page: a write allocates the
     * backing page first, "if (!brd_insert_page(brd, sector)) return -ENOSPC;" (3.16–3.19;
     * -ENOMEM in 2.6.25–3.15), and bio_endio(bio, err) ends the bio with it.
     */
    write_page: (_ctx, disk, page) => (disk.backed[page] ? { ret: 0 } : canBack(disk) ? { ret: 0, back: [page] } : { ret: allocFailure(era) }),
  };
}

/** brd of 3.16–3.19: the reference design's. */
export const brd_driver = brd('brd', { highmem: false, enomem: false });
/** brd of 2.6.26–3.15 (the variants of kernels before 3.16, flag hist-brd-enomem): -ENOMEM when no page can be had. */
export const brd_driver_enomem = brd('brd:enomem', { highmem: false, enomem: true });
/** The table of 2.6.25 on a highmem machine (docs/history.md); a kernel before 3.16, so -ENOMEM too. */
export const brd_driver_highmem = brd('brd:highmem', { highmem: true, enomem: true });
