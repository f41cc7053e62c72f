import { describe, expect, it } from 'vitest';
import { variantByName } from '../variants.ts';
import { initialState } from '../init.ts';
import { Config, type ConfigInput } from '../config.ts';
import type { Action } from '../actions.ts';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { pfnOf } from '../kernel/physmem.ts';
import { refcounts } from '../../properties/invariants/refcounts.ts';
import { updateDevice } from '../state.ts';
import { EXT2_SB } from '../fs/ext2/ext2.ts';

/**
 * Two partitions of one medium (config `partitionOf`): one gendisk, one driver private data and
 * one memory behind the disk entry and both partition entries; each block device has its own
 * start, length and bd_openers, and a partition in use holds its disk (3.19 fs/block_dev.c
 * __blkdev_get(whole, mode, 1)).
 */
const ref = variantByName('reference')!;
const two = (driver: string, xip: boolean): ConfigInput => ({
  pageSize: 4,
  devices: [
    { name: 'd', driver, pages: 10 },
    { name: 'd1', driver, partitionOf: 'd', startSect: 8, pages: 3 },
    { name: 'd2', driver, partitionOf: 'd', startSect: 32, pages: 6 },
  ],
  fs: { device: 'd2', mount: { xip, ro: false }, files: [{ name: 'f0', data: [1, 2, 3, 4, 5, 6] }], maxFilePages: 4 },
  processes: 2,
});
const run = (config: ConfigInput, steps: Action[], finalReads = true) =>
  runSteps(makeSystem('two-partitions', config, ref), steps.map((a) => ({ threads: [[a]] })), INVARIANTS, undefined, { finalReads });

describe('two partitions of one medium', () => {
  it('share one memory: mke2fs on the second partition writes at its start, seen through every entry', () => {
    const s = initialState(two('axonram', true), { variant: ref, pageSize: 4 });
    expect(s.devices[2].data[5]).toEqual([1, 2, 3, 4]); // block 1 of d2 = disk page 4 + 1
    expect(s.devices[0].data).toBe(s.devices[2].data);
    expect(s.devices[1].data).toBe(s.devices[2].data);
    expect(EXT2_SB(s.sbs[0]!).bitmap).toHaveLength(6); // the file system spans its partition only
    // the mount holds d2, and d2 in use holds its disk
    expect(s.devices.map((d) => d.openers)).toEqual([1, 0, 1]);
  });

  it('refcounts fails when a partition in use does not hold its disk (a blkdev_get that forgot __blkdev_get(whole))', () => {
    const s = initialState(two('axonram', true), { variant: ref, pageSize: 4 });
    expect(refcounts.check!(s)).toBeNull();
    const forgot = updateDevice(s, 0, (d) => ({ ...d, openers: 0 }));
    expect(refcounts.check!(forgot)).toBe('device d: openers 0, held by 1 (1 of them partitions in use)');
  });

  it('axonram: direct_access through a partition adds its start and names the disk\'s memory', () => {
    const r = run(two('axonram', true), [
      { op: 'bdev_direct_access', pid: 0, dev: 1, sector: 8 } as Action,
      { op: 'bdev_direct_access', pid: 0, dev: 2, sector: 8 } as Action,
    ]);
    expect(r.violation).toBeNull();
    expect(r.steps.slice(0, 2).map((st) => st.obs[0][0].ret)).toEqual([pfnOf(0, 2), pfnOf(0, 5)]);
  });

  it('raw opens of a partition and of the disk count apart; the last partition close lets the disk go', () => {
    const r = run(two('axonram', true), [
      { op: 'blkdev_open', pid: 0, dev: 1 } as Action,
      { op: 'blkdev_open', pid: 1, dev: 1 } as Action,
      { op: 'blkdev_open', pid: 1, dev: 0 } as Action,
      { op: 'blkdev_close', pid: 0, dev: 1 } as Action,
      { op: 'blkdev_close', pid: 1, dev: 1 } as Action,
      { op: 'umount', pid: 0 } as Action,
    ], false);
    expect(r.violation).toBeNull();
    expect(r.state.devices.map((d) => d.openers)).toEqual([1, 0, 0]); // P1's raw open of the disk is what is left
  });

  it('a page-cache ext2 on a disk partition and an XIP one on an axonram partition hold under a workload touching both partitions', () => {
    for (const [driver, xip] of [['disk', false], ['axonram', true]] as const) {
      const r = run(two(driver, xip), [
        { op: 'store', pid: 0, addr: 0, bytes: [7, 8, 9] } as Action,
        { op: 'open', pid: 0, name: 'f0', flags: { read: true, write: true } } as Action,
        { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 3, pos: 9 } as Action,
        { op: 'open', pid: 0, name: 'g', flags: { read: true, write: true, creat: true } } as Action,
        { op: 'pwrite', pid: 0, fd: 1, buf: 0, len: 3, pos: 2 } as Action,
        { op: 'blkdev_open', pid: 1, dev: 1, write: true } as Action,
        { op: 'bdev_direct_access', pid: 1, dev: 1, sector: 16 } as Action,
        { op: 'fsync', pid: 0, fd: 0 } as Action,
        { op: 'close', pid: 0, fd: 0 } as Action,
        { op: 'close', pid: 0, fd: 1 } as Action,
        { op: 'umount', pid: 0 } as Action,
        { op: 'mount', pid: 0, dev: 2, xip, ro: false } as Action,
      ]);
      expect(r.violation?.message ?? null, driver).toBeNull();
    }
  });

  it('brd (3.19): BLKFLSBUF through an idle partition frees the memory of the mounted one — brd_ioctl checks that bdev\'s bd_openers only', () => {
    // drivers/block/brd.c 3.19 brd_ioctl: "if (bdev->bd_openers <= 1) { kill_bdev(bdev); brd_free_pages(brd); }"
    // — bd_openers of d1, which nobody holds; brd_free_pages frees the whole disk, d2's mounted
    // file system with it. The model does what the kernel does; the reference says the mounted
    // file keeps its bytes, and reading it back disagrees.
    const r = run(two('brd', false), [
      { op: 'brd_blkflsbuf', pid: 0, dev: 1 } as Action,
      { op: 'open', pid: 0, name: 'f0', flags: { read: true } } as Action,
      { op: 'pread', pid: 0, fd: 0, buf: 0, len: 6, pos: 0 } as Action,
    ]);
    expect(r.steps[0].obs[0][0].ret).toBe(0);
    expect(r.violation?.invariant).toBe('coherence');
    // through the whole disk, which d2 holds, the same ioctl is refused
    const busy = run(two('brd', false), [{ op: 'brd_blkflsbuf', pid: 0, dev: 0 } as Action]);
    expect([busy.steps[0].obs[0][0].ret, busy.violation]).toEqual([-16, null]);
  });

  it('two file systems on the two partitions: an ro mount of one does not forbid writes to the other (read-only judges the mount\'s own partition)', () => {
    const config: ConfigInput = {
      ...two('axonram', true),
      fs: [
        { device: 'd1', mount: { xip: true, ro: true }, files: [{ name: 'a', data: [1, 2] }], maxFilePages: 2 },
        { device: 'd2', at: 'mnt1', mount: { xip: true, ro: false }, files: [{ name: 'b', data: [3] }], maxFilePages: 4 },
      ],
    };
    const r = run(config, [
      { op: 'store', pid: 0, addr: 0, bytes: [5, 6, 7, 8, 9] } as Action,
      { op: 'open', pid: 0, name: 'mnt1/b', flags: { read: true, write: true } } as Action,
      { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 5, pos: 6 } as Action,
      { op: 'open', pid: 0, name: 'a', flags: { read: true, write: true } } as Action,
    ]);
    expect(r.violation).toBeNull();
    expect(r.steps.slice(0, 4).map((st) => st.obs[0][0].ret)).toEqual([5, 0, 5, -30]); // EROFS on the ro one
  });

  it('a partition table the kernel would not take is refused with one line each', () => {
    const parts = (p: object[]) => Config.safeParse({ devices: [{ name: 'd', driver: 'brd', pages: 8 }, ...p], fs: { device: 'd' } }).error?.issues.map((i) => i.message);
    expect(parts([{ name: 'p', driver: 'brd', partitionOf: 'x', startSect: 8, pages: 2 }])).toEqual(['"x" names no device in "devices"']);
    expect(parts([{ name: 'p', driver: 'axonram', partitionOf: 'd', startSect: 8, pages: 2 }])).toEqual(['a partition\'s driver is its disk\'s: "brd", not "axonram"']);
    expect(parts([{ name: 'p', driver: 'brd', partitionOf: 'd', startSect: 48, pages: 3 }])).toEqual(['the partition (pages 6..8) does not fit on disk "d" (8 pages)']);
    expect(parts([{ name: 'p', driver: 'brd', partitionOf: 'd', startSect: 0, pages: 2 }])).toEqual(['a partition starts after the partition table: startSect must be at least 8 (page 1)']);
    expect(parts([{ name: 'p', driver: 'brd', partitionOf: 'd', startSect: 8, pages: 3 }, { name: 'q', driver: 'brd', partitionOf: 'd', startSect: 24, pages: 2 }])).toEqual(['the partition overlaps "p" on disk "d"']);
    expect(parts([{ name: 'p', driver: 'brd', partitionOf: 'd', startSect: 8, pages: 3 }, { name: 'q', driver: 'brd', partitionOf: 'p', startSect: 8, pages: 2 }])).toEqual(['"p" is itself a partition: a partition\'s partitionOf names a disk']);
    expect(parts([{ name: 'd', driver: 'brd', partitionOf: 'd', startSect: 8, pages: 2 }])).toContain('device name "d" is used twice');
    expect(() => initialState({ devices: [{ name: 'd', driver: 'dcssblk', pages: 8 }, { name: 'p', driver: 'dcssblk', partitionOf: 'd', startSect: 8, pages: 2 }], fs: { device: 'd', mounted: false } }, { variant: ref, pageSize: 4 })).toThrow(/dcssblk disks have no partitions/);
  });
});
