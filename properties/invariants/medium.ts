import { mediumConfig, PAGE_SECTORS } from '../../model/config.ts';
import { ENOMEM, ENOSPC } from '../../model/kernel/errno.ts';
import type { Device, State } from '../../model/state.ts';
import { driverRole } from '../../model/block/driver.ts';

/**
 * What each memory driver's `direct_access` promises for a sector (2.6.26–3.19), read from
 * the driver sources. The invariants hold the model's drivers to these rules; nothing here is
 * taken from the model's own driver code.
 */
export interface DirectAccessRule {
  /** -EINVAL for a sector that is not the first of a page. */
  readonly alignment: boolean;
  /** The driver adds the partition start (hd_struct.start_sect) itself. */
  readonly addsPartitionStart: boolean;
  /** Backing pages are allocated on first touch, so brd_insert_page can fail (allocFailureOf: -ENOSPC, -ENOMEM before 3.16). */
  readonly allocates: boolean;
  readonly source: string;
}

export const DIRECT_ACCESS_RULES: Readonly<Record<'dcssblk' | 'brd' | 'axonram', DirectAccessRule>> = {
  dcssblk: {
    alignment: true, addsPartitionStart: false, allocates: false,
    source: 'drivers/s390/block/dcssblk.c dcssblk_direct_access (2.6.26–3.19): "if (!dev_info) return -ENODEV; if (secnum % (PAGE_SIZE/512)) return -EINVAL; pgoff = secnum / (PAGE_SIZE / 512); if ((pgoff+1)*PAGE_SIZE-1 > dev_info->end - dev_info->start) return -ERANGE; *kaddr = (void *) (dev_info->start+pgoff*PAGE_SIZE)" (one minor per segment: no partitions)',
  },
  brd: {
    alignment: true, addsPartitionStart: false, allocates: true,
    source: 'drivers/block/brd.c brd_direct_access (2.6.26–3.19): "if (!brd) return -ENODEV; if (sector & (PAGE_SECTORS-1)) return -EINVAL; if (sector + PAGE_SECTORS > get_capacity(bdev->bd_disk)) return -ERANGE; page = brd_insert_page(brd, sector); if (!page) return -ENOSPC;" (3.16–3.19; "return -ENOMEM" in 2.6.25–3.15, changed by "brd: return -ENOSPC rather than -ENOMEM on page allocation failure", 96f8d8e0965b; the partition start is added only by 4.0\'s bdev_direct_access)',
  },
  axonram: {
    alignment: false, addsPartitionStart: true, allocates: false,
    source: 'arch/powerpc/sysdev/axonram.c axon_ram_direct_access (2.6.26–3.19): "offset = sector; if (device->bd_part != NULL) offset += device->bd_part->start_sect; offset <<= AXON_RAM_SECTOR_SHIFT; if (offset >= bank->size) return -ERANGE; *kaddr = (void *)(bank->ph_addr + offset)" (no alignment check)',
  },
};

/**
 * The driver tables of kernels before 3.16 (Device.fops: the table add_disk installed, which
 * says which kernel's brd the disk runs): brd of 2.6.26–3.15 and brd of 2.6.25 on a highmem
 * machine. Every other table — the reference's, an audited driver's — is held to 3.19's rule.
 */
export const BRD_TABLES_BEFORE_3_16: ReadonlySet<string> = new Set(['brd:enomem', 'brd:highmem']);

/**
 * The errno of brd_insert_page's failure, in brd_direct_access and in the bio path
 * (copy_to_brd_setup → bio_endio) alike: -ENOSPC from 3.16 ("brd is effectively a thinly
 * provisioned device. Thinly provisioned devices return -ENOSPC when they can't write a new
 * block", 96f8d8e0965b; read in the 3.19.8 tree), -ENOMEM in 2.6.25–3.15.
 */
export function allocFailureOf(d: Device): number {
  return BRD_TABLES_BEFORE_3_16.has(d.fops) ? -ENOMEM : -ENOSPC;
}

/** The rule of the specification the device's driver says it implements (its role). */
export function ruleOf(d: Device): DirectAccessRule | null {
  const role = driverRole(d.driver);
  return !role || role === 'disk' ? null : DIRECT_ACCESS_RULES[role];
}

/** The disk page (of the whole disk, where the model keeps the bytes) a sector of the device names. */
export function diskPageOf(d: Device, sector: number): number {
  const off = sector + (ruleOf(d)?.addsPartitionStart ? d.startSect : 0);
  return Math.floor(off / PAGE_SECTORS);
}

/** brd: how many backing pages the machine may give the disk (the config's memory limit). */
export function backingBudget(s: State, dev: number): number {
  const c = mediumConfig(s.cfg, dev);
  return c.maxBackingPages ?? c.pages;
}

/** Pages of the disk that really have memory behind them now. */
export function backedPages(d: Device): number {
  let n = 0;
  for (const p of d.data) if (p !== null) n++;
  return n;
}

/**
 * Can the medium give memory for disk page `page` now? A removed segment has none; a brd page
 * not yet backed needs a page the memory limit still allows.
 */
export function mediumCanBack(s: State, dev: number, page: number): boolean {
  const d = s.devices[dev];
  if (!d.present || page >= d.pages) return false;
  if (!ruleOf(d)?.allocates || d.data[page] !== null) return true;
  return backedPages(d) < backingBudget(s, dev);
}

/** The file system's size in blocks: the partition it was made on (blocksize == PAGE_SIZE). */
export function fsBlocks(s: State, dev: number): number {
  const d = s.cfg.devices[dev];
  if (d.partitionOf !== undefined) return d.pages;
  return Math.floor((d.pages * PAGE_SECTORS - d.startSect) / PAGE_SECTORS);
}
