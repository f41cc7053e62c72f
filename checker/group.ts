import type { Action } from '../model/actions.ts';
import { enabled, removeThread, spawn, step, threadOf, waitingFor, type StepHooks } from '../model/kernel/runtime.ts';
import { sameKernelData, type Observation, type State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import { judge, refStep, type MismatchKind, type RefState } from '../properties/reference/posix.ts';
import { splitTruncates } from '../properties/reference/truncate-window.ts';
import { exhaustionBits, reportsAllocationFailure } from '../properties/reference/borrowed.ts';
import { noLayoutKey, withoutLayout } from '../properties/invariants/layout.ts';
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
  /**
   * Per thread: whether the medium was exhausted (exhaustionBits: bit 1 no free block, bit 2 no
   * brd backing page; which errno each may explain is the reference's to judge) in any state since its call
   * in flight began — ground truth the reference needs to judge an allocation failure that a
   * concurrent call's truncate has since undone. Attached to the call's observation when it
   * reports one (Observation.mediumFull).
   */
  readonly full: readonly number[];
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
  const b = exhaustionBits(s);
  return { s, pcs: threads.map(() => 0), tids, obs: threads.map(() => []), full: threads.map(() => b) };
}

export interface GroupHooks extends StepHooks {
  onAction?(op: string): void;
  onCheck?(id: string): void;
  /** A per-call invariant left `calls` calls of a concurrent group unjudged. */
  onSkip?(id: string, calls: number): void;
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
export function advance(sys: System, threads: readonly (readonly Action[])[], g: GroupState, i: number, hooks?: GroupHooks): { g: GroupState; label: string; at: string; pre: State; result: unknown } {
  const tid = g.tids[i]!;
  const at = `${threadOf(g.s, tid).at}`;
  const label = `T${i} ${at}`;
  let s = step(g.s, tid, sys.ctx, sys.program, hooks);
  const pre = g.s;
  const t = threadOf(s, tid);
  // what the step handed back to the code (a lock step: nothing), for the story of a trace
  const result = t.results[t.results.length - 1];
  const b = exhaustionBits(s);
  const full = b ? g.full.map((f, j) => (g.tids[j] !== null ? f | b : f)) : g.full;
  if (!t.obs) return { g: { s, pcs: g.pcs, tids: g.tids, obs: g.obs, full }, label, at, pre, result };
  s = removeThread(s, tid);
  const pcs = g.pcs.slice(), tids = g.tids.slice(), obs = g.obs.slice(), full2 = full.slice();
  obs[i] = [...obs[i], reportsAllocationFailure(t.obs) ? { ...t.obs, mediumFull: full[i] } : t.obs];
  pcs[i]++;
  full2[i] = b;
  if (pcs[i] < threads[i].length) {
    hooks?.onAction?.(threads[i][pcs[i]].op);
    const [s2, next] = spawn(s, threads[i][pcs[i]], sys.ctx, sys.program);
    s = s2;
    tids[i] = next;
  } else tids[i] = null;
  return { g: { s, pcs, tids, obs, full: full2 }, label, at, pre, result };
}

/**
 * The invariants to check after a step: step properties, every-step, and (when quiescent)
 * between-operations. `reached`: the state after the step is one a search has met and judged
 * before (an equal canonical key), so only the step properties, which judge the transition,
 * are evaluated: a state invariant's verdict is a function of the state, and the first
 * violation in `invs` order is then a step property's either way. `preJudged`: every
 * invariant of `invs` was evaluated on `pre` (or carried over to it) and held.
 *
 * A step from a judged state that changed no kernel data (a read, a lock or an unlock:
 * model/state.ts sameKernelData) changes no verdict but those of invariants that read the
 * threads: a step property holds on it, and an every-step invariant has the verdict it had on
 * `pre`, null (properties/invariant.ts says why, and a test holds every invariant to it). Those
 * are counted as judged, as they are, but not evaluated again. (`pre` must have been judged for
 * the step properties too: block-ownership, a step property, also rejects a state with a block
 * in two maps, whatever the step.)
 */
export function checkStep(invs: readonly Invariant[], pre: State, g: GroupState, label: string, hooks?: GroupHooks, reached = false, preJudged = false): Violation | null {
  const unchanged = sameKernelData(pre, g.s);
  let noLayout: boolean | undefined;
  for (const inv of invs) {
    if (reached && inv.when !== 'step') continue;
    if (inv.needsLayout && (noLayout ??= !!withoutLayout(g.s)) && (inv.when === 'step' || inv.when === 'every-step' || (inv.when === 'between-operations' && quiescent(g)))) {
      // a file system without a layout view: this invariant cannot be judged here, and says so
      hooks?.onSkip?.(noLayoutKey(inv.id), 1);
      continue;
    }
    if (inv.when === 'step') {
      hooks?.onCheck?.(inv.id);
      if (unchanged && preJudged) continue;
      const m = inv.checkStep!(pre, g.s, label);
      if (m) return { invariant: inv.id, message: m, at: label };
    } else if (inv.when === 'every-step' || (inv.when === 'between-operations' && quiescent(g))) {
      hooks?.onCheck?.(inv.id);
      if (unchanged && preJudged && inv.when === 'every-step' && !inv.readsThreads) continue;
      const m = inv.check!(g.s);
      if (m) return { invariant: inv.id, message: m, at: label };
    }
  }
  return null;
}

export const MAX_CANDIDATES = 8;

/**
 * How many prefixes of a merge there are: the points (i0, i1, …) with 0 ≤ ik ≤ len_k. The
 * merges themselves number (Σ len)! / Π len_k! — 2.7 million for 2 threads of 12 calls, 63
 * million for 4×4 — but linearize walks the prefixes, each with the distinct reference states
 * that reach it, so its work grows with this product instead.
 */
export function prefixCount(lens: readonly number[]): number {
  return lens.reduce((n, l) => n * (l + 1), 1);
}

/** A group whose prefix lattice is larger than this is refused before it runs (trace validation). */
export const MAX_PREFIXES = 10_000;
/** Reference steps linearize may take for one group before it gives up (distinct states blow up). */
export const MAX_REF_STEPS = 250_000;

/** Thrown when a group is too large to judge: bad input, not a violation. */
export class GroupTooLarge extends Error {}

/**
 * Coherence of a finished group against the sequential reference: some order of all calls
 * that keeps each thread's program order (sequential consistency; with one call per thread,
 * linearizability without real-time order) must explain every observation, starting from one
 * of the candidate reference states. Every explaining order's final reference state is kept as
 * a candidate for what follows. The reference reads the bookkeeping (vmas, descriptors) of the
 * state before the group, so explored programs are data operations only.
 *
 * The orders are walked depth-first in the order thread 0 first, and two pruning rules keep
 * the walk small without changing its answer: an order is abandoned at its first unexplained
 * call (it can explain nothing after), and a prefix that reaches a reference state an earlier
 * prefix of the same calls already reached is not walked again (its completions were). So the
 * candidates kept, and the mismatch reported when none explains, are the ones the walk of
 * every order would give.
 */
export function linearize(
  refs: readonly RefState[], calls0: readonly (readonly Action[])[], pre: State, post: State, obs0: readonly (readonly Observation[])[],
): { ref: readonly RefState[]; mismatch: string | null; kind: MismatchKind | null } {
  const ok: RefState[] = [];
  const seen = new Set<string>();
  let first: { ref: RefState; mismatch: string; kind: MismatchKind } | null = null;
  // a concurrent ftruncate is two events: i_size_write, then its unmap (truncate-window.ts)
  const { threads, obs } = splitTruncates(calls0, obs0);
  const many = threads.length > 1 || refs.length > 1;
  const nCalls = calls0.reduce((n, p) => n + p.length, 0);
  const calls = threads.reduce((n, p) => n + p.length, 0);
  const idx = threads.map(() => 0);
  let work = 0;
  const step = (ref: RefState, t: number) => {
    if (++work > MAX_REF_STEPS) throw new GroupTooLarge(`a concurrent group of ${threads.map((p) => p.length).join('+')} calls needs more than ${MAX_REF_STEPS} reference steps to judge (its calls leave too many different file contents depending on their order); split it into smaller groups`);
    const k = idx[t];
    const r = refStep(ref, threads[t][k], pre, post, obs[t][k]);
    return { next: r.next, m: judge(r.expect, obs[t][k]) };
  };
  const mismatchText = (t: number, k: number, m: string) => (threads.length > 1
    ? `T${t} ${threads[t][k].op}: ${m} (no order of the ${nCalls} concurrent calls explains it)` : `${threads[t][k].op}: ${m}`);
  // the rest of the first order, thread 0 first, past its first mismatch (what the full walk carried)
  const finish = (ref: RefState): RefState => {
    const save = idx.slice();
    for (let t = 0; t < threads.length; t++) for (; idx[t] < threads[t].length; idx[t]++) ref = step(ref, t).next;
    idx.splice(0, idx.length, ...save);
    return ref;
  };
  let visited = new Set<string>();
  const walk = (ref: RefState, done: number): void => {
    if (done === calls) {
      const key = many ? JSON.stringify(ref) : '';
      if (!seen.has(key) && ok.length < MAX_CANDIDATES) { seen.add(key); ok.push(ref); }
      return;
    }
    if (many && done >= 2) { // a prefix of fewer than two calls has one path to it
      const at = `${idx.join(',')}|${JSON.stringify(ref)}`;
      if (visited.has(at)) return;
      visited.add(at);
    }
    for (let t = 0; t < threads.length; t++) {
      if (idx[t] >= threads[t].length) continue;
      const { next, m } = step(ref, t);
      if (m) {
        if (!first) { const k = idx[t]; idx[t]++; first = { ref: finish(next), mismatch: mismatchText(t, k, m.message), kind: m.kind }; idx[t]--; }
        continue;
      }
      idx[t]++;
      walk(next, done + 1);
      idx[t]--;
    }
  };
  for (const ref0 of refs) { visited = new Set(); walk(ref0, 0); }
  if (ok.length) return { ref: ok, mismatch: null, kind: null };
  const f = first as { ref: RefState; mismatch: string; kind: MismatchKind } | null;
  return { ref: [f!.ref], mismatch: f!.mismatch, kind: f!.kind };
}

/**
 * Checks when the whole group has finished: coherence (the group against the reference), and
 * each per-call invariant on a call that ran alone. A per-call invariant is not evaluated on a
 * call inside a concurrent group (its pre/post states mix the calls): such calls are counted
 * through `onSkip`, so that the report can say what went unjudged.
 */
export function checkFinished(
  invs: readonly Invariant[], refs: readonly RefState[], threads: readonly (readonly Action[])[], s0: State, g: GroupState, hooks?: GroupHooks,
): { ref: readonly RefState[]; violation: Violation | null } {
  const lin = linearize(refs, threads, s0, g.s, g.obs);
  const lone = threads.length === 1 && threads[0].length === 1;
  for (const inv of invs) {
    if (inv.when !== 'operation') continue;
    if (inv.perCall) {
      const ops = inv.perCall.ops as readonly string[];
      if (!lone) {
        const n = threads.reduce((k, p) => k + p.filter((c) => ops.includes(c.op)).length, 0);
        if (n) hooks?.onSkip?.(inv.id, n);
        continue;
      }
      if (!ops.includes(threads[0][0].op)) continue;
    }
    if (inv.needsLayout && withoutLayout(g.s)) { hooks?.onSkip?.(noLayoutKey(inv.id), 1); continue; }
    hooks?.onCheck?.(inv.id);
    const m = inv.checkOp!({ call: threads[0][0], pre: s0, post: g.s, obs: g.obs[0][0], ref: lin.ref[0], refMismatch: lin.mismatch, refMismatchKind: lin.kind });
    if (m) return { ref: lin.ref, violation: { invariant: inv.id, message: m } };
  }
  return { ref: lin.ref, violation: null };
}
