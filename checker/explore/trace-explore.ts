import type { Variant } from '../../model/kernel/variant.ts';
import type { State } from '../../model/state.ts';
import { variantByName } from '../../model/variants.ts';
import type { Invariant } from '../../properties/invariant.ts';
import type { RefState } from '../../properties/reference/posix.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { advance, blockedOn, checkFinished, checkStep, finished, GroupTooLarge, groupInit, ready, type GroupHooks, type GroupState, type Violation } from '../group.ts';
import { hooksFor, newCounters } from '../execute.ts';
import { finalReads, isConcurrent, runSteps, type ExecutedStep } from '../sequence.ts';
import { makeSystem, type System } from '../system.ts';
import { expectationDiff } from '../replay.ts';
import { TraceError, type ParsedTrace, type TraceStep } from '../trace.ts';
import { quote } from '../quote.ts';
import { canonicalKey, symmetryClasses } from './canon.ts';
import type { SearchCounts, StopReason } from './explore.ts';

/**
 * `xipcheck explore TRACE.json`: every interleaving of a trace's concurrent groups. The steps
 * before the first concurrent group run once, as `run` runs them (the set-up); from there the
 * search is breadth-first over states, as `explore` searches one scenario of its family: each
 * concurrent group's threads are interleaved one atomic step at a time in every order, and a
 * sequential step is a group of one thread. When a group has finished, the reference judges
 * its observations (linearize) and every state it leaves, with the reference states that
 * explain it, enters the next step; after the last step the final observer reads every file.
 * Every invariant is checked after every atomic step, as in `explore`.
 *
 * What the trace pins: the schedules of its groups are ignored (every schedule is tried), and
 * so are the observations it pins inside and after the first concurrent group — another
 * interleaving may legitimately return something else, and the reference judges every call
 * instead. The observations pinned in the set-up are judged: the set-up runs in one schedule,
 * and a set-up that went differently than its author meant (an mmap that failed) would make
 * the exploration vacuous.
 */
export interface TraceExploreOptions {
  /** Default: the trace's own variant. */
  readonly variant?: Variant;
  readonly invariants?: readonly Invariant[];
  readonly maxStates?: number;
  readonly deadline?: number;
  readonly symmetry?: boolean;
  /** Polled with the deadline: a reason to stop now (the heap is nearly full, a signal came). */
  readonly stop?: () => 'memory' | 'signal' | null;
}

export interface TraceExploreViolation extends Violation {
  /** Index of the trace step at which it was seen (steps.length and beyond: the final reads). */
  readonly step: number;
  /** Atomic steps after the set-up, along the shortest path to it. */
  readonly depth: number;
  /** Per trace step, the schedule that reaches it (empty for the set-up and sequential steps). */
  readonly schedules: readonly (readonly number[])[];
  /** The trace's steps replayed under those schedules, up to the violation: the story and the trace file. */
  readonly steps: readonly ExecutedStep[];
  /** Found while running the set-up, before any interleaving. */
  readonly inSetup?: true;
}

/** The counts of SearchCounts; `depth` is the deepest path in atomic steps after the set-up. */
export interface TraceExploreResult extends SearchCounts {
  readonly name: string;
  readonly variant: string;
  /** Steps run once before the first concurrent group. */
  readonly setupSteps: number;
  /** The concurrent groups, by step index, with each thread's number of calls. */
  readonly groups: readonly { readonly step: number; readonly calls: readonly number[] }[];
  /** Pinned observations: judged in the set-up (with any mismatch), ignored after it. */
  readonly pinned: { readonly judged: number; readonly ignored: number; readonly mismatches: readonly string[] };
  /** The trace's `expect` line, and whether what explore found is it ("holds" = exhausted, no violation). */
  readonly expected: string;
  readonly verdictMatches: boolean;
  /** Each step's note in the trace, for the story. */
  readonly notes: readonly (string | null)[];
  readonly violation?: TraceExploreViolation;
}

interface Node {
  /** The trace step whose group `g` runs. */
  readonly i: number;
  readonly g: GroupState;
  /** Which entry (the state and reference candidates the group started from) it belongs to. */
  readonly entry: number;
  readonly parent: number;
  readonly pick: number;
  /** The step whose group the pick was made in (the node itself may have moved on to the next). */
  readonly pickStep: number;
  readonly depth: number;
}

interface Entry { readonly s0: State; readonly refs: readonly RefState[] }

const countExpect = (steps: readonly TraceStep[]) => steps.reduce((n, s) => n + (s.expect?.filter((e) => e !== null).length ?? 0), 0);

/** Where the set-up's observations differ from what the trace pins (as `run` reports them). */
function setupMismatches(steps: readonly TraceStep[], done: readonly ExecutedStep[]): string[] {
  return done.flatMap((s, i) => {
    const e = steps[i]?.expect?.[0];
    const o = s.obs[0]?.[0];
    const m = e ? (o ? expectationDiff(e, o) : 'did not finish') : null;
    return m ? [`step ${i + 1} (${s.threads[0][0].op}): ${m}`] : [];
  });
}

export function exploreTrace(t: ParsedTrace, o: TraceExploreOptions = {}): TraceExploreResult {
  const g = exploreTraceSteps(t, o);
  for (;;) { const r = g.next(); if (r.done) return r.value; }
}

/** The same search, pausing (yielding) every 1024 states it expands, so an async driver can handle signals. */
export function* exploreTraceSteps(t: ParsedTrace, o: TraceExploreOptions = {}): Generator<void, TraceExploreResult, void> {
  const t0 = Date.now();
  const variant = o.variant ?? variantByName(t.variant);
  if (!variant) throw new TraceError(`variant: unknown variant ${quote(t.variant)} (xipcheck variants lists them)`);
  const invariants = o.invariants ?? INVARIANTS;
  const sys: System = makeSystem(t.system ?? t.name, t.config, variant);
  const steps = t.steps;
  const first = steps.findIndex((s) => isConcurrent(s));
  const nSetup = first < 0 ? steps.length : first;
  const setupC = newCounters(), c = newCounters();
  const hooks: GroupHooks | undefined = hooksFor(c);
  const setup = runSteps(sys, steps.slice(0, nSetup), invariants, setupC);
  const mismatches = setupMismatches(steps, setup.steps);
  const groups = steps.flatMap((s, i) => (isConcurrent(s) ? [{ step: i, calls: s.threads.map((p) => p.length) }] : []));
  const pinned = { judged: countExpect(steps.slice(0, nSetup)), ignored: countExpect(steps.slice(nSetup)), mismatches };
  const seen = new Set<string>();
  let transitions = 0, depth = 0;
  const done = (r: { verdict: TraceExploreResult['verdict']; stoppedBy?: StopReason; violation?: TraceExploreViolation }): TraceExploreResult => {
    const branches = new Map(setupC.branches);
    for (const [b, n] of c.branches) branches.set(b, (branches.get(b) ?? 0) + n);
    const got = r.violation ? `violates ${r.violation.invariant}` : r.verdict === 'exhausted' ? 'holds' : 'not exhausted';
    return {
      name: t.name, variant: variant.name, verdict: r.verdict, ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
      setupSteps: nSetup, groups, states: seen.size, transitions, depth, elapsedMs: Date.now() - t0,
      branches: Object.fromEntries(branches), checks: Object.fromEntries(c.checks), skipped: Object.fromEntries(c.skipped),
      pinned, expected: t.expect, verdictMatches: got === t.expect, notes: steps.map((x) => x.note ?? null), ...(r.violation ? { violation: r.violation } : {}),
    };
  };
  if (setup.violation) {
    return done({ verdict: 'violation', violation: { ...setup.violation, message: `in the set-up: ${setup.violation.message}`, depth: 0, schedules: [], steps: setup.steps, inSetup: true } });
  }

  const sym = steps.map((s) => (o.symmetry === false ? null : symmetryClasses(s.threads)));
  const entries: Entry[] = [];
  const entryIds = new Map<string, number>();
  const entryOf = (s0: State, refs: readonly RefState[]): number => {
    // a quiescent state: no thread, no lock held; with the reference states that explain it
    const k = `${canonicalKey({ s: s0, pcs: [], tids: [], obs: [], full: [] }, [], null)}|${JSON.stringify(refs)}`;
    let id = entryIds.get(k);
    if (id === undefined) { id = entries.length; entries.push({ s0, refs }); entryIds.set(k, id); }
    return id;
  };
  const keyOf = (i: number, entry: number, g: GroupState) => `${i}|${entry}|${canonicalKey(g, steps[i].threads, sym[i])}`;
  const nodes: Node[] = [];

  const fail = (at: number, extraPick: number | null, v: Violation): TraceExploreResult => {
    const picks: { step: number; pick: number }[] = [];
    for (let n = nodes[at]; n.parent >= 0; n = nodes[n.parent]) picks.push({ step: n.pickStep, pick: n.pick });
    picks.reverse();
    if (extraPick !== null) picks.push({ step: nodes[at].i, pick: extraPick });
    const schedules = steps.map((_, i) => picks.filter((p) => p.step === i).map((p) => p.pick));
    // replay the schedules through the runner, so the story and the trace come from one code path
    const replay = runSteps(sys, steps.map((s, i) => ({ threads: s.threads, schedule: schedules[i] })), invariants, undefined, { finalReads: true });
    const step = replay.violation?.step ?? steps.length;
    return done({ verdict: 'violation', violation: { ...v, step, depth: picks.length, schedules, steps: replay.steps } });
  };

  /**
   * A group that has finished is judged (linearize, per-call invariants); the state it leaves
   * enters the next step, or, after the last, the final observer reads it. Null: nothing left.
   */
  const settle = (i: number, entry: number, g: GroupState): { next: { i: number; entry: number; g: GroupState } | null; violation: Violation | null } => {
    const e = entries[entry];
    const f = checkFinished(invariants, e.refs, steps[i].threads, e.s0, g, hooks);
    if (f.violation) return { next: null, violation: f.violation };
    if (i + 1 === steps.length) return { next: null, violation: finalReads(sys, g.s, f.ref, invariants).violation };
    const id = entryOf(g.s, f.ref);
    return { next: { i: i + 1, entry: id, g: groupInit(sys, g.s, steps[i + 1].threads, hooks) }, violation: null };
  };
  // a model exception (a BUG_ON the model itself hits) is a violation, as the runner reports it
  const guarded = <T>(f: () => T): T | Violation => {
    try { return f(); } catch (e) {
      if (e instanceof GroupTooLarge) throw e; // the input's size, not the model's fault
      return { invariant: 'model-error', message: e instanceof Error ? e.message : String(e) };
    }
  };
  const isViolation = (x: unknown): x is Violation => typeof x === 'object' && x !== null && 'invariant' in x;

  if (nSetup === steps.length) {
    // no concurrent group: one schedule, and the final observer's reads of where it ends
    seen.add('end');
    const fr = finalReads(sys, setup.state, setup.ref, invariants);
    if (fr.violation) {
      const replay = runSteps(sys, steps, invariants, undefined, { finalReads: true });
      return done({ verdict: 'violation', violation: { ...fr.violation, step: replay.violation?.step ?? steps.length, depth: 0, schedules: steps.map(() => []), steps: replay.steps } });
    }
    return done({ verdict: 'exhausted' });
  }
  const e0 = entryOf(setup.state, setup.ref);
  const g0 = guarded(() => groupInit(sys, setup.state, steps[nSetup].threads, hooks));
  if (isViolation(g0)) return done({ verdict: 'violation', violation: { ...g0, step: nSetup, depth: 0, schedules: steps.map(() => []), steps: setup.steps } });
  nodes.push({ i: nSetup, g: g0, entry: e0, parent: -1, pick: -1, pickStep: -1, depth: 0 });
  seen.add(keyOf(nSetup, e0, g0));

  for (let head = 0; head < nodes.length; head++) {
    const node = nodes[head];
    const r = ready(sys, node.g);
    if (!r.length) return fail(head, null, { invariant: 'deadlock', message: `deadlock: ${blockedOn(sys, node.g)}` });
    for (let k = 0; k < r.length; k++) {
      const a = guarded(() => advance(sys, steps[node.i].threads, node.g, r[k], hooks));
      if (isViolation(a)) return fail(head, k, a);
      transitions++;
      const key = keyOf(node.i, node.entry, a.g);
      const known = seen.has(key);
      const v = checkStep(invariants, a.pre, a.g, a.label, hooks, known, head > 0 || !!setup.judged);
      if (v) return fail(head, k, v);
      if (known) continue;
      seen.add(key);
      depth = Math.max(depth, node.depth + 1);
      let next: { i: number; entry: number; g: GroupState } | null = { i: node.i, entry: node.entry, g: a.g };
      if (finished(a.g)) {
        const st = guarded(() => settle(node.i, node.entry, a.g));
        if (isViolation(st)) return fail(head, k, st);
        if (st.violation) return fail(head, k, st.violation);
        next = st.next;
        // the next step's entry is a state of its own: reached again from another interleaving, it is not searched again
        if (next) {
          const k2 = keyOf(next.i, next.entry, next.g);
          if (seen.has(k2)) next = null;
          else seen.add(k2);
        }
      }
      if (next) nodes.push({ ...next, parent: head, pick: k, pickStep: node.i, depth: node.depth + 1 });
      if (o.maxStates !== undefined && seen.size >= o.maxStates) return done({ verdict: 'limit', stoppedBy: 'states' });
    }
    if ((head & 63) === 0) {
      if (o.deadline !== undefined && Date.now() > o.deadline) return done({ verdict: 'limit', stoppedBy: 'time' });
      const why = o.stop?.();
      if (why) return done({ verdict: 'limit', stoppedBy: why });
      if ((head & 1023) === 0) yield;
    }
  }
  return done({ verdict: 'exhausted' });
}

/** Explore of a trace fails on a violation, a bound not exhausted, and a set-up that went otherwise than pinned. */
export function traceExploreFailed(r: TraceExploreResult): boolean {
  return r.verdict !== 'exhausted' || r.pinned.mismatches.length > 0;
}
