import type { Observation } from '../model/state.ts';
import type { Counterexample } from './check.ts';
import type { FamilyReport } from './explore/family-run.ts';
import type { ExecutedStep } from './sequence.ts';
import { TRACE_SCHEMA, type ParsedTrace } from './trace.ts';
import type { TraceExploreReport } from './explore/trace-explore-run.ts';
import { FINAL_NOTE } from './sequence.ts';

export function stepsOf(steps: readonly ExecutedStep[]): object[] {
  return steps.map((s, i) => (s.threads.length === 1 && s.threads[0].length === 1
    ? { ...s.threads[0][0], ...(s.obs[0]?.[0] ? { expect: obsExpect(s.obs[0][0]) } : {}), ...(s.observer && !steps[i - 1]?.observer ? { note: FINAL_NOTE } : {}) }
    : {
        par: s.threads.map((p) => (p.length === 1 ? p[0] : p)),
        schedule: s.schedule ?? [],
        expect: s.threads.flatMap((p, t) => p.map((_, k) => (s.obs[t]?.[k] ? obsExpect(s.obs[t][k]) : null))),
      }));
}

/** A `check` counterexample as a trace file: replayable with `xipcheck run`, readable as a story. */
export function counterexampleTrace(c: Counterexample): object {
  return {
    schema: TRACE_SCHEMA,
    name: `${c.system}-${c.invariant}-seed${c.seed}`,
    question: `Found by xipcheck check: ${c.message}`,
    expect: `violates ${c.invariant}`,
    variant: c.variant,
    system: c.system,
    config: c.config,
    found: { by: 'check', seed: c.seed, path: c.path, invariant: c.invariant, message: c.message, ...(c.at ? { at: c.at } : {}), step: c.failedStep },
    steps: stepsOf(c.steps),
  };
}

/** An `explore` counterexample (the shortest over the bound) as a trace file. */
export function exploreTrace(r: FamilyReport): object {
  const c = r.counterexample!;
  return {
    schema: TRACE_SCHEMA,
    name: `explore-${r.variant}-${c.invariant}`,
    question: `Found by xipcheck explore (bound ${r.bound.threads} threads × ${r.bound.ops} ops × ${r.bound.pages} pages): ${c.message}`,
    expect: `violates ${c.invariant}`,
    variant: r.variant,
    config: c.config,
    found: { by: 'explore', bound: r.bound, scenario: c.scenario, depth: c.depth, invariant: c.invariant, message: c.message, ...(c.at ? { at: c.at } : {}), step: c.steps.length - 1 },
    steps: stepsOf(c.steps),
  };
}

function obsExpect(o: Observation): object | null {
  if (Number.isNaN(o.ret)) return null;
  return { ret: o.ret, ...(o.data ? { data: o.data } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(o.stat ? { stat: o.stat } : {}), ...(o.statfs ? { statfs: o.statfs } : {}) };
}

/**
 * The shortest counterexample of `explore TRACE.json` as a trace file: the scenario's config,
 * question and cites, its steps with the schedules that reach the violation and what each
 * call returned there (replayable with `xipcheck run`).
 */
export function traceExploreTrace(t: ParsedTrace, r: TraceExploreReport): object {
  const v = r.violation!;
  return {
    schema: TRACE_SCHEMA,
    name: `${t.name}-explore-${v.invariant}`,
    question: `Found by xipcheck explore ${t.name}: ${v.message}${t.question ? ` (the scenario asks: ${t.question})` : ''}`,
    expect: `violates ${v.invariant}`,
    cites: t.cites,
    variant: r.variant,
    ...(t.system ? { system: t.system } : {}),
    config: t.config,
    found: { by: 'explore', scenario: t.name, depth: v.depth, invariant: v.invariant, message: v.message, ...(v.at ? { at: v.at } : {}), step: v.step },
    // the scenario's own notes stay with its steps (the final reads have theirs)
    steps: stepsOf(v.steps).map((s, i) => (t.steps[i]?.note && !v.steps[i].observer ? { ...s, note: t.steps[i].note } : s)),
  };
}
