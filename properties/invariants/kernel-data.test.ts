import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../registry.ts';
import type { Invariant } from '../invariant.ts';
import type { State } from '../../model/state.ts';
import { SCHEDULING_FIELDS, sameKernelData, withState } from '../../model/state.ts';
import { initialState } from '../../model/init.ts';
import { VARIANTS, variantByName } from '../../model/variants.ts';
import { explore } from '../../checker/explore/explore.ts';
import { DEFAULT_BOUND, familyAll } from '../../checker/explore/family.ts';

/**
 * What an invariant may read (properties/invariant.ts): a state invariant, the kernel data
 * only, unless it declares `readsThreads`; a step property, the kernel data before and after
 * and the label, and it holds on a step that changed no kernel data. checker/group.ts checkStep leans on both to skip evaluations after reads, locks
 * and unlocks, so every registered invariant is held to them here, on every state of a sample of
 * the explore family's scenarios under the reference and under every broken variant (which
 * reach the states their invariant rejects).
 */

/**
 * The same kernel data, with the scheduler's fields unreadable: the threads and the lock table
 * throw when anything is read from them (copying the reference, as a state's copy does, reads
 * nothing), and the thread counter is another number.
 */
function poisoned(s: State): State {
  const trap = (what: string) => new Proxy(what === 'threads' ? [] : {}, {
    get(_t, k) { throw new Error(`reads ${what}${typeof k === 'string' ? `.${k}` : ''}`); },
    has() { throw new Error(`reads ${what}`); },
    ownKeys() { throw new Error(`reads ${what}`); },
    getOwnPropertyDescriptor() { throw new Error(`reads ${what}`); },
  });
  return withState(s, { threads: trap('threads') as unknown as State['threads'], locks: trap('locks') as unknown as State['locks'], nextTid: s.nextTid + 1000 });
}

/** The same kernel data, other scheduling: no thread, no lock, another thread counter. */
function rescheduled(s: State): State {
  return withState(s, { threads: [], locks: {}, nextTid: s.nextTid + 7 });
}

/** Why the state invariant `inv` depends on more than the kernel data of `s` without saying so, or null. */
function readsMore(inv: Invariant, s: State): string | null {
  if (!inv.check || inv.readsThreads) return null;
  let v: string | null;
  try { v = inv.check(poisoned(s)); } catch (e) { return `${inv.id} ${(e as Error).message}`; }
  const w = inv.check(s);
  return v === w ? null : `${inv.id} judges the same kernel data otherwise (${v} vs ${w})`;
}

/** Why the step property `inv` judges the step `pre` → `post` by more than its kernel data and label, or null. */
function stepReadsMore(inv: Invariant, pre: State, post: State, label: string): string | null {
  if (!inv.checkStep) return null;
  let v: string | null;
  try { v = inv.checkStep(poisoned(pre), poisoned(post), label); } catch (e) { return `${inv.id} ${(e as Error).message}`; }
  const w = inv.checkStep(pre, post, label);
  return v === w ? null : `${inv.id} judges the same step otherwise (${v} vs ${w})`;
}

/** Why the step property `inv` fails a step from `s` that changed no kernel data, or null. */
function failsUnchanged(inv: Invariant, s: State): string | null {
  if (!inv.checkStep) return null;
  for (const label of ['T0 lock(i_mutex:1)', 'T1 discard_from_brd', 'T0 xip_file_read']) {
    const m = inv.checkStep(s, rescheduled(s), label) ?? inv.checkStep(rescheduled(s), s, label);
    if (m) return `${inv.id} fails a step that changed no kernel data: ${m}`;
  }
  return null;
}

/**
 * States reached by the first scenarios of each system of the default bound under `variant`.
 * `judged`: only states on which every invariant held (the spy is judged last, and the search
 * stops at a violation); otherwise every state, no invariant stopping the search.
 */
function sampleStates(variant: string, perSystem: number, judged: boolean, steps?: [State, State, string][]): State[] {
  const states: State[] = [];
  const spy: Invariant = { id: 'spy', title: '', why: '', source: '', when: 'every-step', brokenBy: '', readsThreads: true, check: (s) => { states.push(s); return null; } };
  // the steps that changed kernel data (the others are failsUnchanged's), every one before the search stops
  const stepSpy: Invariant = { id: 'step-spy', title: '', why: '', source: '', when: 'step', brokenBy: '', checkStep: (pre, post, label) => { steps?.push([pre, post, label]); return null; } };
  const bySystem = new Map<string, number>();
  for (const sc of familyAll(DEFAULT_BOUND)) {
    if (sc.excluded) continue;
    const n = bySystem.get(sc.system) ?? 0;
    if (n >= perSystem) continue;
    bySystem.set(sc.system, n + 1);
    explore(sc, { variant: variantByName(variant)!, invariants: judged ? [...INVARIANTS, spy] : [stepSpy, spy] });
  }
  return states;
}

describe('invariants read what properties/invariant.ts says they read', () => {
  const variants = ['reference', ...VARIANTS.filter((v) => v.name.startsWith('broken-')).map((v) => v.name)];
  for (const variant of variants) {
    it(`every invariant on the states of ${variant}`, () => {
      const bad = new Set<string>();
      // state invariants on every state reached, violating ones included
      const steps: [State, State, string][] = [];
      const all = sampleStates(variant, variant === 'reference' ? 40 : 6, false, steps);
      expect(all.length).toBeGreaterThan(100);
      expect(steps.length).toBeGreaterThan(100);
      for (const s of all) for (const inv of INVARIANTS) { const m = readsMore(inv, s); if (m) bad.add(m); }
      // step properties on every step that changed kernel data, violating ones included
      for (const [pre, post, label] of steps) for (const inv of INVARIANTS) { const m = stepReadsMore(inv, pre, post, label); if (m) bad.add(m); }
      // step properties from every state every invariant held on (checkStep's `preJudged`)
      const judged = variant === 'reference' ? all : sampleStates(variant, 6, true);
      for (const s of judged) for (const inv of INVARIANTS) { const m = failsUnchanged(inv, s); if (m) bad.add(m); }
      expect([...bad]).toEqual([]);
    });
  }

  it('the rule can fail: an invariant reading the threads or the locks without saying so, a step property failing an unchanged step', () => {
    const s = sampleStates('reference', 1, false).at(-1)!;
    const readsThreads: Invariant = { id: 'threads-count', title: '', why: '', source: '', when: 'every-step', brokenBy: '', check: (x) => (x.threads.length > 9 ? 'many' : null) };
    expect(readsMore(readsThreads, s)).toMatch(/threads-count reads threads/);
    expect(readsMore({ ...readsThreads, readsThreads: true }, s)).toBeNull();
    const readsLocks: Invariant = { ...readsThreads, id: 'locks-held', check: (x) => (Object.keys(x.locks).length > 9 ? 'many' : null) };
    expect(readsMore(readsLocks, s)).toMatch(/locks-held reads locks/);
    const readsTid: Invariant = { ...readsThreads, id: 'tid', check: (x) => (x.nextTid > 500 ? 'late' : null) };
    expect(readsMore(readsTid, s)).toMatch(/tid judges the same kernel data otherwise/);
    const stepReadsLocks: Invariant = { id: 'lock-step', title: '', why: '', source: '', when: 'step', brokenBy: '', checkStep: (a, b) => (Object.keys(a.locks).length > Object.keys(b.locks).length + 9 ? 'dropped' : null) };
    expect(stepReadsMore(stepReadsLocks, s, s, 'T0 x')).toMatch(/lock-step reads locks/);
    const noisy: Invariant = { id: 'noisy', title: '', why: '', source: '', when: 'step', brokenBy: '', checkStep: (_a, _b, label) => (label.includes('lock') ? 'a lock step' : null) };
    expect(failsUnchanged(noisy, s)).toMatch(/noisy fails a step that changed no kernel data/);
  });

  it('the kernel data sameKernelData compares is every field of a State but the scheduler\'s', () => {
    const v = variantByName('reference')!;
    const s = initialState({ devices: [{ name: 'd', driver: 'dcssblk', pages: 8 }], fs: { device: 'd', files: [] } }, { variant: v, pageSize: 4 });
    for (const k of Object.keys(s) as (keyof State)[]) {
      const other = { ...s, [k]: Array.isArray(s[k]) ? [...(s[k] as unknown[])] : typeof s[k] === 'object' ? { ...(s[k] as object) } : (s[k] as number) + 1 } as State;
      expect(sameKernelData(s, other), k).toBe((SCHEDULING_FIELDS as readonly string[]).includes(k));
    }
  });
});
