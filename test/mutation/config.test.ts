import { describe, expect, it } from 'vitest';
import { Config, mediumConfig, mediumIndex, mountOfPath, mountPoint, pathIn, type ConfigInput } from '../../model/config.ts';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';

/**
 * model/config.ts and model/init.ts refusal by refusal: a user's `--system` file (and an audit's)
 * is refused with the path of the field at fault and a sentence saying what is wrong. The CLI
 * tests check a few through the compiled binary, which a mutant of the sources never reaches:
 * `npm run mutation` left 63 of config.ts's mutants alive (docs/mutation.md). Each case here is
 * one rule, with the exact path and message a user sees.
 */
const dev = (name: string, o: object = {}) => ({ name, driver: 'dcssblk' as const, pages: 8, ...o });
const issues = (c: unknown): string[] => {
  const r = Config.safeParse(c);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const one = (devices: object[], fs: unknown = { device: 'a', files: [] }) => issues({ pageSize: 4, devices, fs });

describe('the devices', () => {
  it('a device with a partition offset must leave it 2 pages', () => {
    expect(one([dev('a', { startSect: 56 })])).toEqual(['devices.0.startSect: the partition must leave at least 2 of the device\'s 8 pages']);
    expect(one([dev('a', { startSect: 48 })])).toEqual([]);
  });
  it('a name used twice', () => {
    expect(one([dev('a'), dev('a')])).toEqual(['devices.1.name: device name "a" is used twice']);
  });
});

describe('partitions', () => {
  const disk = (o: object = {}) => ({ name: 'd', driver: 'brd' as const, pages: 12, ...o });
  const part = (name: string, o: object = {}) => ({ name, driver: 'brd' as const, partitionOf: 'd', startSect: 8, pages: 3, ...o });
  const fs = { device: 'd', files: [] };
  it('each rule, with its field', () => {
    expect(one([part('p', { partitionOf: 'x' })], { device: 'p', files: [] })).toEqual(['devices.0.partitionOf: "x" names no device in "devices"']);
    expect(one([disk(), part('p'), part('q', { partitionOf: 'p', startSect: 40 })], fs)).toEqual(['devices.2.partitionOf: "p" is itself a partition: a partition\'s partitionOf names a disk']);
    expect(one([disk({ startSect: 8 }), part('p')], fs)).toEqual(['devices.1.partitionOf: disk "d" has a startSect of its own: give each partition as an entry with partitionOf instead']);
    expect(one([disk(), part('p', { driver: 'axonram' })], fs)).toEqual(['devices.1.driver: a partition\'s driver is its disk\'s: "brd", not "axonram"']);
    expect(one([disk(), part('p', { startSect: 0 })], fs)).toEqual(['devices.1.startSect: a partition starts after the partition table: startSect must be at least 8 (page 1)']);
    expect(one([disk(), part('p', { startSect: 80 })], fs)).toEqual(['devices.1.pages: the partition (pages 10..12) does not fit on disk "d" (12 pages)']);
    expect(one([disk(), part('p', { startSect: 72 })], fs)).toEqual([]); // pages 9..11: the last ones
  });
  it('overlaps, judged against the partitions before it on the same disk only', () => {
    expect(one([disk(), part('p'), part('q', { startSect: 24 })], fs)).toEqual(['devices.2.startSect: the partition overlaps "p" on disk "d"']);
    expect(one([disk(), part('p'), part('q', { startSect: 32 })], fs)).toEqual([]); // p is pages 1..3, q 4..6: touching, not overlapping
    expect(one([disk(), disk({ name: 'e' }), part('p'), part('q', { partitionOf: 'e' })], fs)).toEqual([]);
  });
  it('a partition\'s medium is its disk\'s', () => {
    const c = Config.parse({ pageSize: 4, devices: [disk(), part('p'), part('q', { startSect: 32 })], fs: { device: 'q', files: [] } });
    expect([mediumIndex(c, 0), mediumIndex(c, 1), mediumIndex(c, 2)]).toEqual([0, 0, 0]);
    expect(mediumConfig(c, 2).name).toBe('d');
    expect(mediumConfig(c, 0).name).toBe('d');
  });
});

describe('several file systems', () => {
  const devices = [dev('a'), dev('b'), dev('c')];
  it('one per device, the first at the root, one per mount point, names inside their file system', () => {
    expect(one(devices, [{ device: 'a', files: [] }, { device: 'a', files: [] }])).toEqual(['fs.1.device: two file systems on device "a": each file system of "fs" needs its own device']);
    expect(one(devices, { device: 'a', at: 'x', files: [] })).toEqual(['fs.at: the first file system is mounted at the root: it takes no "at"']);
    expect(one(devices, [{ device: 'a', files: [] }, { device: 'b', at: 'm', files: [] }, { device: 'c', at: 'm', files: [] }])).toEqual(['fs.2.at: two file systems mounted at "m"']);
    expect(one(devices, [{ device: 'a', files: [] }, { device: 'b', files: [] }, { device: 'c', at: 'mnt1', files: [] }])).toEqual(['fs.2.at: two file systems mounted at "mnt1"']);
    expect(one(devices, [{ device: 'a', files: [] }, { device: 'b', at: 'm', files: [{ name: 'x/y', data: [] }] }])).toEqual(['fs.1.files.0.name: "x/y": a file name has no "/" (a file of a file system mounted at "m" is named inside it)']);
    expect(one(devices, { device: 'a', files: [{ name: 'x/y', data: [] }] })).toEqual(['fs.files.0.name: "x/y": a file name has no "/" (a file of a file system mounted at "/" is named inside it)']);
    expect(one(devices, [{ device: 'a', files: [{ name: 'm', data: [] }] }, { device: 'b', at: 'm', files: [] }])).toEqual(['fs.0.files.0.name: "m" is a mount point: the root\'s files need other names']);
    expect(one(devices, [{ device: 'a', files: [{ name: 'f', data: [] }] }, { device: 'b', at: 'm', files: [{ name: 'f', data: [] }] }])).toEqual([]);
  });
  it('mount points and paths', () => {
    const c = Config.parse({ pageSize: 4, devices, fs: [{ device: 'a', files: [] }, { device: 'b', files: [] }, { device: 'c', at: 'm', files: [] }] });
    expect([0, 1, 2].map((k) => mountPoint(c, k))).toEqual(['', 'mnt1', 'm']);
    expect(mountOfPath(c, 'f')).toEqual({ fs: 0, rel: 'f' });
    expect(mountOfPath(c, 'm/f')).toEqual({ fs: 2, rel: 'f' });
    expect(mountOfPath(c, 'mnt1/g')).toEqual({ fs: 1, rel: 'g' });
    expect(mountOfPath(c, '/f')).toBeNull(); // the root's "" is no directory of it
    expect(mountOfPath(c, 'm/')).toBeNull();
    expect(mountOfPath(c, 'm/a/b')).toBeNull();
    expect(mountOfPath(c, 'x/f')).toBeNull();
    expect([pathIn(c, 0, 'f'), pathIn(c, 2, 'f')]).toEqual(['f', 'm/f']);
  });
});

describe('what initialState refuses, after the schema', () => {
  const ctx = { variant: variantByName('reference')!, pageSize: 4 };
  const init = (c: ConfigInput) => { try { initialState(c, ctx); return null; } catch (e) { return (e as Error).message; } };
  it('each with the field at fault', () => {
    expect(init({ pageSize: 4, devices: [dev('a')], fs: { device: 'z', files: [] } })).toBe('fs.device "z" names no device in "devices"');
    expect(init({ pageSize: 4, devices: [dev('a'), dev('b')], fs: [{ device: 'a', files: [] }, { device: 'z', files: [] }] })).toBe('fs[1].device "z" names no device in "devices"');
    expect(init({ pageSize: 4, devices: [dev('a')], fs: { device: 'a', type: 'nofs', files: [] } })).toMatch(/^fs\.type "nofs" names no registered file system \(known: .*ext2/);
    expect(init({ pageSize: 4, devices: [dev('d', { pages: 12 }), dev('p', { partitionOf: 'd', startSect: 8, pages: 3 })], fs: { device: 'p', files: [] } })).toMatch(/^devices\[1\]\.partitionOf: dcssblk disks have no partitions/);
    expect(init({ pageSize: 4, devices: [dev('a', { pages: 3 })], fs: { device: 'a', files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }] } })).toMatch(/^fs\.files: /);
    expect(init({ pageSize: 4, devices: [{ name: 'a', driver: 'disk', pages: 8 }], fs: { device: 'a', mount: { xip: true, ro: false }, files: [] } })).toBe(null);
    expect(init({ pageSize: 4, devices: [dev('a')], fs: { device: 'a', mount: { xip: true, ro: false, blocksize: 8 }, files: [] } })).toBe('fs.mount: mounting "a" failed with -22 (see ext2\'s fill_super)');
  });
  it('a machine as configured: the heap mapped, every device closed, each file system mounted', () => {
    const s = initialState({ pageSize: 4, devices: [dev('a'), dev('b')], fs: [{ device: 'a', files: [] }, { device: 'b', files: [], mounted: false }], processes: 2, vpages: 6, heapPages: 2 }, ctx);
    expect(s.procs.map((p) => [p.vmas.length, p.vmas[0].pages, p.vmas[0].shared, p.vmas[0].ino, p.ptes.length])).toEqual([[1, 2, false, null, 6], [1, 2, false, null, 6]]);
    expect(s.sbs.map((sb) => sb !== null)).toEqual([true, false]);
    // a mounted ext2's on-disk slice lives in its super block (s_fs_info) until umount writes it back
    expect(s.onDisk.map((o) => o !== null)).toEqual([false, true]);
    expect(s.sbs[0]!.priv).not.toBeNull();
    expect(s.rawOpens).toEqual([0, 0]);
  });
});
