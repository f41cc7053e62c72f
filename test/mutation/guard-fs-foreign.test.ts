import { describe, expect, it } from 'vitest';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { fsForeignChange } from '../../model/fs/guard-fs.ts';
import { updateDevice, type Device, type State } from '../../model/state.ts';

/**
 * fsForeignChange, the audit's rule of what a file system's step may change, condition by
 * condition: `npm run mutation` left 47 of guard-fs.ts's mutants alive after
 * test/mutation/guard-fs.test.ts, nearly all in this rule (docs/mutation.md). The machine: a
 * disk `d` of 10 pages with two partitions (d1 on pages 1–3, d2 on pages 4–9) and a second
 * axonram disk `e`; mount 0 is on d1 (a partition with a sibling on each side of its end: the disk's
 * page 0 below, d2 above), mount 1 on e. Every case is a (pre, post) pair made by hand
 * from the booted state; each allowed change must pass (a false alarm is a defect too) and
 * each forbidden one must be named.
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = {
  pageSize: 4,
  devices: [
    { name: 'd', driver: 'axonram', pages: 10 },
    { name: 'd1', driver: 'axonram', partitionOf: 'd', startSect: 8, pages: 3 },
    { name: 'd2', driver: 'axonram', partitionOf: 'd', startSect: 32, pages: 6 },
    { name: 'e', driver: 'axonram', pages: 6 },
  ],
  fs: [
    { device: 'd1', mount: { xip: true, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4] }], maxFilePages: 1 },
    { device: 'e', at: 'mnt', mount: { xip: true, ro: false }, files: [{ name: 'g', data: [5, 6] }], maxFilePages: 4 },
  ],
  processes: 1,
};
const pre: State = initialState(config as never, ctx);
const rule = fsForeignChange(0);
const D = 0, D1 = 1, D2 = 2, E = 3;

/** A write of one byte at disk page `p` of the medium behind the disk, as the driver makes it (every entry sees it). */
const writeMedium = (s: State, dev: number, p: number): State => updateDevice(s, dev, (d) => ({ ...d, data: d.data.map((pg, k) => (k === p ? [9, 9, 9, 9] : pg)) }));
const setDev = (s: State, i: number, f: (d: Device) => Device): State => ({ ...s, devices: s.devices.map((d, k) => (k === i ? f(d) : d)) });
const inoOf = (s: State, fs: number) => s.inodes.findIndex((i) => i?.fs === fs && i.ino > 0);

describe('fsForeignChange: the machine as booted', () => {
  it('mount 0 is on d1, a partition of d; mount 1 on e', () => {
    expect(pre.sbs.map((sb) => sb?.dev)).toEqual([D1, E]);
    expect(pre.devices.map((d) => d.medium ?? null)).toEqual([null, D, D, null]);
    expect(rule(pre, pre)).toBeNull();
  });
});

describe('fsForeignChange: the medium behind a partition', () => {
  it('a write inside its own partition, seen on the disk and the sibling entry, is allowed: its first and last page', () => {
    expect(rule(pre, writeMedium(pre, D1, 1))).toBeNull();
    expect(rule(pre, writeMedium(pre, D1, 3))).toBeNull();
  });
  it('a write just outside it — the sibling partition\'s first page, or the disk\'s page below it — is another device\'s', () => {
    expect(rule(pre, writeMedium(pre, D1, 4))).toBe('changed block device d, which is not the file system\'s');
    expect(rule(pre, writeMedium(pre, D1, 0))).toBe('changed block device d, which is not the file system\'s');
  });
  it('the medium\'s driver state changed on one entry only (priv, present, read-only out of step) is not the file system\'s doing', () => {
    for (const f of [(d: Device) => ({ ...d, priv: { other: 1 } }), (d: Device) => ({ ...d, present: !d.present }), (d: Device) => ({ ...d, readOnly: !d.readOnly })]) {
      expect(rule(pre, setDev(pre, D, f))).toBe('changed block device d, which is not the file system\'s');
      expect(rule(pre, setDev(pre, D2, f))).toBe('changed block device d2, which is not the file system\'s');
    }
  });
  it('the same driver state changed on every entry of the medium (updateDevice) is allowed', () => {
    expect(rule(pre, updateDevice(pre, D1, (d) => ({ ...d, readOnly: true })))).toBeNull();
  });
  it('the whole disk\'s openers may move (a partition\'s blkdev_get holds its disk), a sibling partition\'s may not', () => {
    expect(rule(pre, setDev(pre, D, (d) => ({ ...d, openers: d.openers + 1 })))).toBeNull();
    expect(rule(pre, setDev(pre, D2, (d) => ({ ...d, openers: d.openers + 1 })))).toBe('changed block device d2, which is not the file system\'s');
  });
  it('another disk is never the file system\'s, even of the same driver and at the pages its partition spans', () => {
    expect(rule(pre, writeMedium(pre, E, 0))).toBe('changed block device e, which is not the file system\'s');
    expect(rule(pre, writeMedium(pre, E, 2))).toBe('changed block device e, which is not the file system\'s');
    expect(fsForeignChange(1)(pre, writeMedium(pre, E, 0))).toBeNull();
  });
  it('a device entry that is equal but not the same object is no change', () => {
    expect(rule(pre, setDev(pre, D2, (d) => ({ ...d })))).toBeNull();
  });
  it('the list of devices itself is the block layer\'s', () => {
    expect(rule(pre, { ...pre, devices: pre.devices.slice(0, 3) })).toBe('changed the list of block devices');
  });
});

describe('fsForeignChange: mounts and inodes', () => {
  it('the lists of mounts and of on-disk slices are the VFS\'s', () => {
    expect(rule(pre, { ...pre, sbs: [...pre.sbs, null] })).toBe('changed the list of mounts');
    expect(rule(pre, { ...pre, onDisk: [...pre.onDisk, null] })).toBe('changed the list of mounts');
  });
  it('another mount\'s super block and on-disk slice are that file system\'s; its own are its own', () => {
    expect(rule(pre, { ...pre, sbs: pre.sbs.map((sb, k) => (k === 1 ? { ...sb!, ro: true } : sb)) })).toBe('changed the super block of mount 1, which is another file system\'s');
    expect(rule(pre, { ...pre, onDisk: pre.onDisk.map((o, k) => (k === 1 ? { x: 1 } : o)) })).toBe('changed the on-disk data of file system 1, which is another file system\'s');
    expect(rule(pre, { ...pre, sbs: pre.sbs.map((sb, k) => (k === 0 ? { ...sb!, ro: true } : sb)) })).toBeNull();
  });
  it('another mount\'s inode, changed or removed, is that mount\'s; its own inode may change', () => {
    const mine = inoOf(pre, 0), theirs = inoOf(pre, 1);
    expect(mine).toBeGreaterThan(0);
    expect(theirs).toBeGreaterThan(0);
    const set = (i: number, v: unknown) => ({ ...pre, inodes: pre.inodes.map((x, k) => (k === i ? v : x)) as State['inodes'] });
    expect(rule(pre, set(theirs, { ...pre.inodes[theirs]!, size: 99 }))).toBe(`changed inode ${theirs}, which belongs to mount 1`);
    expect(rule(pre, set(theirs, null))).toBe(`changed inode ${theirs}, which belongs to mount 1`);
    expect(rule(pre, set(mine, { ...pre.inodes[mine]!, size: 99 }))).toBeNull();
    // an equal copy of another mount's inode is no change
    expect(rule(pre, set(theirs, { ...pre.inodes[theirs]! }))).toBeNull();
    // a new inode of its own at the end of the table
    expect(rule(pre, { ...pre, inodes: [...pre.inodes, { ...pre.inodes[mine]!, ino: pre.inodes.length }] })).toBeNull();
    // a new inode that claims to be the other mount's
    expect(rule(pre, { ...pre, inodes: [...pre.inodes, { ...pre.inodes[theirs]!, ino: pre.inodes.length }] })).toBe(`changed inode ${pre.inodes.length}, which belongs to mount 1`);
  });
  it('what it keeps of its own must stay plain data: an inode\'s priv, its super block\'s, its on-disk slice', () => {
    const mine = inoOf(pre, 0);
    const notPlain = new Map([[1, 2]]);
    expect(rule(pre, { ...pre, inodes: pre.inodes.map((x, k) => (k === mine ? { ...x!, priv: notPlain } : x)) })).toBe(`left inode ${mine} with a priv that is not plain JSON data`);
    expect(rule(pre, { ...pre, inodes: pre.inodes.map((x, k) => (k === mine ? { ...x!, priv: { plain: [1, 'a', null, true] } } : x)) })).toBeNull();
    expect(rule(pre, { ...pre, sbs: pre.sbs.map((sb, k) => (k === 0 ? { ...sb!, priv: notPlain } : sb)) })).toBe('left its super block with a priv that is not plain JSON data');
    expect(rule(pre, { ...pre, sbs: pre.sbs.map((sb, k) => (k === 0 ? { ...sb!, priv: { plain: 1 } } : sb)) })).toBeNull();
    expect(rule(pre, { ...pre, onDisk: pre.onDisk.map((o, k) => (k === 0 ? notPlain : o)) })).toBe('left an on-disk slice that is not plain JSON data');
    expect(rule(pre, { ...pre, onDisk: pre.onDisk.map((o, k) => (k === 0 ? { plain: 1 } : o)) })).toBeNull();
  });
  it('its own device is found from the configuration when it is not mounted', () => {
    const unmounted = { ...pre, sbs: pre.sbs.map((sb, k) => (k === 0 ? null : sb)) };
    expect(rule(unmounted, writeMedium(unmounted, D1, 2))).toBeNull();
    expect(rule(unmounted, writeMedium(unmounted, D1, 5))).toBe('changed block device d, which is not the file system\'s');
  });
});

describe('fsForeignChange: the kernel\'s own state', () => {
  const cases: [string, (s: State) => State, RegExp][] = [
    ['procs', (s) => ({ ...s, procs: [...s.procs, s.procs[0]] }), /changed procs, which belongs to the processes/],
    ['sparse', (s) => ({ ...s, sparse: { ...s.sparse, refs: s.sparse.refs + 1 } }), /changed sparse, which belongs to mm/],
    ['locks', (s) => ({ ...s, locks: { x: { mode: 'excl', holder: 1 } } }), /changed locks, which belongs to the lock primitives/],
  ];
  for (const [what, f, msg] of cases) it(what, () => expect(rule(pre, f(pre))).toMatch(msg));
});
