import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { program, type Action } from '../../model/actions.ts';
import { runCall } from '../../model/kernel/runtime.ts';
import { PluginFault, setPluginGuard } from '../../model/kernel/plugin-guard.ts';
import { ENODEV, EOPNOTSUPP } from '../../model/kernel/errno.ts';
import type { Call, State } from '../../model/state.ts';
import { updateDevice } from '../../model/state.ts';
import { callDriver, diskOf, driverByName, driverOf, driverRole, isPlainData, registerDriver, substituteDriver, substituteOf, unregisterDriver } from '../../model/block/driver.ts';

/**
 * model/block's driver table and block-layer actions held to account condition by condition
 * (docs/mutation.md): how a driver's answer is applied to its disk and to the partitions that
 * share its memory, which disks are a driver's siblings, and what the block layer answers for a
 * device that is gone. Written against Stryker's survivors in model/block/driver.ts and ioctl.ts.
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
// b with partitions b1, b2 (one memory); c another brd disk; x, y two dcssblk segments
const base = (): State => initialState({
  pageSize: 4,
  devices: [
    { name: 'b', driver: 'brd', pages: 10 },
    { name: 'b1', driver: 'brd', partitionOf: 'b', startSect: 8, pages: 3 },
    { name: 'b2', driver: 'brd', partitionOf: 'b', startSect: 32, pages: 6 },
    { name: 'c', driver: 'brd', pages: 4 },
    { name: 'x', driver: 'dcssblk', pages: 4 },
    { name: 'y', driver: 'dcssblk', pages: 4 },
  ],
  fs: { device: 'x', mounted: false },
}, ctx);
/** Every device marked as holding a file system, so that losing one shows. */
const allFormatted = (s: State): State => ({ ...s, devices: s.devices.map((d) => ({ ...d, formatted: true })) });
const formatted = (s: State) => s.devices.map((d) => d.formatted);
const apply = (s: State, dev: number, step: object) => callDriver(s, dev, 'probe', () => ({ ret: 0, ...step }), () => null)[0];

afterEach(() => {
  setPluginGuard(false);
  substituteDriver('brd', null);
  unregisterDriver('probe');
});

describe('diskOf: the driver\'s view of a disk', () => {
  it('siblings are the whole disks of the same driver, never a partition or another driver\'s disk', () => {
    const s = base();
    expect(diskOf(s, 0).siblings).toEqual([0, 3]);
    expect(diskOf(s, 3).siblings).toEqual([0, 3]);
    expect(diskOf(s, 4).siblings).toEqual([4, 5]);
    // a partition is seen on its disk's gendisk: the disk's index and name, its own start
    expect(diskOf(s, 2)).toMatchObject({ index: 0, name: 'b', siblings: [0, 3], pages: 10, startSect: 32 });
  });
});

describe('callDriver: a driver\'s answer applied, one field at a time', () => {
  it('only priv: the private data changes, nothing else; without priv the old one stays', () => {
    const s = base();
    const s2 = apply(s, 3, { priv: { mark: 1 } });
    expect(s2.devices[3].priv).toEqual({ mark: 1 });
    expect(s2.devices[3].data).toBe(s.devices[3].data);
    const s3 = apply(s2, 3, { readOnly: true });
    expect(s3.devices[3].priv).toEqual({ mark: 1 });
    expect(s3.devices[3].readOnly).toBe(true);
  });
  it('only present or only readOnly: applied alone', () => {
    const s = base();
    expect(apply(s, 3, { present: false }).devices[3].present).toBe(false);
    expect(apply(s, 3, { readOnly: true }).devices[3].readOnly).toBe(true);
  });
  it('back allocates only pages without memory; zero clears only pages with memory', () => {
    const s = base();
    const held = updateDevice(s, 3, (d) => ({ ...d, data: [[1, 2, 3, 4], null, [5, 6, 7, 8], null] }));
    const backed = apply(held, 3, { back: [0, 1] });
    expect(backed.devices[3].data).toEqual([[1, 2, 3, 4], [0, 0, 0, 0], [5, 6, 7, 8], null]);
    const zeroed = apply(held, 3, { zero: [2, 3] });
    expect(zeroed.devices[3].data).toEqual([[1, 2, 3, 4], null, [0, 0, 0, 0], null]);
  });
  it('freeAll on a disk that stays: its memory and every file system on it (each partition) are gone, other disks keep theirs', () => {
    const s = allFormatted(base());
    const viaDisk = apply(s, 0, { freeAll: true });
    expect(formatted(viaDisk)).toEqual([false, false, false, true, true, true]);
    expect(viaDisk.devices[0].data.every((p) => p === null)).toBe(true);
    // through a partition: the memory is the whole disk's, so the disk and the other partition lose theirs too
    expect(formatted(apply(s, 2, { freeAll: true }))).toEqual([false, false, false, true, true, true]);
  });
  it('freeAll of a disk that is removed (or already was): the file systems are not lost, the medium went with the disk', () => {
    const s = allFormatted(base());
    expect(formatted(apply(s, 0, { freeAll: true, present: false }))).toEqual([true, true, true, true, true, true]);
    const gone = updateDevice(s, 0, (d) => ({ ...d, present: false }));
    expect(formatted(apply(gone, 0, { freeAll: true }))).toEqual([true, true, true, true, true, true]);
    // and a present disk stays present, even if the answer says nothing of it
    expect(apply(s, 0, { freeAll: true }).devices[0].present).toBe(true);
  });
  it('no answer: the same state, and null', () => {
    const s = base();
    const r = callDriver(s, 3, 'probe', () => null, () => null);
    expect(r).toEqual([s, null]);
    expect(r[0]).toBe(s);
  });
});

describe('callDriver under the audit guard: the answer is judged before it is applied', () => {
  const probe = (answer: unknown) => {
    registerDriver({ kind: 'driver', name: 'probe', role: 'brd', cites: 'test', add_disk: () => ({ priv: null, backed: false, readOnly: false }), fops: {} });
    setPluginGuard(true);
    const s = base();
    return () => callDriver(s, 3, 'probe', () => answer as never, () => null);
  };
  it('null (no answer) is accepted', () => {
    expect(probe(null)()[1]).toBeNull();
  });
  it('one page out of range among good ones is refused', () => {
    expect(probe({ ret: 0, back: [0, 99] })).toThrow(PluginFault);
    expect(probe({ ret: 0, zero: [1.5] })).toThrow(/zero: \[1.5\] is not a list of pages of its disk \(0..3\)/);
  });
});

describe('the driver table', () => {
  it('driverRole: null for a name no driver registered; unregisterDriver removes the name', () => {
    expect(driverRole('no-such-driver')).toBeNull();
    expect(driverRole('brd')).toBe('brd');
    registerDriver({ kind: 'driver', name: 'probe', role: 'dcssblk', cites: 'test', add_disk: () => ({ priv: null, backed: false, readOnly: false }), fops: {} });
    expect(driverByName('probe')?.name).toBe('probe');
    unregisterDriver('probe');
    expect(driverByName('probe')).toBeUndefined();
  });
  it('driverOf a device whose table no driver registered: an error that names the device and the table', () => {
    const s = updateDevice(base(), 3, (d) => ({ ...d, fops: 'gone' }));
    expect(() => driverOf(s, 3)).toThrow('device c: no driver registered as gone');
  });
  it('substituteDriver(name, null) ends the substitution', () => {
    substituteDriver('brd', 'probe');
    expect(substituteOf('brd')).toBe('probe');
    substituteDriver('brd', null);
    expect(substituteOf('brd')).toBeUndefined();
  });
  it('isPlainData: a nesting deeper than 32 levels is refused', () => {
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);
    expect(isPlainData(nest(32))).toBe(true);
    expect(isPlainData(nest(40))).toBe(false);
  });
});

describe('block-layer actions on a device that is gone, and the steps they show', () => {
  const run = (s: State, a: Action) => {
    const labels: string[] = [], branches: string[] = [];
    const r = runCall(s, a as Call, ctx, program, { onBranch: (b) => branches.push(b) }, (_st, at) => labels.push(at));
    return { ret: r.obs.ret, state: r.state, labels, branches };
  };
  it('dcssblk sysfs: each attribute its own step; a removed segment\'s save and shared files are gone, remove answers itself', () => {
    const s = base();
    const removed = run(s, { op: 'dcssblk_remove', pid: 0, dev: 5 });
    expect(removed).toMatchObject({ ret: 0, labels: ['dcssblk_remove_store'] });
    const gone = removed.state;
    expect(run(gone, { op: 'dcssblk_save', pid: 0, dev: 5, on: true })).toMatchObject({ ret: -ENODEV, labels: ['dcssblk_save_store'], branches: ['blkdev_ioctl:sysfs-enodev'] });
    expect(run(gone, { op: 'dcssblk_shared', pid: 0, dev: 5, shared: true })).toMatchObject({ ret: -ENODEV, labels: ['dcssblk_shared_store'], branches: ['blkdev_ioctl:sysfs-enodev'] });
    expect(run(gone, { op: 'dcssblk_save_show', pid: 0, dev: 5 })).toMatchObject({ ret: -ENODEV, labels: ['dcssblk_save_show'], branches: ['blkdev_ioctl:sysfs-enodev'] });
    // remove is the driver's root attribute: the driver itself says the segment is unknown
    const again = run(gone, { op: 'dcssblk_remove', pid: 0, dev: 5 });
    expect(again.ret).toBe(-ENODEV);
    expect(again.branches).not.toContain('blkdev_ioctl:sysfs-enodev');
    // a driver without the attribute has no such file
    expect(run(s, { op: 'dcssblk_save', pid: 0, dev: 3, on: true })).toMatchObject({ ret: -ENODEV, branches: ['blkdev_ioctl:sysfs-enodev'] });
    // save_show on a live segment: the driver's integer answer
    expect(run(s, { op: 'dcssblk_save_show', pid: 0, dev: 4 })).toMatchObject({ ret: 0, labels: ['dcssblk_save_show'] });
  });
  it('brd ioctls, direct_access, open and close: their steps, and the answers for a removed device', () => {
    const s = base();
    expect(run(s, { op: 'brd_blkflsbuf', pid: 0, dev: 3 })).toMatchObject({ ret: 0, labels: ['brd_ioctl(BLKFLSBUF)'] });
    expect(run(s, { op: 'brd_discard', pid: 0, dev: 3, page: 0 })).toMatchObject({ labels: ['discard_from_brd'] });
    const gone = updateDevice(s, 3, (d) => ({ ...d, present: false }));
    expect(run(gone, { op: 'brd_blkflsbuf', pid: 0, dev: 3 })).toMatchObject({ ret: -ENODEV, branches: ['blkdev_ioctl:blkflsbuf-enodev'] });
    expect(run(gone, { op: 'brd_discard', pid: 0, dev: 3, page: 0 })).toMatchObject({ ret: -EOPNOTSUPP, branches: ['blkdev_ioctl:discard-unsupported'] });
    expect(run(s, { op: 'bdev_direct_access', pid: 0, dev: 9, sector: 0 })).toMatchObject({ ret: -ENODEV, labels: ['blkdev_get+direct_access+blkdev_put'] });
    expect(run(s, { op: 'blkdev_open', pid: 0, dev: 3, write: false })).toMatchObject({ ret: 0, labels: ['blkdev_get'] });
    expect(run(s, { op: 'blkdev_close', pid: 0, dev: 3 }).labels).toEqual(['blkdev_put']);
  });
});
