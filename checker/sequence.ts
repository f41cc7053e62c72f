import type { Action } from '../model/actions.ts';
import type { Observation, State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import { refInit, type RefState } from '../properties/reference/posix.ts';
import { resolve, type Cmd } from '../properties/arbitraries.ts';
import { GroupTooLarge } from './group.ts';
import { runGroup, type Counters, type GroupResult, type Violation } from './execute.ts';
import { initOf, type System } from './system.ts';

/**
 * One executed step of a run: one call, or several threads of calls run concurrently under a
 * schedule, with what each call returned and (for a concurrent step) who took which atomic step.
 */
export interface ExecutedStep {
  readonly threads: readonly (readonly Action[])[];
  readonly schedule?: readonly number[];
  readonly obs: readonly (readonly Observation[])[];
  readonly interleaving?: readonly { readonly thread: number; readonly label: string }[];
}

export interface SequenceResult {
  readonly steps: readonly ExecutedStep[];
  readonly violation: (Violation & { readonly step: number }) | null;
  readonly state: State;
  readonly ref: readonly RefState[];
}

export function isConcurrent(s: { threads: readonly (readonly Action[])[] }): boolean {
  return s.threads.length > 1 || s.threads[0].length > 1;
}

function executed(threads: readonly (readonly Action[])[], r: GroupResult): ExecutedStep {
  return isConcurrent({ threads }) ? { threads, schedule: r.schedule, obs: r.obs, interleaving: r.interleaving } : { threads, obs: r.obs };
}

/**
 * Execute a symbolic command sequence on a fresh system, checking every invariant, stopping at
 * the first violation. A model exception (a BUG_ON the model itself hits) is reported as the
 * violation `model-error`, so that it is shrunk and replayed like any other.
 */
export function runCommands(sys: System, cmds: readonly Cmd[], invariants: readonly Invariant[], counters?: Counters): SequenceResult {
  let s = initOf(sys);
  let ref: readonly RefState[] = [refInit(s)];
  const steps: ExecutedStep[] = [];
  for (const cmd of cmds.flatMap((x) => (x.sym.k === 'seq' ? x.sym.cmds : [x]))) {
    let threads: Action[][];
    let schedule: readonly number[] = [];
    if (cmd.sym.k === 'par') {
      const a = resolve(s, cmd.sym.a.pid, cmd.sym.a.sym), b = resolve(s, cmd.sym.b.pid, cmd.sym.b.sym);
      if (!a || !b) continue;
      threads = [[a], [b]];
      schedule = cmd.sym.schedule;
    } else {
      const a = resolve(s, cmd.pid, cmd.sym);
      if (!a) continue;
      threads = [[a]];
    }
    const r = safeGroup(sys, s, ref, threads, schedule, invariants, counters);
    steps.push(executed(threads, r));
    if (r.violation) return { steps, violation: { ...r.violation, step: steps.length - 1 }, state: r.state, ref: r.ref };
    s = r.state;
    ref = r.ref;
  }
  return { steps, violation: null, state: s, ref };
}

/** Replay concrete steps (a trace file's). */
export function runSteps(sys: System, steps: readonly { threads: readonly (readonly Action[])[]; schedule?: readonly number[] }[], invariants: readonly Invariant[], counters?: Counters): SequenceResult {
  let s = initOf(sys);
  let ref: readonly RefState[] = [refInit(s)];
  const out: ExecutedStep[] = [];
  for (const st of steps) {
    const r = safeGroup(sys, s, ref, st.threads, st.schedule ?? [], invariants, counters);
    out.push(executed(st.threads, r));
    if (r.violation) return { steps: out, violation: { ...r.violation, step: out.length - 1 }, state: r.state, ref: r.ref };
    s = r.state;
    ref = r.ref;
  }
  return { steps: out, violation: null, state: s, ref };
}

function safeGroup(sys: System, s: State, ref: readonly RefState[], threads: readonly (readonly Action[])[], schedule: readonly number[], invariants: readonly Invariant[], counters?: Counters): GroupResult {
  try {
    return runGroup(sys, s, ref, threads, schedule, invariants, counters);
  } catch (e) {
    if (e instanceof GroupTooLarge) throw e; // the input's size, not the model's fault
    const message = e instanceof Error ? e.message : String(e);
    return { state: s, ref, obs: threads.map(() => []), schedule: [], interleaving: [], violation: { invariant: 'model-error', message } };
  }
}
