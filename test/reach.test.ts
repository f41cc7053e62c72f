import { describe, expect, it } from 'vitest';
import type { Action } from '../model/actions.ts';
import { variantByName } from '../model/variants.ts';
import { REFERENCE_SUITE } from '../properties/suites/reference.ts';
import { runSteps } from '../checker/sequence.ts';
import { makeSystem } from '../checker/system.ts';
import { measureReach, PAIRS, ReachTracker } from '../bench/reach.ts';

/** `npm run reach` counts what it claims: each pair is seen in a run built to contain it, and not in one without. */
const sys = makeSystem('dcssblk', REFERENCE_SUITE[0].config, variantByName('reference')!);
const setup: Action[] = [
  { op: 'open', pid: 0, name: 'f1', flags: { read: true, write: true, creat: true } },
  { op: 'open', pid: 1, name: 'f1', flags: { read: true, write: true } },
  { op: 'ftruncate', pid: 0, fd: 0, len: 12 },
  { op: 'mmap', pid: 0, fd: 0, pages: 3, pgoff: 0, shared: true, read: true, write: true }, // at 0x8
  { op: 'mmap', pid: 1, fd: 0, pages: 3, pgoff: 0, shared: false, read: true, write: false }, // at 0x8
];
function reached(steps: { threads: Action[][] }[]) {
  const t = new ReachTracker();
  runSteps(sys, steps, [], undefined, { onStep: (pre, st, post) => t.step(pre, st, post) });
  return t.reached;
}
const one = (a: Action) => ({ threads: [[a]] });

describe('npm run reach: the pair detector', () => {
  it('a private fault and an allocating store on one hole at different offsets, concurrently: three pairs, in one group', () => {
    const r = reached([...setup.map(one), { threads: [[{ op: 'load', pid: 1, addr: 13, len: 1 }], [{ op: 'store', pid: 0, addr: 14, bytes: [5] }]] }]);
    expect(r['hole-faults']).toEqual({ seq: true, par: true });
    expect(r['alloc-then-read'].par).toBe(true);
    expect(r['sparse-then-alloc']).toEqual({ seq: true, par: true });
    expect(r['fault-vs-truncate'].seq).toBe(false);
    expect(r['alloc-vs-alloc'].par).toBe(false); // one of the two only reads
  });
  it('two allocating accesses to one hole, concurrently: race 2\'s pair', () => {
    const r = reached([...setup.map(one), { threads: [[{ op: 'store', pid: 0, addr: 13, bytes: [5] }], [{ op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 6 }]] }]);
    expect(r['alloc-vs-alloc']).toEqual({ seq: true, par: true });
  });
  it('the same calls one after the other count as reached, not as concurrent', () => {
    const r = reached([...setup.map(one), one({ op: 'load', pid: 1, addr: 13, len: 1 }), one({ op: 'store', pid: 0, addr: 14, bytes: [5] }), one({ op: 'pread', pid: 0, fd: 0, buf: 0, len: 1, pos: 5 })]);
    for (const p of ['hole-faults', 'alloc-then-read', 'sparse-then-alloc'] as const) expect(r[p], p).toEqual({ seq: true, par: false });
  });
  it('a fault against a truncate that removes its page', () => {
    const r = reached([...setup.map(one), one({ op: 'store', pid: 0, addr: 12, bytes: [5] }), { threads: [[{ op: 'load', pid: 0, addr: 12, len: 1 }], [{ op: 'ftruncate', pid: 0, fd: 0, len: 4 }]] }]);
    expect(r['fault-vs-truncate']).toEqual({ seq: true, par: true });
  });
  it('a run without any of them reaches none', () => {
    const r = reached([one({ op: 'open', pid: 0, name: 'f0', flags: { read: true } }), one({ op: 'pread', pid: 0, fd: 0, buf: 0, len: 4, pos: 0 })]);
    for (const p of PAIRS) expect(r[p], p).toEqual({ seq: false, par: false });
  });
  it('measures check\'s own runs (a small sample)', () => {
    const m = measureReach(30, 1, REFERENCE_SUITE.slice(0, 1));
    expect(m.systems[0].pairs['hole-faults'].seq).toBeGreaterThan(0);
    for (const p of PAIRS) expect(m.total[p].par).toBeLessThanOrEqual(m.total[p].seq);
  });
});
