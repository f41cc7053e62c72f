import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { allocFailureOf, BRD_TABLES_BEFORE_3_16 } from '../../properties/invariants/medium.ts';
import { unexplainedAllocFailure } from '../../properties/reference/borrowed.ts';
import { judge, refStep } from '../../properties/reference/posix.ts';
import { fopsFor } from './direct_access.ts';
import { ENOMEM, ENOSPC } from '../kernel/errno.ts';
import { has } from '../kernel/variant.ts';
import { initialState } from '../init.ts';
import { updateDevice, type Observation } from '../state.ts';
import { VARIANTS, variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';
import { EXT2_SB } from '../fs/ext2/ext2.ts';

/**
 * brd_insert_page's failure is -ENOSPC from 3.16 ("brd: return -ENOSPC rather than -ENOMEM on
 * page allocation failure", 96f8d8e0965b; brd_direct_access and copy_to_brd_setup of the
 * 3.19.8 tree) and -ENOMEM in 2.6.25–3.15. The reference design (3.19) must say ENOSPC, every
 * variant of a kernel before 3.16 ENOMEM, and the reference judge must accept each errno only
 * on its own kernel and only with the medium exhausted.
 */

/** ext2 -o xip on a brd of 6 pages that may back 2: the super block and f's block take both. */
const config = {
  pageSize: 4,
  devices: [{ name: 'ram0', driver: 'brd' as const, pages: 6, maxBackingPages: 2 }],
  fs: { device: 'ram0', mount: { xip: true, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4] }] },
};
const open: Action = { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } };
// page 1 of f: ext2_get_blocks takes a free block from the bitmap, then ext2_clear_xip_target's
// direct_access finds no memory for it
const pwrite: Action = { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 4 };
const probe: Action = { op: 'bdev_direct_access', pid: 0, dev: 0, sector: 5 * 8 };

function run(variant: string, steps: readonly Action[]) {
  const sys = makeSystem('brd-errno', config, variantByName(variant)!);
  return runSteps(sys, steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
}

/** The kernel version a variant's name starts with ('2.6.26-sparse-race' → [2, 6, 26]), if any. */
function versionOf(name: string): number[] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-|$)/.exec(name);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}
const before316 = (v: number[]) => v[0] < 3 || (v[0] === 3 && v[1] < 16);

describe('brd reports its exhausted memory with the errno of its kernel', () => {
  it('the reference design (3.19) returns -ENOSPC from a write and from direct_access; the judge holds', () => {
    const r = run('reference', [open, pwrite, probe]);
    expect(r.violation).toBeNull();
    expect(r.steps[1].obs[0][0].ret).toBe(-ENOSPC);
    expect(r.steps[2].obs[0][0].ret).toBe(-ENOSPC);
    // the bitmap still has free blocks: brd's memory, not ext2's, ran out
    expect(EXT2_SB(r.state.sbs[0]!).bitmap.every(Boolean)).toBe(false);
  });

  it('a kernel before 3.16 (variant 3.2) returns -ENOMEM from both; the judge holds', () => {
    const r = run('3.2', [open, pwrite, probe]);
    expect(r.violation).toBeNull();
    expect(r.steps[1].obs[0][0].ret).toBe(-ENOMEM);
    expect(r.steps[2].obs[0][0].ret).toBe(-ENOMEM);
  });

  it('every variant named after a kernel before 3.16 runs the brd of 2.6.25–3.15, every other one 3.19\'s', () => {
    for (const v of VARIANTS) {
      const version = versionOf(v.name);
      const old = version !== null && before316(version);
      expect(has(v, 'hist-brd-enomem'), v.name).toBe(old);
      expect(BRD_TABLES_BEFORE_3_16.has(fopsFor('brd', v)), v.name).toBe(old);
    }
    expect(versionOf('3.19')).toEqual([3, 19, 0]);
    expect(has(variantByName('3.19')!, 'hist-brd-enomem')).toBe(false);
    expect(has(variantByName('3.2')!, 'hist-brd-enomem')).toBe(true);
  });

  it('the judge rejects the other kernel\'s errno for the same exhaustion', () => {
    for (const [variant, wrong] of [['reference', -ENOMEM], ['3.2', -ENOSPC]] as const) {
      const pre = run(variant, [open]);
      const full = run(variant, [open, pwrite]);
      const obs = full.steps[1].obs[0][0];
      const right = refStep(pre.ref[0], pwrite, pre.state, full.state, obs);
      expect(judge(right.expect, obs), variant).toBeNull();
      const forged: Observation = { ...obs, ret: wrong, ...(obs.status !== undefined ? { status: wrong } : {}) };
      const j = judge(refStep(pre.ref[0], pwrite, pre.state, full.state, forged).expect, forged);
      expect(j?.message, variant).toMatch(variant === 'reference'
        ? /brd's exhausted memory is ENOSPC on this kernel \(3\.16 on, 96f8d8e0965b\), not ENOMEM/
        : /brd's exhausted memory is ENOMEM on this kernel \(2\.6\.25–3\.15\), not ENOSPC, and there are free blocks in the bitmap/);
    }
  });

  it('ENOSPC is explained by a full bitmap in every era, by brd\'s memory only from 3.16; ENOMEM only by brd\'s memory before 3.16', () => {
    const s319 = initialState(config, { variant: variantByName('reference')!, pageSize: 4 });
    const s315 = updateDevice(s319, 0, (d) => ({ ...d, fops: 'brd:enomem' }));
    const dcss = initialState({ ...config, devices: [{ name: 'ram0', driver: 'dcssblk' as const, pages: 6 }] }, { variant: variantByName('reference')!, pageSize: 4 });
    expect(allocFailureOf(s319.devices[0])).toBe(-ENOSPC);
    expect(allocFailureOf(s315.devices[0])).toBe(-ENOMEM);
    // bit 1: no free block; bit 2: no brd backing page
    const ok = (s: typeof s319, errno: number, bits: number) => unexplainedAllocFailure({ ret: errno, mediumFull: bits }, s, errno, [0]) === null;
    const table: [typeof s319, number, number, boolean][] = [
      [s319, -ENOSPC, 0, false], [s319, -ENOSPC, 1, true], [s319, -ENOSPC, 2, true], [s319, -ENOSPC, 3, true],
      [s319, -ENOMEM, 0, false], [s319, -ENOMEM, 1, false], [s319, -ENOMEM, 2, false], [s319, -ENOMEM, 3, false],
      [s315, -ENOSPC, 0, false], [s315, -ENOSPC, 1, true], [s315, -ENOSPC, 2, false], [s315, -ENOSPC, 3, true],
      [s315, -ENOMEM, 0, false], [s315, -ENOMEM, 1, false], [s315, -ENOMEM, 2, true], [s315, -ENOMEM, 3, true],
      [dcss, -ENOSPC, 0, false], [dcss, -ENOSPC, 1, true], [dcss, -ENOMEM, 1, false],
    ];
    for (const [s, errno, bits, want] of table) expect(ok(s, errno, bits), `${s.devices[0].fops} errno ${errno} bits ${bits}`).toBe(want);
  });
});
