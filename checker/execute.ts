import type { Action } from '../model/actions.ts';
import { Deadlock, enabled, removeThread, spawn, step, threadOf, waitingFor, type StepHooks } from '../model/kernel/runtime.ts';
import type { Observation, State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import { compare, refStep, type RefState } from '../properties/reference/posix.ts';
import type { System } from './system.ts';

export interface Violation {
  readonly invariant: string;
  readonly message: string;
  /** The atomic step after which it was seen, for step and every-step invariants. */
  readonly at?: string;
}

export interface Counters {
  /** How many times each invariant was evaluated. */
  readonly checks: Map<string, number>;
  readonly actions: Map<string, number>;
  readonly branches: Map<string, number>;
  steps: number;
}

export function newCounters(): Counters {
  return { checks: new Map(), actions: new Map(), branches: new Map(), steps: 0 };
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

export interface GroupResult {
  readonly state: State;
  /** The reference states consistent with everything observed so far (several after a concurrent group). */
  readonly ref: readonly RefState[];
  readonly obs: readonly Observation[];
  /** The scheduling choices actually taken (thread index per step), for replay. */
  readonly schedule: readonly number[];
  readonly violation: Violation | null;
}

/**
 * Run a group of calls as concurrent threads (one call: a plain sequential operation) under
 * `schedule` — at each step the thread `schedule[i] mod (#enabled)` among the enabled ones
 * moves; past the end of the schedule, the lowest enabled thread. Every-step invariants and
 * step properties are checked after every atomic step; between-operation invariants and
 * operation properties when the group has finished. A group of several calls is checked for
 * coherence by linearizability: some order of the calls must explain every observation.
 */
export function runGroup(
  sys: System, s0: State, ref0: readonly RefState[], calls: readonly Action[], schedule: readonly number[],
  invariants: readonly Invariant[], counters?: Counters,
): GroupResult {
  const hooks: StepHooks | undefined = counters && {
    onBranch: (b) => bump(counters.branches, b),
    onStep: () => { counters.steps++; },
  };
  const everyStep = invariants.filter((i) => i.when === 'every-step');
  const stepProps = invariants.filter((i) => i.when === 'step');
  let s = s0;
  const tids: number[] = [];
  try {
    for (const c of calls) {
      counters && bump(counters.actions, c.op);
      const [s2, tid] = spawn(s, c, sys.ctx, sys.program);
      s = s2;
      tids.push(tid);
    }
    const taken: number[] = [];
    for (let i = 0; ; i++) {
      const live = tids.filter((t) => !threadOf(s, t).obs);
      if (!live.length) break;
      const ready = live.filter((t) => enabled(s, t, sys.ctx, sys.program));
      if (!ready.length) {
        throw new Deadlock(live.map((t) => ({ tid: t, lock: waitingFor(s, t, sys.ctx, sys.program), at: threadOf(s, t).at })));
      }
      const pick = i < schedule.length ? schedule[i] % ready.length : 0;
      taken.push(pick);
      const tid = ready[pick];
      const label = `T${tids.indexOf(tid)} ${threadOf(s, tid).at}`;
      const pre = s;
      s = step(s, tid, sys.ctx, sys.program, hooks);
      for (const inv of stepProps) {
        counters && bump(counters.checks, inv.id);
        const m = inv.checkStep!(pre, s, label);
        if (m) return fail(s, ref0, tids, taken, { invariant: inv.id, message: m, at: label });
      }
      for (const inv of everyStep) {
        counters && bump(counters.checks, inv.id);
        const m = inv.check!(s);
        if (m) return fail(s, ref0, tids, taken, { invariant: inv.id, message: m, at: label });
      }
    }
    const obs = tids.map((t) => threadOf(s, t).obs!);
    for (const t of tids) s = removeThread(s, t);
    // between operations
    for (const inv of invariants) {
      if (inv.when !== 'between-operations') continue;
      counters && bump(counters.checks, inv.id);
      const m = inv.check!(s);
      if (m) return { state: s, ref: ref0, obs, schedule: taken, violation: { invariant: inv.id, message: m } };
    }
    // the abstract reference: some order of the calls explains all observations
    const lin = linearize(ref0, calls, s0, s, obs);
    for (const inv of invariants) {
      if (inv.when !== 'operation') continue;
      if (calls.length > 1 && inv.id !== 'coherence') continue; // per-call properties need one call at a time
      counters && bump(counters.checks, inv.id);
      const m = inv.checkOp!({ call: calls[0], pre: s0, post: s, obs: obs[0], ref: lin.ref[0], refMismatch: lin.mismatch });
      if (m) return { state: s, ref: lin.ref, obs, schedule: taken, violation: { invariant: inv.id, message: m } };
    }
    return { state: s, ref: lin.ref, obs, schedule: taken, violation: null };
  } catch (e) {
    if (e instanceof Deadlock) return fail(s, ref0, tids, [], { invariant: 'deadlock', message: e.message });
    throw e;
  }
}

function fail(s: State, ref: readonly RefState[], tids: number[], taken: number[], v: Violation): GroupResult {
  const obs = tids.map((t) => s.threads.find((x) => x.tid === t)?.obs ?? { ret: NaN });
  return { state: s, ref, obs, schedule: taken, violation: v };
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const MAX_CANDIDATES = 8;

/**
 * Linearizability against the sequential reference: every order of the group's calls, from
 * every candidate reference state, that explains all observations is kept as a candidate for
 * what follows (two concurrent stores to one byte leave two possible files until a later load
 * tells them apart). Fails only when no candidate and no order explains what was seen.
 */
function linearize(refs: readonly RefState[], calls: readonly Action[], pre: State, post: State, obs: readonly Observation[]): { ref: readonly RefState[]; mismatch: string | null } {
  const ok: RefState[] = [];
  const seen = new Set<string>();
  let first: { ref: RefState; mismatch: string } | null = null;
  for (const ref0 of refs) {
    for (const order of permutations(calls.map((_, i) => i))) {
      let ref = ref0;
      let mismatch: string | null = null;
      for (const i of order) {
        const r = refStep(ref, calls[i], pre, post, obs[i]);
        const m = compare(r.expect, obs[i]);
        ref = r.next;
        if (m && !mismatch) mismatch = calls.length > 1 ? `T${i} ${m} (no order of the ${calls.length} concurrent calls explains it)` : m;
      }
      if (mismatch) { first ??= { ref, mismatch }; continue; }
      const key = calls.length > 1 || refs.length > 1 ? JSON.stringify(ref) : '';
      if (!seen.has(key) && ok.length < MAX_CANDIDATES) { seen.add(key); ok.push(ref); }
    }
  }
  if (ok.length) return { ref: ok, mismatch: null };
  return { ref: [first!.ref], mismatch: first!.mismatch };
}
