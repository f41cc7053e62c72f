import { describe, expect, it } from 'vitest';
import { variantByName } from '../../model/variants.ts';
import type { Action } from '../../model/actions.ts';
import { explore } from './explore.ts';
import { DEFAULT_BOUND, familyConfig, familySetup } from './family.ts';
import { classify, independent } from './sleep.ts';
import { initialState } from '../../model/init.ts';
import type { State } from '../../model/state.ts';

/**
 * The sleep-set reduction (docs/bounds.md): steps classified from the states around them, the
 * independence relation, and the reduction's promise on real scenarios: the same states, the
 * same depth, the same verdict and counterexample length as the full search, with fewer
 * transitions. A deliberately wrong relation (everything independent) breaks the promise,
 * which shows these comparisons can fail.
 */
const v = (n: string) => variantByName(n)!;
const bound = DEFAULT_BOUND;
const spec = (threads: Action[][]) => ({ name: 'T', config: familyConfig(bound), setup: familySetup(bound), threads });
const load = (pid: number, addr: number): Action => ({ op: 'load', pid, addr, len: 1 });
const store = (pid: number, addr: number, b: number): Action => ({ op: 'store', pid, addr, bytes: [b] });
const truncate = (len: number): Action => ({ op: 'ftruncate', pid: 0, fd: 0, len });

describe('classify: what a step did, from the states around it', () => {
  const s0 = initialState(familyConfig(bound) as never, { variant: v('reference'), pageSize: 4 });
  it('nothing but the threads and the thread counter changed: read', () => {
    expect(classify(s0, { ...s0, threads: [], nextTid: s0.nextTid + 1 })).toEqual({ kind: 'read' });
  });
  it('one lock taken or released: lock, named', () => {
    const held: State = { ...s0, locks: { 'mmap_sem:0': { mode: 'excl', holder: 1 } } };
    expect(classify(s0, held)).toEqual({ kind: 'lock', lock: 'mmap_sem:0' });
    expect(classify(held, s0)).toEqual({ kind: 'lock', lock: 'mmap_sem:0' });
  });
  it('two locks, or kernel data, or a lock and kernel data: write', () => {
    expect(classify(s0, { ...s0, locks: { a: { mode: 'excl', holder: 1 }, b: { mode: 'excl', holder: 1 } } })).toEqual({ kind: 'write' });
    expect(classify(s0, { ...s0, sparseSeq: s0.sparseSeq + 1 })).toEqual({ kind: 'write' });
    expect(classify(s0, { ...s0, procs: [...s0.procs], locks: { a: { mode: 'excl', holder: 1 } } })).toEqual({ kind: 'write' });
  });
  it('independent: a read with a read or a lock step; lock steps on different locks; never a write', () => {
    const R = { kind: 'read' } as const, W = { kind: 'write' } as const, A = { kind: 'lock', lock: 'a' } as const, B = { kind: 'lock', lock: 'b' } as const;
    expect([independent(R, R), independent(R, A), independent(A, R), independent(A, B)]).toEqual([true, true, true, true]);
    expect([independent(A, A), independent(W, R), independent(R, W), independent(W, W), independent(A, W)]).toEqual([false, false, false, false, false]);
  });
});

describe('the reduction keeps states, depth, verdict and counterexample length', () => {
  const cases: [string, Action[][], string][] = [
    ['two stores fill one hole', [[store(0, 9, 5)], [store(0, 9, 6)]], 'reference'],
    ['race 2: two stores fill one hole', [[store(0, 9, 5)], [store(0, 9, 6)]], '2.6.26-alloc-race'],
    ['race 1: a private hole fault against a store', [[load(1, 9)], [store(0, 9, 5)]], '2.6.26-sparse-race'],
    ['race 4: a fault against a truncate', [[load(0, 5)], [truncate(0)]], '3.19'],
    ['a fault against a store, and a program of two calls', [[load(1, 9)], [store(0, 9, 5), truncate(4)]], 'reference'],
    // identical threads: states are stored under symmetry, so sleep sets are kept by canonical position
    ['three identical hole faults (symmetry)', [[load(1, 9)], [load(1, 9)], [load(1, 9)]], 'reference'],
    ['race 1 with two identical faulting threads (symmetry)', [[load(1, 9)], [load(1, 9)], [store(0, 9, 5)]], '2.6.26-sparse-race'],
  ];
  for (const [what, threads, variant] of cases) {
    it(`${what} (${variant})`, () => {
      const full = explore(spec(threads), { variant: v(variant), por: false });
      const reduced = explore(spec(threads), { variant: v(variant) });
      expect([reduced.verdict, reduced.violation?.invariant, reduced.violation?.schedule.length]).toEqual([full.verdict, full.violation?.invariant, full.violation?.schedule.length]);
      if (full.verdict === 'exhausted') {
        expect([reduced.states, reduced.depth]).toEqual([full.states, full.depth]);
        // with identical threads a state is often met again under another permutation, whose sleep
        // set names other positions: the scenario is then searched again without the reduction
        if (what.includes('symmetry')) return;
        expect(reduced.porFallback).toBeUndefined();
        expect(reduced.pruned).toBeGreaterThan(0);
        expect(reduced.transitions + reduced.pruned!).toBe(full.transitions);
      }
    });
  }
  it('a wrong relation (every pair independent) loses states: what the comparisons above would catch', () => {
    const threads = [[load(1, 9)], [store(0, 9, 5), truncate(4)]];
    const full = explore(spec(threads), { variant: v('reference'), por: false });
    const wrong = explore(spec(threads), { variant: v('reference'), independence: () => true });
    expect(wrong.states).toBeLessThan(full.states);
    const race = explore(spec([[load(1, 9)], [store(0, 9, 5)]]), { variant: v('2.6.26-sparse-race'), independence: () => true });
    const raceFull = explore(spec([[load(1, 9)], [store(0, 9, 5)]]), { variant: v('2.6.26-sparse-race'), por: false });
    expect([race.verdict, race.violation?.schedule.length]).not.toEqual([raceFull.verdict, raceFull.violation?.schedule.length]);
  });
});
