import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { blockOwnership } from '../../properties/invariants/block-ownership.ts';
import { variantByName } from '../variants.ts';
import { Config, type ConfigInput } from '../config.ts';
import { initialState } from '../init.ts';
import type { Action } from '../actions.ts';
import type { State } from '../state.ts';
import { withIData } from '../fs/ext2/ext2.ts';

/**
 * Two file systems mounted at once (mount_bdev per device, one super block each): ext2 -o xip on
 * a dcssblk segment at the root, ext2 on a plain disk at mnt1 (xip dropped: no direct_access).
 * Every step is judged by every invariant and the POSIX reference (runSteps).
 */
const config: ConfigInput = {
  pageSize: 4,
  devices: [{ name: 'seg', driver: 'dcssblk', pages: 6 }, { name: 'sda', driver: 'disk', pages: 5 }],
  fs: [
    { device: 'seg', files: [{ name: 'f', data: [1, 2, 3, 4, 5] }] },
    { device: 'sda', files: [{ name: 'f', data: [9, 8, 7] }], maxFilePages: 3 },
  ],
};
const reference = variantByName('reference')!;

function run(steps: Action[], cfg: ConfigInput = config, variant = reference, invariants = INVARIANTS) {
  return runSteps(makeSystem('two-mounts', cfg, variant), steps.map((a) => ({ threads: [[a]] })), invariants);
}
function obs(steps: Action[]) {
  const r = run(steps);
  expect(r.violation, r.violation?.message).toBeNull();
  return r.steps.map((s) => s.obs[0][0]);
}
const rets = (steps: Action[]) => obs(steps).map((o) => o.ret);
const open = (name: string, flags: Extract<Action, { op: 'open' }>['flags'] = { read: true }): Action => ({ op: 'open', pid: 0, name, flags });

describe('two mounted file systems', () => {
  it('start mounted, each with its own super block on its own device, its files its own', () => {
    const s = initialState(config, { variant: reference, pageSize: 4 });
    expect(s.sbs.map((sb) => sb && [sb.dev, sb.xip])).toEqual([[0, true], [1, false]]);
    expect(Object.entries(s.dir)).toEqual([['f', 1], ['mnt1/f', 2]]);
    expect(s.inodes.slice(1).map((i) => [i!.fs, i!.aops])).toEqual([[0, 'ext2_aops_xip'], [1, 'ext2_aops']]);
    // bd_openers: one per mount
    expect(s.devices.map((d) => d.openers)).toEqual([1, 1]);
  });

  it('a name resolves below its mount point only: a file created on mnt1 is not on the root', () => {
    const o = obs([
      open('mnt1/g', { read: true, write: true, creat: true }), { op: 'write', pid: 0, fd: 0, buf: 0, len: 3 },
      open('g'), open('mnt1/g'), open('mnt2/g'), open('mnt1/f'), { op: 'pread', pid: 0, fd: 2, buf: 0, len: 8, pos: 0 },
    ]);
    expect(o.map((x) => x.ret)).toEqual([0, 3, -2, 1, -2, 2, 3]);
    expect(o[6].data).toEqual([9, 8, 7]);
  });

  it('statfs answers per mount point: its device\'s size, its own free blocks and options', () => {
    const o = obs([{ op: 'statfs', pid: 0 }, { op: 'statfs', pid: 0, mnt: 1 }, { op: 'statfs', pid: 0, mnt: 2 }]);
    expect(o[0].statfs).toEqual({ blocks: 5, bfree: 3, ro: false, xip: true });
    expect(o[1].statfs).toEqual({ blocks: 4, bfree: 3, ro: false, xip: false });
    expect(o[2].ret).toBe(-2);
  });

  it('umount of one leaves the other mounted and usable; mounting its device again brings its files back', () => {
    expect(rets([
      { op: 'umount', pid: 0, mnt: 1 }, open('mnt1/f'), { op: 'statfs', pid: 0, mnt: 1 }, open('f'), { op: 'statfs', pid: 0 },
      { op: 'mount', pid: 0, dev: 1, xip: false, ro: true }, open('mnt1/f'),
    ])).toEqual([0, -2, -2, 0, 0, 0, 1]);
  });

  it('umount and remount ro are busy only with their own files', () => {
    expect(rets([
      open('mnt1/f', { write: true }), { op: 'remount', pid: 0, xip: true, ro: true }, { op: 'remount', pid: 0, mnt: 1, xip: true, ro: true },
      { op: 'umount', pid: 0, mnt: 1 }, { op: 'umount', pid: 0 },
    ])).toEqual([0, 0, -16, -16, 0]);
  });

  it('a mount of a device already mounted is -EBUSY; a remount changes only its own mount', () => {
    const r = run([{ op: 'mount', pid: 0, dev: 1, xip: false, ro: false }, { op: 'remount', pid: 0, mnt: 1, xip: false, ro: true }, open('f', { write: true }), open('mnt1/f', { write: true })]);
    expect(r.violation).toBeNull();
    expect(r.steps.map((s) => s.obs[0][0].ret)).toEqual([-16, 0, 0, -30]);
  });

  it('s_maxbytes is the file system\'s own: -EFBIG past 3 pages on mnt1, not on the root', () => {
    expect(rets([
      open('f', { write: true }), open('mnt1/f', { write: true }),
      { op: 'ftruncate', pid: 0, fd: 0, len: 16 }, { op: 'ftruncate', pid: 0, fd: 1, len: 16 },
    ])).toEqual([0, 1, 0, -27]);
  });

  it('writeback allocates from the inode\'s own bitmap: the root\'s free count does not move', () => {
    const o = obs([
      open('mnt1/f', { read: true, write: true }), { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 2, pos: 5 }, { op: 'fsync', pid: 0, fd: 0 },
      { op: 'statfs', pid: 0 }, { op: 'statfs', pid: 0, mnt: 1 },
    ]);
    expect(o[2].ret).toBe(0);
    expect([o[3].statfs!.bfree, o[4].statfs!.bfree]).toEqual([3, 2]);
  });

  it('the config refuses two file systems on one device, two at one mount point, and "at" on the root', () => {
    const two = (a: object, b: object) => Config.safeParse({ ...config, fs: [{ device: 'seg', ...a }, { device: 'sda', ...b }] });
    expect(Config.safeParse({ ...config, fs: [{ device: 'seg' }, { device: 'seg' }] }).error?.issues[0].message).toMatch(/two file systems on device "seg"/);
    const three = Config.safeParse({ ...config, devices: [...config.devices, { name: 'ram', driver: 'brd', pages: 4 }], fs: [{ device: 'seg' }, { device: 'sda', at: 'x' }, { device: 'ram', at: 'x' }] });
    expect(three.error?.issues[0].message).toMatch(/two file systems mounted at "x"/);
    expect(two({ at: 'top' }, {}).error?.issues[0].message).toMatch(/mounted at the root: it takes no "at"/);
    expect(two({}, { files: [{ name: 'a/b' }] }).error?.issues[0].message).toMatch(/a file name has no "\/"/);
    expect(two({}, { at: '..' }).error?.issues[0].message).toMatch(/not \. or \.\./);
    expect(two({ files: [{ name: 'mnt1' }] }, {}).error?.issues[0].message).toBe('"mnt1" is a mount point: the root\'s files need other names');
    // one object stays one object: the parsed config serializes as before
    expect(Config.parse({ ...config, fs: { device: 'seg' } }).fs).not.toBeInstanceOf(Array);
  });
});

describe('a cross-mount defect is caught', () => {
  // writeback of a page of mnt1/f (a hole on the disk) allocates a block: the mutant takes its
  // number from the root's bitmap, and links it into the file on the disk
  const steps: Action[] = [open('mnt1/f', { read: true, write: true }), { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 2, pos: 5 }, { op: 'fsync', pid: 0, fd: 0 }];
  it('mutant-alloc-first-sb (ext2_new_blocks from the root\'s bitmap for a file on mnt1): block-ownership, at the allocating step', () => {
    expect(run(steps).violation).toBeNull();
    const r = run(steps, config, variantByName('mutant-alloc-first-sb')!);
    expect([r.violation?.invariant, r.violation?.step, r.violation?.message]).toEqual(['block-ownership', 2, 'block 3 was marked used but linked into no file, although the medium could back it (ext2_clear_xip_target cannot have failed)']);
  });
  it('block-ownership judges each bitmap against its own file system\'s inodes only', () => {
    const s: State = initialState(config, { variant: reference, pageSize: 4 });
    expect(blockOwnership.checkStep!(s, s, 'x')).toBeNull();
    // the root's file claims a block the disk's bitmap holds: a block of mount 0 marked free there
    const moved: State = { ...s, inodes: s.inodes.map((i) => (i && i.fs === 0 ? withIData(i, [3, 4]) : i)) };
    expect(blockOwnership.checkStep!(s, moved, 'x')).toMatch(/which the bitmap of mount 0 says is free/);
  });
});

