import { describe, expect, it } from 'vitest';
import { check } from '../../checker/check.ts';
import { program } from '../../model/actions.ts';
import { initialState } from '../../model/init.ts';
import { runCall } from '../../model/kernel/runtime.ts';
import type { Call, Observation, State } from '../../model/state.ts';
import { setAt, updateInode } from '../../model/state.ts';
import { variantByName } from '../../model/variants.ts';
import { blockOwnership } from './block-ownership.ts';
import { EXT2_I, EXT2_SB, withBitmap, withIData } from '../../model/fs/ext2/ext2.ts';

const reference = variantByName('reference')!;
const ctx = { variant: reference, pageSize: 4 };

/** ext2 -o xip on a brd disk of 6 pages that may back only 4: block 0 and f's two blocks are backed. */
const config = {
  pageSize: 4,
  devices: [{ name: 'ram', driver: 'brd' as const, pages: 6, maxBackingPages: 4 }],
  fs: { device: 'ram', files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8], holes: [] }] },
};

/** Run calls one after another, checking block-ownership on every atomic step. */
function runChecked(calls: readonly Call[], s0 = initialState(config, ctx)): { s: State; obs: Observation[] } {
  let s = s0;
  const obs: Observation[] = [];
  for (const call of calls) {
    let prev = s;
    const r = runCall(s, call, ctx, program, undefined, (next, label) => {
      expect(blockOwnership.checkStep!(prev, next, label), `${call.op} at ${label}`).toBeNull();
      prev = next;
    });
    s = r.state;
    obs.push(r.obs);
  }
  return { s, obs };
}

const open = (name: string): Call => ({ op: 'open', pid: 0, name, flags: { read: true, write: true, creat: true } });

describe('block-ownership: every block in one map or in the free pool', () => {
  it('holds through allocation, truncate, and an unlinked file that stays open until its last close', () => {
    const { s } = runChecked([
      open('g'),
      { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 4 }, // a hole at pgoff 0, a block at pgoff 1
      { op: 'unlink', pid: 0, name: 'g' },
    ]);
    // unlinked but open: the inode still owns its block
    const g = s.inodes.find((i) => i && i.nlink === 0)!;
    const gb = EXT2_I(g).i_data;
    expect(gb.filter((b) => b)).toHaveLength(1);
    expect(EXT2_SB(s.sbs[0]!).bitmap[gb[1]]).toBe(true);
    const after = runChecked([{ op: 'close', pid: 0, fd: 0 }], s).s;
    expect(after.inodes[g.ino]).toBeNull();
    expect(EXT2_SB(after.sbs[0]!).bitmap[gb[1]]).toBe(false);
  });

  it('allows the kernel\'s own leak: ext2_clear_xip_target fails when brd cannot back the new block', () => {
    const { s, obs } = runChecked([open('g'), { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 0 }, { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 4 }]);
    // block 3 was backed and zeroed; block 4 has no memory left: -ENOSPC, the block stays marked used and unlinked
    expect(obs[2].ret).toBeLessThan(0);
    expect(EXT2_SB(s.sbs[0]!).bitmap.slice(0, 5)).toEqual([true, true, true, true, true]);
    expect(s.inodes.some((i) => i && EXT2_I(i).i_data.includes(4))).toBe(false);
  });

  it('flags a block marked used and linked nowhere when the medium could have backed it', () => {
    const s = initialState(config, ctx);
    const leaked = { ...s, sbs: [withBitmap(s.sbs[0]!, setAt(EXT2_SB(s.sbs[0]!).bitmap, 3, true))] };
    expect(blockOwnership.checkStep!(s, leaked, 'x')).toBe('block 3 was marked used but linked into no file, although the medium could back it (ext2_clear_xip_target cannot have failed)');
  });

  it('flags a mapped block the bitmap calls free, a block in two maps, and a map entry past the file system', () => {
    const s = initialState(config, ctx);
    const f = s.dir.f;
    const b = EXT2_I(s.inodes[f]!).i_data[0];
    expect(blockOwnership.checkStep!(s, { ...s, sbs: [withBitmap(s.sbs[0]!, setAt(EXT2_SB(s.sbs[0]!).bitmap, b, false))] }, 'x')).toBe(`inode ${f} pgoff 0 maps block ${b}, which the bitmap says is free`);
    expect(blockOwnership.checkStep!(s, updateInode(s, f, (i) => withIData(i, [b, b])), 'x')).toBe(`block ${b} is in two block maps: inode ${f} pgoff 0 and inode ${f} pgoff 1`);
    expect(blockOwnership.checkStep!(s, updateInode(s, f, (i) => withIData(i, [b, 6])), 'x')).toBe(`inode ${f} pgoff 1 maps block 6, outside the file system (6 blocks)`);
    expect(blockOwnership.checkStep!(s, { ...s, sbs: [withBitmap(s.sbs[0]!, setAt(EXT2_SB(s.sbs[0]!).bitmap, 0, false))] }, 'x')).toBe('block 0 (the super block) is marked free in the bitmap');
  });

  it('broken-alloc-ignores-bitmap (a block handed out twice) is caught, the reference is not', () => {
    const r = check({ seed: 7, runs: 300, variant: variantByName('broken-alloc-ignores-bitmap')!, invariants: [blockOwnership] });
    expect(r.counterexample?.invariant).toBe('block-ownership');
    expect(r.counterexample?.message).toMatch(/^block \d+ is in two block maps/);
    expect(check({ seed: 7, runs: 300, variant: reference, invariants: [blockOwnership] }).counterexample).toBeNull();
  });

  it('broken-free-keeps-bitmap (truncate leaves the bits set) is caught', () => {
    const r = check({ seed: 7, runs: 300, variant: variantByName('broken-free-keeps-bitmap')!, invariants: [blockOwnership] });
    expect(r.counterexample?.invariant).toBe('block-ownership');
    expect(r.counterexample?.message).toMatch(/^block \d+ went from inode \d+ pgoff \d+ to leaked in one step: unlinked but still marked used$/);
  });
});
