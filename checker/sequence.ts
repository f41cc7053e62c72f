import type { Action } from '../model/actions.ts';
import type { Observation, State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import { refInit, type RefState } from '../properties/reference/posix.ts';
import { resolve, type Cmd } from '../properties/arbitraries.ts';
import { runGroup, type Counters, type Violation } from './execute.ts';
import { initOf, type System } from './system.ts';

/** One executed step of a run: the concrete call(s), the schedule of a concurrent group, what was seen. */
export interface ExecutedStep {
  readonly calls: readonly Action[];
  readonly schedule?: readonly number[];
  readonly obs: readonly Observation[];
}

export interface SequenceResult {
  readonly steps: readonly ExecutedStep[];
  readonly violation: (Violation & { readonly step: number }) | null;
  readonly state: State;
  readonly ref: readonly RefState[];
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
    let calls: Action[];
    let schedule: readonly number[] = [];
    if (cmd.sym.k === 'par') {
      const a = resolve(s, cmd.sym.a.pid, cmd.sym.a.sym), b = resolve(s, cmd.sym.b.pid, cmd.sym.b.sym);
      if (!a || !b) continue;
      calls = [a, b];
      schedule = cmd.sym.schedule;
    } else {
      const a = resolve(s, cmd.pid, cmd.sym);
      if (!a) continue;
      calls = [a];
    }
    const r = safeGroup(sys, s, ref, calls, schedule, invariants, counters);
    steps.push({ calls, ...(calls.length > 1 ? { schedule: r.schedule } : {}), obs: r.obs });
    if (r.violation) return { steps, violation: { ...r.violation, step: steps.length - 1 }, state: r.state, ref: r.ref };
    s = r.state;
    ref = r.ref;
  }
  return { steps, violation: null, state: s, ref };
}

/** Replay concrete steps (a trace file's). */
export function runSteps(sys: System, steps: readonly { calls: readonly Action[]; schedule?: readonly number[] }[], invariants: readonly Invariant[], counters?: Counters): SequenceResult {
  let s = initOf(sys);
  let ref: readonly RefState[] = [refInit(s)];
  const out: ExecutedStep[] = [];
  for (const st of steps) {
    const r = safeGroup(sys, s, ref, st.calls, st.schedule ?? [], invariants, counters);
    out.push({ calls: st.calls, ...(st.calls.length > 1 ? { schedule: r.schedule } : {}), obs: r.obs });
    if (r.violation) return { steps: out, violation: { ...r.violation, step: out.length - 1 }, state: r.state, ref: r.ref };
    s = r.state;
    ref = r.ref;
  }
  return { steps: out, violation: null, state: s, ref };
}

function safeGroup(sys: System, s: State, ref: readonly RefState[], calls: readonly Action[], schedule: readonly number[], invariants: readonly Invariant[], counters?: Counters) {
  try {
    return runGroup(sys, s, ref, calls, schedule, invariants, counters);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { state: s, ref, obs: calls.map(() => ({ ret: NaN })), schedule: [], violation: { invariant: 'model-error', message } };
  }
}
