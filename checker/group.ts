import type { Action } from '../model/actions.ts';
import { enabled, removeThread, spawn, step, threadOf, waitingFor, type StepHooks } from '../model/kernel/runtime.ts';
import type { Observation, State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import { compare, refStep, type RefState } from '../properties/reference/posix.ts';
import { splitTruncates } from '../properties/reference/truncate-window.ts';
import type { System } from './system.ts';

/**
 * A group of threads, each running a program of calls in order, interleaved one atomic step at
 * a time. Pure data, so the random runner and the exhaustive explorer share it: the runner
 * follows one schedule, the explorer branches on every ready thread.
 */
export interface GroupState {
  readonly s: State;
  /** Per thread: index of the call in flight (== program length when finished). */
  readonly pcs: readonly number[];
  /** Per thread: the kernel thread running its current call. */
  readonly tids: readonly (number | null)[];
  /** Per thread: observations of its finished calls. */
  readonly obs: readonly (readonly Observation[])[];
}

export interface Violation {
  readonly invariant: string;
  readonly message: string;
  /** The atomic step after which it was seen. */
  readonly at?: string;
}

/** Enter every thread's first call (spawning takes no step). */
export function groupInit(sys: System, s0: State, threads: readonly (readonly Action[])[], hooks?: GroupHooks): GroupState {
  let s = s0;
  const tids: (number | null)[] = [];
  for (const prog of threads) {
    if (!prog.length) { tids.push(null); continue; }
    hooks?.onAction?.(prog[0].op);
    const [s2, tid] = spawn(s, prog[0], sys.ctx, sys.program);
    s = s2;
    tids.push(tid);
  }
  return { s, pcs: threads.map(() => 0), tids, obs: threads.map(() => []) };
}

export interface GroupHooks extends StepHooks {
  onAction?(op: string): void;
  onCheck?(id: string): void;
}

/** Threads that can take a step now, by index. */
export function ready(sys: System, g: GroupState): number[] {
  const out: number[] = [];
  g.tids.forEach((t, i) => { if (t !== null && enabled(g.s, t, sys.ctx, sys.program)) out.push(i); });
  return out;
}

export function finished(g: GroupState): boolean {
  return g.tids.every((t) => t === null);
}

/** No thread is inside a call (each is done or has not taken the first step of its next one). */
export function quiescent(g: GroupState): boolean {
  return g.tids.every((t) => t === null || threadOf(g.s, t).results.length === 0);
}

export function blockedOn(sys: System, g: GroupState): string {
  return g.tids.flatMap((t, i) => (t === null ? [] : [`T${i} at ${threadOf(g.s, t).at} waits for ${waitingFor(g.s, t, sys.ctx, sys.program)}`])).join('; ');
}

/** Thread `i` takes one atomic step; a finished call hands over to the thread's next call. */
export function advance(sys: System, threads: readonly (readonly Action[])[], g: GroupState, i: number, hooks?: GroupHooks): { g: GroupState; label: string; pre: State } {
  const tid = g.tids[i]!;
  const label = `T${i} ${threadOf(g.s, tid).at}`;
  let s = step(g.s, tid, sys.ctx, sys.program, hooks);
  const pre = g.s;
  const t = threadOf(s, tid);
  if (!t.obs) return { g: { ...g, s }, label, pre };
  s = removeThread(s, tid);
  const pcs = g.pcs.slice(), tids = g.tids.slice(), obs = g.obs.slice();
  obs[i] = [...obs[i], t.obs];
  pcs[i]++;
  if (pcs[i] < threads[i].length) {
    hooks?.onAction?.(threads[i][pcs[i]].op);
    const [s2, next] = spawn(s, threads[i][pcs[i]], sys.ctx, sys.program);
    s = s2;
    tids[i] = next;
  } else tids[i] = null;
  return { g: { s, pcs, tids, obs }, label, pre };
}

/** The invariants to check after a step: step properties, every-step, and (when quiescent) between-operations. */
export function checkStep(invs: readonly Invariant[], pre: State, g: GroupState, label: string, hooks?: GroupHooks): Violation | null {
  for (const inv of invs) {
    if (inv.when === 'step') {
      hooks?.onCheck?.(inv.id);
      const m = inv.checkStep!(pre, g.s, label);
      if (m) return { invariant: inv.id, message: m, at: label };
    } else if (inv.when === 'every-step' || (inv.when === 'between-operations' && quiescent(g))) {
      hooks?.onCheck?.(inv.id);
      const m = inv.check!(g.s);
      if (m) return { invariant: inv.id, message: m, at: label };
    }
  }
  return null;
}

export const MAX_CANDIDATES = 8;

/** Every interleaving of the threads' calls that keeps each thread's own order. */
function* merges(lens: readonly number[]): Generator<[number, number][]> {
  const total = lens.reduce((a, b) => a + b, 0);
  const idx = lens.map(() => 0);
  const out: [number, number][] = [];
  function* rec(): Generator<[number, number][]> {
    if (out.length === total) { yield out.slice(); return; }
    for (let t = 0; t < lens.length; t++) {
      if (idx[t] < lens[t]) {
        out.push([t, idx[t]++]);
        yield* rec();
        idx[t]--;
        out.pop();
      }
    }
  }
  yield* rec();
}

/**
 * Coherence of a finished group against the sequential reference: some order of all calls
 * that keeps each thread's program order (sequential consistency; with one call per thread,
 * linearizability without real-time order) must explain every observation, starting from one
 * of the candidate reference states. Every explaining order's final reference state is kept as
 * a candidate for what follows. The reference reads the bookkeeping (vmas, descriptors) of the
 * state before the group, so explored programs are data operations only.
 */
export function linearize(
  refs: readonly RefState[], threads: readonly (readonly Action[])[], pre: State, post: State, obs: readonly (readonly Observation[])[],
): { ref: readonly RefState[]; mismatch: string | null } {
  const ok: RefState[] = [];
  const seen = new Set<string>();
  let first: { ref: RefState; mismatch: string } | null = null;
  const many = threads.length > 1 || refs.length > 1;
  const calls = threads.reduce((n, p) => n + p.length, 0);
  // a concurrent ftruncate is two events: i_size_write, then its unmap (truncate-window.ts)
  const ev = splitTruncates(threads, obs);
  for (const ref0 of refs) {
    for (const order of merges(ev.threads.map((p) => p.length))) {
      let ref = ref0;
      let mismatch: string | null = null;
      for (const [t, k] of order) {
        const r = refStep(ref, ev.threads[t][k], pre, post, ev.obs[t][k]);
        const m = compare(r.expect, ev.obs[t][k]);
        ref = r.next;
        if (m && !mismatch) mismatch = threads.length > 1 ? `T${t} ${ev.threads[t][k].op}: ${m} (no order of the ${calls} concurrent calls explains it)` : `${ev.threads[t][k].op}: ${m}`;
      }
      if (mismatch) { first ??= { ref, mismatch }; continue; }
      const key = many ? JSON.stringify(ref) : '';
      if (!seen.has(key) && ok.length < MAX_CANDIDATES) { seen.add(key); ok.push(ref); }
    }
  }
  if (ok.length) return { ref: ok, mismatch: null };
  return { ref: [first!.ref], mismatch: first!.mismatch };
}

/** Checks when the whole group has finished: coherence, and per-call properties of a lone call. */
export function checkFinished(
  invs: readonly Invariant[], refs: readonly RefState[], threads: readonly (readonly Action[])[], s0: State, g: GroupState, hooks?: GroupHooks,
): { ref: readonly RefState[]; violation: Violation | null } {
  const lin = linearize(refs, threads, s0, g.s, g.obs);
  const lone = threads.length === 1 && threads[0].length === 1;
  for (const inv of invs) {
    if (inv.when !== 'operation') continue;
    if (!lone && inv.id !== 'coherence') continue; // per-call properties need one call at a time
    hooks?.onCheck?.(inv.id);
    const m = inv.checkOp!({ call: threads[0][0], pre: s0, post: g.s, obs: g.obs[0][0], ref: lin.ref[0], refMismatch: lin.mismatch });
    if (m) return { ref: lin.ref, violation: { invariant: inv.id, message: m } };
  }
  return { ref: lin.ref, violation: null };
}
