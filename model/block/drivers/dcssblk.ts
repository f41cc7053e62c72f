import { EBUSY, EINVAL, ENODEV, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { pfnOf } from '../../kernel/physmem.ts';
import type { State } from '../../state.ts';
import { updateDevice } from '../../state.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDeviceOperations, DirectAccess } from '../block_device_operations.ts';

const CITE = 'drivers/s390/block/dcssblk.c (2.6.25–3.19)';
export const B_DCSS = branches('dcssblk_direct_access', CITE, ['enodev', 'einval-unaligned', 'erange', 'ok'] as const);

/**
 * dcssblk_direct_access (2.6.25–3.19). No check of segment type, sharing or read-only: a
 * read-only segment still yields an address (walkthrough §1.3); the block layer's ro flag and
 * the MS_RDONLY tests above keep XIP from storing through it. The partition start is NOT
 * added (pre-4.0 behaviour, walkthrough "Facts the text below lacks").
 */
function dcssblk_direct_access(s: State, dev: number, sector: number, bug?: DcssBug): readonly [State, DirectAccess] {
  const d = s.devices[dev];
  if (!d.present) return hit(B_DCSS, 'enodev'), [s, { err: -ENODEV }];
  if (sector % PAGE_SECTORS) return hit(B_DCSS, 'einval-unaligned'), [s, { err: -EINVAL }];
  const pgoff = sector / PAGE_SECTORS;
  // (pgoff+1)*PAGE_SIZE-1 > dev_info->end - dev_info->start; the broken variant drops the +1
  if ((bug === 'range-off-by-one' ? pgoff : pgoff + 1) > d.pages) return hit(B_DCSS, 'erange'), [s, { err: -ERANGE }];
  hit(B_DCSS, 'ok');
  // the broken variant takes dev_info from the head of dcssblk_devices, not bd_disk->private_data
  const owner = bug === 'first-segment' ? s.devices.findIndex((x) => x.driver === 'dcssblk') : dev;
  return [s, { kaddr: pfnOf(owner, pgoff) * s.cfg.pageSize, pfn: pfnOf(owner, pgoff) }];
}

/** Defects of the broken variants `da-range-off-by-one` and `da-other-device`. */
type DcssBug = 'range-off-by-one' | 'first-segment';

/** dcssblk_release: the last release runs a save requested while the device was busy. */
function dcssblk_release(s: State, dev: number): State {
  const d = s.devices[dev];
  if (d.openers === 0 && d.dcss?.savePending) {
    return updateDevice(s, dev, (x) => ({ ...x, dcss: { ...x.dcss!, savePending: false, saves: x.dcss!.saves + 1 } }));
  }
  return s;
}

export const dcssblk_fops: BlockDeviceOperations = {
  driver: 'dcssblk',
  cites: CITE,
  direct_access: (s, dev, sector) => dcssblk_direct_access(s, dev, sector),
  release: dcssblk_release,
};
export const dcssblk_fops_range_off_by_one: BlockDeviceOperations = {
  ...dcssblk_fops, direct_access: (s, dev, sector) => dcssblk_direct_access(s, dev, sector, 'range-off-by-one'),
};
export const dcssblk_fops_first_segment: BlockDeviceOperations = {
  ...dcssblk_fops, direct_access: (s, dev, sector) => dcssblk_direct_access(s, dev, sector, 'first-segment'),
};

export const B_DCSS_SYSFS = branches('dcssblk_sysfs', CITE, [
  'remove-enodev', 'remove-ebusy', 'remove-ok', 'save-enodev', 'save-now', 'save-pending', 'save-cancel', 'shared-enodev', 'shared-ebusy', 'shared-sc-refused', 'shared-ok', 'save-show', 'save-show-enodev',
] as const);

const RO_TYPES = new Set(['SR', 'ER', 'SC']);

/** dcssblk_remove_store: -EBUSY while in use, else del_gendisk + segment_unload. */
export function dcssblk_remove(s: State, dev: number, ignoreUsers: boolean): readonly [State, number, string] {
  const d = s.devices[dev];
  if (!d.present || d.driver !== 'dcssblk') return [s, -ENODEV, 'remove-enodev'];
  if (d.openers !== 0 && !ignoreUsers) return [s, -EBUSY, 'remove-ebusy'];
  return [updateDevice(s, dev, (x) => ({ ...x, present: false, data: x.data.map(() => null) })), 0, 'remove-ok'];
}

/** dcssblk_save_store: save now when idle, else set save_pending for the last release; '0' cancels. */
export function dcssblk_save(s: State, dev: number, on: boolean): readonly [State, number, string] {
  const d = s.devices[dev];
  if (!d.present || !d.dcss) return [s, -ENODEV, 'save-enodev'];
  if (!on) return [updateDevice(s, dev, (x) => ({ ...x, dcss: { ...x.dcss!, savePending: false } })), 0, 'save-cancel'];
  if (d.openers === 0) return [updateDevice(s, dev, (x) => ({ ...x, dcss: { ...x.dcss!, saves: x.dcss!.saves + 1 } })), 0, 'save-now'];
  return [updateDevice(s, dev, (x) => ({ ...x, dcss: { ...x.dcss!, savePending: true } })), 0, 'save-pending'];
}

/** dcssblk_shared_store: -EBUSY while in use; SC cannot be exclusive; ro follows type while shared. */
export function dcssblk_shared(s: State, dev: number, shared: boolean): readonly [State, number, string] {
  const d = s.devices[dev];
  if (!d.present || !d.dcss) return [s, -ENODEV, 'shared-enodev'];
  if (d.openers !== 0) return [s, -EBUSY, 'shared-ebusy'];
  if (!shared && d.dcss.segmentType === 'SC') return [s, -EINVAL, 'shared-sc-refused'];
  const readOnly = shared && RO_TYPES.has(d.dcss.segmentType);
  return [updateDevice(s, dev, (x) => ({ ...x, readOnly, dcss: { ...x.dcss!, shared } })), 0, 'shared-ok'];
}

export function dcssInitiallyReadOnly(segmentType: string, shared: boolean): boolean {
  return shared && RO_TYPES.has(segmentType);
}
