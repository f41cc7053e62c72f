import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { Action } from '../model/actions.ts';
import type { Observation, State } from '../model/state.ts';
import { variantByName } from '../model/variants.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { judge, refStep, type MismatchKind, type RefState } from '../properties/reference/posix.ts';
import { splitTruncates } from '../properties/reference/truncate-window.ts';
import { alphabet, familyConfig, familySetup } from './explore/family.ts';
import { runGroup } from './execute.ts';
import { linearize, MAX_CANDIDATES } from './group.ts';
import { runSteps } from './sequence.ts';
import { makeSystem } from './system.ts';

/** linearize as it was first written: every merge of the threads' calls, walked in full. */
function linearizeByEveryOrder(refs: readonly RefState[], calls0: readonly (readonly Action[])[], pre: State, post: State, obs0: readonly (readonly Observation[])[]) {
  // the events linearize orders: a concurrent ftruncate is two (truncate-window.ts)
  const { threads, obs } = splitTruncates(calls0, obs0);
  const nCalls = calls0.reduce((n, p) => n + p.length, 0);
  const merges = (lens: number[]): [number, number][][] => {
    if (lens.every((l) => l === 0)) return [[]];
    return lens.flatMap((l, t) => (l === 0 ? [] : merges(lens.map((x, u) => (u === t ? x - 1 : x))).map((m) => [[t, threads[t].length - l] as [number, number], ...m])));
  };
  const ok: RefState[] = [];
  const seen = new Set<string>();
  let first: { ref: RefState; mismatch: string; kind: MismatchKind } | null = null;
  const many = threads.length > 1 || refs.length > 1;
  for (const ref0 of refs) {
    for (const order of merges(threads.map((p) => p.length))) {
      let ref = ref0;
      let mismatch: string | null = null;
      let kind: MismatchKind = 'data';
      for (const [t, k] of order) {
        const r = refStep(ref, threads[t][k], pre, post, obs[t][k]);
        const j = judge(r.expect, obs[t][k]);
        const m = j?.message ?? null;
        if (j && !mismatch) kind = j.kind;
        ref = r.next;
        if (m && !mismatch) mismatch = threads.length > 1 ? `T${t} ${threads[t][k].op}: ${m} (no order of the ${nCalls} concurrent calls explains it)` : `${threads[t][k].op}: ${m}`;
      }
      if (mismatch) { first ??= { ref, mismatch, kind }; continue; }
      const key = many ? JSON.stringify(ref) : '';
      if (!seen.has(key) && ok.length < MAX_CANDIDATES) { seen.add(key); ok.push(ref); }
    }
  }
  if (ok.length) return { ref: ok, mismatch: null, kind: null };
  return { ref: [first!.ref], mismatch: first!.mismatch, kind: first!.kind };
}

const bound = { threads: 3, ops: 2, pages: 2 };
const program = (pid: number, tag: number) => fc.array(fc.constantFrom(...alphabet(bound, pid, tag)), { minLength: 1, maxLength: 3 });

// The walk over prefixes (pruned, memoised) must give exactly what walking every order gives:
// the same candidates in the same order, or the same first mismatch. Broken variants supply
// observations no order explains.
test.prop([
  fc.constantFrom('reference', '3.19', '3.2', 'broken-read-skips-data', 'broken-truncate-no-unmap'),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.nat()), { minLength: 2, maxLength: 3 }).chain((ts) => fc.tuple(...ts.map(([pid], i) => program(pid, 5 + i).map((p) => p.map((a) => ({ ...a, pid })) as Action[])))),
  fc.array(fc.nat({ max: 3 }), { maxLength: 80 }),
], { numRuns: 60 })('linearize agrees with the walk of every order', (variant, threads, schedule) => {
  const sys = makeSystem('lin', familyConfig(bound), variantByName(variant)!);
  const setup = runSteps(sys, familySetup(bound).map((a) => ({ threads: [[a]] })), INVARIANTS);
  const g = runGroup(sys, setup.state, setup.ref, threads, schedule, []);
  if (g.obs.some((o, t) => o.length !== threads[t].length)) return; // a deadlock: no finished group to judge
  expect(JSON.stringify(linearize(setup.ref, threads, setup.state, g.state, g.obs))).toBe(JSON.stringify(linearizeByEveryOrder(setup.ref, threads, setup.state, g.state, g.obs)));
});
