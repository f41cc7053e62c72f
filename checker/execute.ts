import type { Action } from '../model/actions.ts';
import type { Observation, State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import type { RefState } from '../properties/reference/posix.ts';
import type { System } from './system.ts';
import { stepEffects, type Effect } from './effects.ts';
import { showValue } from './show-value.ts';
import { advance, blockedOn, checkFinished, checkStep, finished, groupInit, ready, type GroupHooks, type Violation } from './group.ts';

export type { Violation } from './group.ts';

export interface Counters {
  /** How many times each invariant was evaluated (per-call ones: on the calls they judge only). */
  readonly checks: Map<string, number>;
  /** Per-call invariants: calls of the ops they judge that ran inside a concurrent group, unjudged. */
  readonly skipped: Map<string, number>;
  readonly actions: Map<string, number>;
  readonly branches: Map<string, number>;
  steps: number;
  /** Told of every call started and every atomic step taken, by label (scripts/docs.ts's catalogue of steps). */
  observer?: StepObserver;
}

export interface StepObserver {
  onAction?(op: string): void;
  onStep?(label: string): void;
}

export function newCounters(): Counters {
  return { checks: new Map(), skipped: new Map(), actions: new Map(), branches: new Map(), steps: 0 };
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

export function hooksFor(c: Counters | undefined): GroupHooks | undefined {
  return c && {
    onBranch: (b) => bump(c.branches, b),
    onStep: (label) => { c.steps++; c.observer?.onStep?.(label); },
    onAction: (op) => { bump(c.actions, op); c.observer?.onAction?.(op); },
    onCheck: (id) => bump(c.checks, id),
    onSkip: (id, n) => bump(c.skipped, id, n),
  };
}

export interface GroupResult {
  readonly state: State;
  /** The reference states consistent with everything observed so far (several after a concurrent group). */
  readonly ref: readonly RefState[];
  /** Per thread, the observations of its calls, in order. */
  readonly obs: readonly (readonly Observation[])[];
  /** The scheduling choices taken: at each step, the index among the ready threads. */
  readonly schedule: readonly number[];
  /** Which thread took which atomic step, for the story of a counterexample. */
  readonly interleaving: readonly { readonly thread: number; readonly label: string }[];
  readonly violation: Violation | null;
  /** With `detail`: every atomic step, sequential ones too, with what it returned and did. */
  readonly atoms?: readonly AtomicStep[];
  /** Every invariant was judged on `state` and held (checkStep's `preJudged` for what follows). */
  readonly judged?: boolean;
}

/** One atomic step as a story shows it: who took it, in which of its calls, what came back, what changed. */
export interface AtomicStep {
  readonly thread: number;
  /** Index of the call in the thread's program. */
  readonly call: number;
  readonly label: string;
  /** What the step handed back to the code (null: nothing — a lock, an unlock, a pure write). */
  readonly value: string | null;
  readonly effects: readonly Effect[];
}

/**
 * Run threads of calls (one thread of one call: a plain sequential operation) under
 * `schedule`: at step i the thread `schedule[i] mod (#ready)` among the ready ones moves;
 * past the end of the schedule, the first ready thread. Every-step invariants and step
 * properties are checked after every atomic step, between-operation invariants whenever no
 * thread is inside a call, coherence and per-call properties when all threads have finished.
 */
export function runGroup(
  sys: System, s0: State, ref0: readonly RefState[], threads: readonly (readonly Action[])[], schedule: readonly number[],
  invariants: readonly Invariant[], counters?: Counters, detail = false, s0Judged = false,
): GroupResult {
  const hooks = hooksFor(counters);
  let g = groupInit(sys, s0, threads, hooks);
  const taken: number[] = [];
  const inter: { thread: number; label: string }[] = [];
  const atoms: AtomicStep[] | undefined = detail ? [] : undefined;
  const partial = (v: Violation): GroupResult => ({ state: g.s, ref: ref0, obs: g.obs, schedule: taken, interleaving: inter, violation: v, atoms });
  for (let i = 0; !finished(g); i++) {
    const r = ready(sys, g);
    if (!r.length) return partial({ invariant: 'deadlock', message: `deadlock: ${blockedOn(sys, g)}` });
    const pick = i < schedule.length ? schedule[i] % r.length : 0;
    taken.push(pick);
    const call = g.pcs[r[pick]];
    const a = advance(sys, threads, g, r[pick], hooks);
    g = a.g;
    const label = a.at;
    inter.push({ thread: r[pick], label });
    atoms?.push({ thread: r[pick], call, label, value: showValue(a.result), effects: stepEffects(a.pre, g.s) });
    const v = checkStep(invariants, a.pre, g, a.label, hooks, false, i > 0 || s0Judged);
    if (v) return partial(v);
  }
  const f = checkFinished(invariants, ref0, threads, s0, g, hooks);
  return { state: g.s, ref: f.ref, obs: g.obs, schedule: taken, interleaving: inter, violation: f.violation, atoms, judged: taken.length > 0 || s0Judged };
}
