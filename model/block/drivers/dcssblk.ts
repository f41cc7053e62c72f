import { EBUSY, EINVAL, ENODEV, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { has } from '../../kernel/variant.ts';
import { pfnOf } from '../../kernel/physmem.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDriver, Disk, DirectAccess, DriverStep } from '../block_device_operations.ts';

const CITE = 'drivers/s390/block/dcssblk.c (2.6.26–3.19)';
export const B_DCSS = branches('dcssblk_direct_access', CITE, ['enodev', 'einval-unaligned', 'erange', 'ok'] as const);

/** dev_info's segment state: what segment_load gave and the save/shared attributes changed. */
export interface DcssPriv { readonly segmentType: string; readonly shared: boolean; readonly savePending: boolean; readonly saves: number }
type D = Disk<DcssPriv>;

/**
 * dcssblk_direct_access (2.6.26–3.19). No check of segment type, sharing or read-only: a
 * read-only segment still yields an address; the block layer's ro flag and the MS_RDONLY tests
 * above keep XIP from storing through it. The partition start is NOT added (pre-4.0 behaviour;
 * dcssblk disks have one minor anyway).
 */
function dcssblk_direct_access(disk: D, sector: number, bug?: DcssBug): DriverStep<DirectAccess, DcssPriv> {
  if (!disk.present) return hit(B_DCSS, 'enodev'), { ret: { err: -ENODEV } };
  if (sector % PAGE_SECTORS) return hit(B_DCSS, 'einval-unaligned'), { ret: { err: -EINVAL } };
  const pgoff = sector / PAGE_SECTORS;
  // (pgoff+1)*PAGE_SIZE-1 > dev_info->end - dev_info->start; the broken variant drops the +1
  if ((bug === 'range-off-by-one' ? pgoff : pgoff + 1) > disk.pages) return hit(B_DCSS, 'erange'), { ret: { err: -ERANGE } };
  hit(B_DCSS, 'ok');
  // the broken variant takes dev_info from the head of dcssblk_devices, not bd_disk->private_data
  const owner = bug === 'first-segment' ? disk.siblings[0] : disk.index;
  return { ret: { kaddr: pfnOf(owner, pgoff) * disk.pageSize, pfn: pfnOf(owner, pgoff) } };
}

/** Defects of the broken variants `da-range-off-by-one` and `da-other-device`. */
type DcssBug = 'range-off-by-one' | 'first-segment';

/** dcssblk_release: the last release runs a save requested while the device was busy. */
function dcssblk_release(disk: D): DriverStep<void, DcssPriv> {
  if (disk.openers === 0 && disk.priv.savePending) return { ret: undefined, priv: { ...disk.priv, savePending: false, saves: disk.priv.saves + 1 } };
  return { ret: undefined };
}

export const B_DCSS_SYSFS = branches('dcssblk_sysfs', CITE, [
  'remove-enodev', 'remove-ebusy', 'remove-ok', 'save-now', 'save-pending', 'save-cancel', 'shared-ebusy', 'shared-sc-refused', 'shared-ok', 'save-show',
] as const);

const RO_TYPES = new Set(['SR', 'ER', 'SC']);

function ret(branch: (typeof B_DCSS_SYSFS.names)[number], r: number, more: Omit<DriverStep<number, DcssPriv>, 'ret'> = {}): DriverStep<number, DcssPriv> {
  hit(B_DCSS_SYSFS, branch);
  return { ret: r, ...more };
}

/**
 * The attributes of dcssblk (3.19). `remove` is the root device's and names a segment
 * (dcssblk_remove_store: -ENODEV when no such segment is known); `save` and `shared` are each
 * segment's own (container_of(dev, …)), with no -ENODEV path: once the segment is removed its
 * attributes are gone, which the block layer answers (model/block/ioctl.ts).
 */
const sysfs: NonNullable<BlockDriver<DcssPriv>['sysfs']> = {
  /** dcssblk_remove_store: -EBUSY while in use, else del_gendisk + segment_unload. */
  remove: (ctx, disk) => {
    if (!disk.present) return ret('remove-enodev', -ENODEV);
    if (disk.openers !== 0 && !has(ctx.variant, 'remove-ignores-users')) return ret('remove-ebusy', -EBUSY);
    return ret('remove-ok', 0, { present: false, freeAll: true });
  },
  /** dcssblk_save_store: save now when idle, else set save_pending for the last release; '0' cancels. */
  save: (_ctx, disk, on) => {
    if (!on) return ret('save-cancel', 0, { priv: { ...disk.priv, savePending: false } });
    if (disk.openers === 0) return ret('save-now', 0, { priv: { ...disk.priv, saves: disk.priv.saves + 1 } });
    return ret('save-pending', 0, { priv: { ...disk.priv, savePending: true } });
  },
  /** dcssblk_save_show: 1 while a save waits for the last release. */
  save_show: (_ctx, disk) => {
    return ret('save-show', disk.priv.savePending ? 1 : 0);
  },
  /** dcssblk_shared_store: -EBUSY while in use; SC cannot be exclusive; ro follows type while shared. */
  shared: (_ctx, disk, shared) => {
    if (disk.openers !== 0) return ret('shared-ebusy', -EBUSY);
    if (!shared && disk.priv.segmentType === 'SC') return ret('shared-sc-refused', -EINVAL);
    return ret('shared-ok', 0, { readOnly: !!shared && RO_TYPES.has(disk.priv.segmentType), priv: { ...disk.priv, shared: !!shared } });
  },
};

function dcssblk(name: string, bug?: DcssBug): BlockDriver<DcssPriv> {
  return {
    kind: 'driver', name, role: 'dcssblk', cites: CITE, coverage: [B_DCSS, B_DCSS_SYSFS],
    // dcssblk_add_store → segment_load: the segment's memory holds whatever it held
    add_disk: (c) => ({
      priv: { segmentType: c.segmentType, shared: c.shared, savePending: false, saves: 0 },
      backed: true,
      readOnly: c.readOnly || (c.shared && RO_TYPES.has(c.segmentType)),
    }),
    fops: { direct_access: (_ctx, disk, sector) => dcssblk_direct_access(disk, sector, bug), release: (_ctx, disk) => dcssblk_release(disk) },
    sysfs,
  };
}

export const dcssblk_driver = dcssblk('dcssblk');
/** Defective tables the broken variants install (the driver-contract invariant must catch them). */
export const dcssblk_driver_range_off_by_one = dcssblk('dcssblk:range-off-by-one', 'range-off-by-one');
export const dcssblk_driver_first_segment = dcssblk('dcssblk:first-segment', 'first-segment');
