import type { Action } from '../../model/actions.ts';
import type { Variant } from '../../model/kernel/variant.ts';
import type { ConfigInput } from '../../model/config.ts';
import type { Invariant } from '../../properties/invariant.ts';
import type { RefState } from '../../properties/reference/posix.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { tablesGeneration } from '../../model/kernel/generation.ts';
import { finalReads, runSteps, violationOfError, type ExecutedStep, type SequenceResult } from '../sequence.ts';
import { hooksFor, newCounters, type Counters } from '../execute.ts';
import { makeSystem, type System } from '../system.ts';
import { advance, blockedOn, checkFinished, checkStep, finished, groupInit, GroupTooLarge, ready, type GroupState, type Violation } from '../group.ts';
import { canonicalFingerprint, canonicalKey, symmetryClasses } from './canon.ts';
import { ExactVisited, FingerprintVisited } from './visited.ts';
import { classify, independent, type StepClass } from './sleep.ts';

/** One exploration problem: a machine, a set-up run first, and the threads to interleave. */
export interface ExploreSpec {
  readonly name: string;
  readonly config: ConfigInput;
  /** Calls run one after another before the threads start (opens, mmaps, first writes). */
  readonly setup: readonly Action[];
  /** Each thread's program of calls, run in order. */
  readonly threads: readonly (readonly Action[])[];
}

export interface ExploreOptions {
  readonly variant: Variant;
  readonly invariants?: readonly Invariant[];
  /** Stop after this many distinct states (the bound is then NOT exhausted). */
  readonly maxStates?: number;
  readonly deadline?: number;
  /** Identify states that differ only by a permutation of identical threads. */
  readonly symmetry?: boolean;
  /** Replace the model's programs (tests drive the explorer with toy systems). */
  readonly program?: System['program'];
  /** Polled with the deadline: a reason to stop now (the heap is nearly full, a signal came). */
  readonly stop?: () => 'memory' | 'signal' | null;
  /** Keep every state's canonical key rather than its 64-bit fingerprint (checker/explore/visited.ts). */
  readonly exactKeys?: boolean;
  /** Partial-order reduction by sleep sets (checker/explore/sleep.ts); on unless false. */
  readonly por?: boolean;
  /** Tests only: another independence relation, to show that a wrong one is caught. */
  readonly independence?: (x: StepClass, y: StepClass) => boolean;
}

/** Why an exploration stopped before it was exhausted. */
export type StopReason = 'states' | 'time' | 'memory' | 'signal';

/** What any exhaustive search reports of itself (a family scenario's, a trace's). */
export interface SearchCounts {
  readonly verdict: 'violation' | 'exhausted' | 'limit';
  readonly stoppedBy?: StopReason;
  /** Distinct states stored (after symmetry), transitions taken, deepest level reached. */
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
  /** Kernel branches reached, the set-up included (each counted once per transition that took it). */
  readonly branches: Readonly<Record<string, number>>;
  /** In the interleavings: evaluations per invariant, and calls per-call invariants left unjudged. */
  readonly checks: Readonly<Record<string, number>>;
  readonly skipped: Readonly<Record<string, number>>;
  /** With the reduction: transitions it did not take (each reaches a state an equivalent interleaving reaches). */
  readonly pruned?: number;
  /** The reduction was abandoned for this search and the search run again without it (see explore). */
  readonly porFallback?: true;
}

export interface ExploreResult extends SearchCounts {
  readonly name: string;
  readonly violation?: Violation & {
    /** The shortest schedule to it: at each atomic step, the index among the ready threads. */
    readonly schedule: readonly number[];
    /** The set-up steps and the concurrent step, as a trace replays them. */
    readonly steps: readonly ExecutedStep[];
  };
}

interface Node {
  /** Dropped once the node is expanded: a path back needs only parent and pick. */
  g: GroupState | null;
  readonly parent: number;
  readonly pick: number;
  readonly depth: number;
  /**
   * Sleep set, one number a sleeper (its step's class id × 8 + its canonical thread position: a
   * few bytes a state), and this node's canonical order (position → thread; absent: identity).
   */
  sleep?: readonly number[];
  order?: readonly number[];
}

function pathOf(nodes: readonly Node[], i: number): number[] {
  const out: number[] = [];
  for (let n = nodes[i]; n.parent >= 0; n = nodes[n.parent]) out.push(n.pick);
  return out.reverse();
}

interface SetUp {
  readonly sys: System;
  readonly setup: SequenceResult;
  readonly setupBranches: ReadonlyMap<string, number>;
  /** The final reads' verdicts so far, by the exact text of the final state and reference (see finalVerdict). */
  readonly finals: Map<string, Violation | null>;
}
/** At most this many final states' verdicts are kept per set-up (about 3 KB of text each at the family's bounds: 12 MB). */
const FINALS_MAX = 4096;

/** The last few set-ups run, by what determines them: their machine, calls, design, invariants and programs. */
const setUps = new Map<string, SetUp & { readonly variant: Variant; readonly invariants: readonly Invariant[]; readonly program?: System['program'] }>();

/**
 * Drops the set-ups kept (and the final reads judged under them): the next search boots its
 * machine and reads its final states afresh, as the first search of a process does. For
 * measurements that repeat a search in one process (bench/bench.ts), which would otherwise time
 * the repeats with every final state's verdict already kept.
 */
export function forgetSetUps(): void {
  setUps.clear();
}

/**
 * The machine booted and the set-up run, as every scenario of one system of a family shares
 * them: run once and reused, since a run is a function of what the key holds (the states it
 * returns are immutable). A search counts the set-up's branches in its own report all the same.
 */
function setUp(spec: ExploreSpec, variant: Variant, invariants: readonly Invariant[], program: System['program'] | undefined): SetUp {
  // the tables' generation: a plug-in installed or removed since makes it another machine
  const key = JSON.stringify([tablesGeneration(), spec.config, spec.setup]);
  const hit = setUps.get(key);
  if (hit && hit.variant === variant && hit.invariants === invariants && hit.program === program) return hit;
  const base = makeSystem(spec.name, spec.config, variant);
  const sys: System = program ? { ...base, program } : base;
  const setupC = newCounters();
  const setup = runSteps(sys, spec.setup.map((a) => ({ threads: [[a]] })), invariants, setupC);
  const made = { sys, setup, setupBranches: setupC.branches, finals: new Map(), variant, invariants, program };
  if (setUps.size >= 4) setUps.delete(setUps.keys().next().value!);
  setUps.set(key, made);
  return made;
}

/**
 * Breadth-first search over every interleaving of the threads' atomic steps, with each
 * distinct state visited once. Invariants are checked on every new state (step properties on
 * every transition; between-operation invariants where no thread is inside a call; coherence
 * against the reference when all threads have finished). BFS checks successors level by level,
 * so the first violation found is one of the shortest. Without a violation the answer is
 * either "exhausted" (every reachable state visited) or "limit" (stopped: NOT exhausted).
 */
export function explore(spec: ExploreSpec, o: ExploreOptions): ExploreResult {
  const g = exploreSteps(spec, o);
  for (;;) { const r = g.next(); if (r.done) return r.value; }
}

/**
 * The same search, pausing (yielding) every 1024 states it expands, so that an async driver
 * can give the event loop a turn: a long scenario must not keep signals from being handled.
 */
export function* exploreSteps(spec: ExploreSpec, o: ExploreOptions): Generator<void, ExploreResult, void> {
  const t0 = Date.now();
  const invariants = o.invariants ?? INVARIANTS;
  const { sys: base, setup, setupBranches, finals } = setUp(spec, o.variant, invariants, o.program);
  const sys: System = { ...base, name: spec.name };
  const c: Counters = newCounters();
  const hooks = hooksFor(c);
  const counts = () => {
    const branches = new Map(setupBranches);
    for (const [b, n] of c.branches) branches.set(b, (branches.get(b) ?? 0) + n);
    return { branches: Object.fromEntries(branches), checks: Object.fromEntries(c.checks), skipped: Object.fromEntries(c.skipped) };
  };
  const done = (r: Omit<ExploreResult, 'name' | 'elapsedMs' | 'branches' | 'checks' | 'skipped'>): ExploreResult => ({ name: spec.name, elapsedMs: Date.now() - t0, ...counts(), ...r });
  if (setup.violation) {
    return done({ verdict: 'violation', states: 0, transitions: 0, depth: 0, violation: { ...setup.violation, message: `in the set-up: ${setup.violation.message}`, schedule: [], steps: setup.steps } });
  }
  const threads = spec.threads;
  const sym = o.symmetry === false ? null : symmetryClasses(threads);
  const s0 = setup.state;
  const g0 = groupInit(sys, s0, threads, hooks);
  const indep = o.independence ?? independent;
  // a sleeper keeps its thread's position in 3 bits (Node.sleep): more threads than 8, which no
  // command asks for (at most 4), are searched without the reduction rather than mis-keyed
  if (o.por !== false && threads.length <= 8) {
    const r = yield* search(true);
    if (r !== 'perturbed') return r;
    // a state met again, after its expansion, by a path that would wake one of its sleepers
    // (docs/bounds.md): searched again without the reduction rather than out of breadth-first order
    c.branches.clear(); c.checks.clear(); c.skipped.clear(); c.steps = 0;
  }
  const plain = (yield* search(false)) as ExploreResult;
  return o.por !== false ? { ...plain, porFallback: true } : plain;

  /**
   * The final reads of a final state, judged once per set-up: they are a function of the model's
   * state, the reference's and the system (a search counts nothing of them), and the scenarios
   * of one system end in the same final states again and again: at the default bound fewer than
   * half of the reference's final states are new to their set-up. Keyed by the exact text, so
   * that no fingerprint collision can skip a final state's reads.
   */
  function finalVerdict(s: GroupState['s'], ref: readonly RefState[]): Violation | null {
    const key = JSON.stringify([s, ref]);
    const hit = finals.get(key);
    if (hit !== undefined) return hit;
    const v = finalReads(sys, s, ref, invariants).violation;
    if (finals.size >= FINALS_MAX) finals.clear();
    finals.set(key, v);
    return v;
  }

  function* search(por: boolean): Generator<void, ExploreResult | 'perturbed', void> {
    const nodes: Node[] = [{ g: g0, parent: -1, pick: -1, depth: 0 }];
    // every state seen, with its node index (sleep sets compare a state's sleepers when it is met again)
    const exact = o.exactKeys ? new ExactVisited() : null, prints = exact ? null : new FingerprintVisited();
    const lookup = (g: GroupState, v: number, order?: number[]): number =>
      (exact ? exact.addOrGet(canonicalKey(g, threads, sym, order), v) : prints!.addOrGet(...canonicalFingerprint(g, threads, sym, order), v));
    const size = () => (exact ?? prints!).size;
    lookup(g0, 0);
    let transitions = 0, depth = 0, pruned = 0;
    // step classes interned, so that a sleeper is one small integer
    const classIds = new Map<string, number>(), classById: StepClass[] = [];
    const idOf = (c: StepClass): number => {
      const key = c.kind === 'lock' ? `lock:${c.lock}` : c.kind;
      let id = classIds.get(key);
      if (id === undefined) { id = classById.length; classIds.set(key, id); classById.push(c); }
      return id;
    };
    const fail = (at: number, extraPick: number | null, v: Violation): ExploreResult => {
      const schedule = [...pathOf(nodes, at), ...(extraPick === null ? [] : [extraPick])];
      // replay the schedule through the runner, so the story and the trace come from one code path
      const replay = runSteps(sys, [...spec.setup.map((a) => ({ threads: [[a]] })), { threads, schedule }], invariants, undefined, { finalReads: !o.program });
      return done({ verdict: 'violation', states: size(), transitions, depth: schedule.length, ...(por ? { pruned } : {}), violation: { ...v, schedule, steps: replay.steps } });
    };
    const stopped = (stoppedBy: StopReason): ExploreResult => done({ verdict: 'limit', stoppedBy, states: size(), transitions, depth, ...(por ? { pruned } : {}) });
    for (let head = 0; head < nodes.length; head++) {
      if (head) nodes[head - 1].g = null;
      const node = nodes[head] as Node & { g: GroupState };
      depth = Math.max(depth, node.depth);
      const r = ready(sys, node.g);
      if (!r.length) {
        if (!finished(node.g)) return fail(head, null, { invariant: 'deadlock', message: `deadlock: ${blockedOn(sys, node.g)}` });
        let f: ReturnType<typeof checkFinished>, fr: Violation | null;
        try {
          f = checkFinished(invariants, setup.ref, threads, s0, node.g, hooks);
          // the final observer reads the model's files: a toy program (tests) has none
          fr = f.violation || o.program ? null : finalVerdict(node.g.s, f.ref);
        } catch (e) {
          if (e instanceof GroupTooLarge) throw e;
          return fail(head, null, violationOfError(e));
        }
        if (f.violation) return fail(head, null, f.violation);
        if (fr) return fail(head, null, fr);
        continue;
      }
      // sleeping threads (by concrete index) and the class of the step each was taken as
      let asleep: Map<number, StepClass> | null = null;
      if (node.sleep) {
        asleep = new Map();
        for (const z of node.sleep) asleep.set(node.order ? node.order[z & 7] : z & 7, classById[z >> 3]);
      }
      const taken: [number, StepClass][] = [];
      for (let k = 0; k < r.length; k++) {
        if (asleep?.has(r[k])) { pruned++; continue; }
        let a: ReturnType<typeof advance>;
        try {
          a = advance(sys, threads, node.g, r[k], hooks);
        } catch (e) {
          return fail(head, k, violationOfError(e));
        }
        transitions++;
        // a state met before was judged then: only the step properties judge this transition (checkStep)
        if (!por) {
          const m = lookup(a.g, nodes.length);
          const v = checkStep(invariants, a.pre, a.g, a.label, hooks, m >= 0, head > 0 || !!setup.judged);
          if (v) return fail(head, k, v);
          if (m >= 0) continue;
          nodes.push({ g: a.g, parent: head, pick: k, depth: node.depth + 1 });
        } else {
          const cls = classify(a.pre, a.g.s);
          const sleep: [number, StepClass][] = [];
          if (asleep) for (const [j, cj] of asleep) if (indep(cj, cls)) sleep.push([j, cj]);
          for (const [j, cj] of taken) if (indep(cj, cls)) sleep.push([j, cj]);
          taken.push([r[k], cls]);
          const order: number[] = [];
          const m = lookup(a.g, nodes.length, order);
          const v = checkStep(invariants, a.pre, a.g, a.label, hooks, m >= 0, head > 0 || !!setup.judged);
          if (v) return fail(head, k, v);
          const permuted = order.some((t, p) => t !== p);
          const zc = sleep.map(([j, cj]) => idOf(cj) * 8 + (permuted ? order.indexOf(j) : j));
          if (m < 0) {
            const n: Node = { g: a.g, parent: head, pick: k, depth: node.depth + 1 };
            if (zc.length) n.sleep = zc;
            if (permuted) n.order = order;
            nodes.push(n);
          } else {
            // seen before: it now sleeps only what both paths let it sleep
            const old = nodes[m];
            if (m <= head) {
              // expanded already, having pruned its sleepers: if this path would take one of them, it
              // must be taken from there, later than breadth-first order allows (see search's caller)
              if (old.sleep?.some((z) => !zc.some((y) => (y & 7) === (z & 7)))) return 'perturbed';
            } else if (old.sleep) {
              const keep = old.sleep.filter((z) => zc.some((y) => (y & 7) === (z & 7)));
              old.sleep = keep.length ? keep : undefined;
            }
            continue;
          }
        }
        if (o.maxStates !== undefined && size() >= o.maxStates) return stopped('states');
      }
      if ((head & 63) === 0) {
        if (o.deadline !== undefined && Date.now() > o.deadline) return stopped('time');
        const why = o.stop?.();
        if (why) return stopped(why);
        if ((head & 1023) === 0) yield;
      }
    }
    return done({ verdict: 'exhausted', states: size(), transitions, depth, ...(por ? { pruned } : {}) });
  }
}
