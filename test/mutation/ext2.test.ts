import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import type { Action } from '../../model/actions.ts';
import { ext2_get_blocks_alloc } from '../../model/fs/ext2/inode.ts';
import { ext2_remount } from '../../model/fs/ext2/super.ts';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import type { ConfigInput } from '../../model/config.ts';
import { EXT2_I } from '../../model/fs/ext2/ext2.ts';

/**
 * ext2 behaviours that `npm run mutation` found no test pinning (docs/mutation.md): each was a
 * surviving mutant of model/fs/ext2, and each story here is one the random runs rarely tell.
 * Every step is also judged by every invariant against the reference.
 */
const reference = variantByName('reference')!;
function rets(config: ConfigInput, steps: Action[]): number[] {
  const r = runSteps(makeSystem('ext2', config, reference), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation?.message ?? null).toBeNull();
  return r.steps.map((s) => s.obs[0][0].ret);
}
function dataOf(config: ConfigInput, steps: Action[]): readonly number[] | undefined {
  const r = runSteps(makeSystem('ext2', config, reference), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation?.message ?? null).toBeNull();
  return r.steps.at(-1)!.obs[0][0].data;
}

const xipConfig = { pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }, { name: 'e', driver: 'dcssblk' as const, pages: 2 }], fs: { device: 'd', files: [{ name: 'f', data: [1, 2, 3, 4] }] } };
const diskConfig = { pageSize: 4, devices: [{ name: 'sda', driver: 'disk' as const, pages: 8 }], fs: { device: 'sda', mount: { xip: false, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4] }] } };
const bs8Config = { pageSize: 4, devices: [{ name: 'ram0', driver: 'brd' as const, pages: 8 }], fs: { device: 'ram0', mounted: false, mount: { xip: false, ro: false, blocksize: 8 }, files: [] } };

describe('ext2_writepage (page-cache mount): what writeback wrote is what the disk holds', () => {
  it('a write over a mapped block and one into a new page, fsync, umount, mount: read back from the disk', () => {
    // ext2_writepage: a dirty page over a mapped block is written in place (no allocation, no
    // re-check under truncate_mutex); a page over a hole gets a block first
    const steps: Action[] = [
      { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
      { op: 'store', pid: 0, addr: 0, bytes: [7, 8, 9, 10, 11, 12] },
      { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 6, pos: 1 },
      { op: 'fsync', pid: 0, fd: 0 },
      { op: 'close', pid: 0, fd: 0 },
      { op: 'umount', pid: 0 },
      { op: 'mount', pid: 0, dev: 0, xip: false, ro: false },
      { op: 'open', pid: 0, name: 'f', flags: { read: true } },
      { op: 'pread', pid: 0, fd: 0, buf: 0, len: 8, pos: 0 },
      { op: 'load', pid: 0, addr: 0, len: 7 },
    ];
    expect(dataOf(diskConfig, steps)).toEqual([1, 7, 8, 9, 10, 11, 12]);
  });
});

describe('ext2_remount / do_remount_sb', () => {
  it('rw→ro is -EBUSY while a shared writable mapping holds the file open for write, after its descriptor is closed', () => {
    // sb_prepare_remount_readonly counts the vma's struct file (vm_file) as a writer
    expect(rets(xipConfig, [
      { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
      { op: 'mmap', pid: 0, fd: 0, pages: 1, pgoff: 0, shared: true, read: true, write: true },
      { op: 'close', pid: 0, fd: 0 },
      { op: 'remount', pid: 0, xip: true, ro: true },
    ]).at(-1)).toBe(-16);
  });
  it('a page-cache mount with blocksize != PAGE_SIZE remounts read-only without -EINVAL (only xip needs blocksize == PAGE_SIZE)', () => {
    expect(rets(bs8Config, [
      { op: 'mount', pid: 0, dev: 0, xip: false, ro: false },
      { op: 'remount', pid: 0, xip: false, ro: true },
    ])).toEqual([0, 0]);
  });
  it('a remount that keeps the xip flag takes the remount-ok branch, not remount-xip-change-refused', () => {
    const ctx = { variant: reference, pageSize: 4 };
    const s = initialState(xipConfig, ctx);
    expect(ext2_remount(ctx, s, { xip: true, ro: false, fs: 0 })[2]).toBe('remount-ok');
    expect(ext2_remount(ctx, s, { xip: false, ro: false, fs: 0 })[2]).toBe('remount-xip-change-refused');
  });
});

describe('ext2_fill_super', () => {
  it('mounting a device that holds no ext2 is -EINVAL', () => {
    expect(rets(xipConfig, [{ op: 'umount', pid: 0 }, { op: 'mount', pid: 0, dev: 1, xip: true, ro: false }])).toEqual([0, -22]);
  });
});

describe('ext2_get_blocks: the re-check under truncate_mutex (2.6.30)', () => {
  it('finds the block another caller linked: the same block, nothing allocated, branch raced-mapped', () => {
    const ctx = { variant: reference, pageSize: 4 };
    const s = initialState(xipConfig, ctx);
    const ino = s.dir.f;
    const [s2, got] = ext2_get_blocks_alloc(ctx, s, ino, 0);
    expect(got).toEqual({ block: EXT2_I(s.inodes[ino]!).i_data[0], branch: 'raced-mapped' });
    expect(s2).toBe(s);
  });
});
