import { Worker } from 'node:worker_threads';
import { variantByName } from '../../model/variants.ts';
import { exploreSteps, type ExploreResult, type ExploreSpec, type StopReason } from './explore.ts';
import { DEFAULT_BOUND, FAMILY_LIMITS, familyAll, UNFIXED, type Bound, type FamilyScenario, type Unfixed } from './family.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { coverageOf, type DeclaredReached } from '../coverage.ts';
import { invariantRows, type InvariantRow, type NotEvaluated } from '../invariant-rows.ts';
import { heapNearlyFull, STOP_CODES } from './limits.ts';
import { collisionBound } from './visited.ts';
import { noLayoutCounts } from '../../properties/invariants/layout.ts';
import type { ExecutedStep } from '../sequence.ts';

export interface FamilyOptions {
  readonly variant: string;
  readonly bound?: Bound;
  readonly include?: readonly Unfixed[];
  /** Overall limit on distinct states, over all scenarios. */
  readonly maxStates?: number;
  readonly timeBudgetMs?: number;
  readonly symmetry?: boolean;
  /** Keep canonical keys instead of 64-bit fingerprints in the visited sets (checker/explore/visited.ts). */
  readonly exactKeys?: boolean;
  /** Partial-order reduction by sleep sets (checker/explore/sleep.ts); on unless false. */
  readonly por?: boolean;
  readonly workers?: number;
  /**
   * Shard `index` (1-based) of `count`: only the scenarios whose place in the family
   * (excluded ones included) is index - 1 modulo count. Scenarios share no states, so the
   * shards' reports merged (`xipcheck merge`) count what the whole family counts.
   */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Only the scenarios of these systems (an audit explores the one its driver replaces). */
  readonly systems?: readonly string[];
  /** Branches declared unreachable (default: the model's own declarations; tests pass others). */
  readonly declaredUnreachable?: ReadonlyMap<string, string>;
  readonly onProgress?: (done: number, states: number) => void;
  /** Polled while exploring: yes = stop now and report what was found (the CLI's SIGINT, SIGTERM). */
  readonly shouldStop?: () => boolean;
}

export interface FamilyCounterexample {
  readonly scenario: string;
  /** The scenario's place among the kept ones (ties between equally short counterexamples go to the lower). */
  readonly index?: number;
  readonly invariant: string;
  readonly message: string;
  readonly at?: string;
  /** Atomic steps of the concurrent part (the interleaving's length). */
  readonly depth: number;
  readonly schedule: readonly number[];
  readonly steps: readonly ExecutedStep[];
  readonly config: unknown;
}

export interface FamilyReport {
  readonly variant: string;
  /** This report's share of the scenarios (FamilyOptions.shard); absent for the whole family. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Per invariant, evaluations left for want of a layout view (merge sums them). */
  readonly noLayout?: Readonly<Record<string, number>>;
  /** Which other invariant-relevant options the run had, so that merge refuses shards of different runs. */
  readonly include?: readonly string[];
  readonly bound: Bound;
  readonly symmetry: boolean;
  /** Scenarios left out by name, counted over the part of the family enumerated. */
  readonly excluded: readonly { name: string; reason: string; scenarios: number }[];
  /** What no scenario of the family does, at any bound. */
  readonly limits: readonly string[];
  /** Per invariant, evaluations in the interleavings (set-ups excluded), with their unit. */
  readonly invariants: readonly InvariantRow[];
  /** Invariants not evaluated in (part of) the interleavings, and why. */
  readonly notEvaluated: readonly NotEvaluated[];
  /** Declared unreachable, yet reached by the reference design: fails the run (exit 1). */
  readonly declaredReached: readonly DeclaredReached[];
  /** Declared unreachable, reached by a (historical or broken) variant: reported only. */
  readonly reachedByVariant: readonly DeclaredReached[];
  /** Branch labels hit that the catalogue does not declare: fail the run. */
  readonly undeclaredBranches: readonly string[];
  /** Scenarios explored (the last one possibly cut short by a limit). */
  readonly scenarios: number;
  /**
   * The partial-order reduction (sleep sets, checker/explore/sleep.ts): whether it was on, the
   * transitions it did not take, and the scenarios searched again without it. Absent in
   * reports written before it existed.
   */
  readonly por?: { readonly on: boolean; readonly pruned: number; readonly fallbacks: number };
  readonly exhausted: number;
  readonly limited: number;
  readonly violations: number;
  /** Distinct states summed over scenarios; transitions likewise; deepest interleaving. */
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly elapsedMs: number;
  /**
   * How states were remembered: 64-bit fingerprints (the default) or exact keys; with
   * fingerprints, an upper bound on the probability that two distinct states of one scenario
   * shared one (summed over scenarios), so that a state was not searched.
   */
  readonly visited: { readonly kind: 'fingerprint-64' | 'exact'; readonly collisionBound: number };
  /** `exhausted`: every reachable state of every scenario visited, no violation. */
  readonly verdict: 'exhausted' | 'violation' | 'limit';
  /** Why the run stopped before the end of the family (the rest of it was not started). */
  readonly stoppedBy?: StopReason;
  /** The shortest counterexample over all scenarios (ties: the first scenario). */
  readonly counterexample: FamilyCounterexample | null;
}

type Slim = Omit<ExploreResult, 'violation'> & { violation?: ExploreResult['violation'] };

/**
 * What the report sums, fed scenario by scenario in family order: whatever the number of
 * workers, the same scenarios are added in the same order, so the counts and the choice of
 * counterexample do not depend on it.
 */
class Tally {
  collision = 0;
  scenarios = 0; exhausted = 0; limited = 0; violations = 0; states = 0; transitions = 0; maxDepth = 0; pruned = 0; fallbacks = 0;
  best: Slim | null = null;
  bestConfig: unknown = null;
  bestIndex = -1;
  readonly excluded = new Map<Unfixed, number>();
  readonly branches = new Map<string, number>();
  readonly checks = new Map<string, number>();
  readonly skipped = new Map<string, number>();
  stoppedBy: StopReason | undefined;
  add(r: Slim, config: unknown, index = -1): void {
    this.scenarios++;
    const sum = (m: Map<string, number>, o: Readonly<Record<string, number>>) => { for (const [k, n] of Object.entries(o)) m.set(k, (m.get(k) ?? 0) + n); };
    sum(this.branches, r.branches); sum(this.checks, r.checks); sum(this.skipped, r.skipped);
    if (r.verdict === 'exhausted') this.exhausted++;
    else if (r.verdict === 'limit') { this.limited++; this.stoppedBy ??= r.stoppedBy; } else this.violations++;
    this.states += r.states;
    this.collision += collisionBound(r.states);
    this.transitions += r.transitions;
    this.pruned += r.pruned ?? 0;
    if (r.porFallback) this.fallbacks++;
    this.maxDepth = Math.max(this.maxDepth, r.depth);
    if (r.violation && (!this.best || r.violation.schedule.length < this.best.violation!.schedule.length)) { this.best = r; this.bestConfig = config; this.bestIndex = index; }
  }
  exclude(u: Unfixed): void { this.excluded.set(u, (this.excluded.get(u) ?? 0) + 1); }
}

function report(o: FamilyOptions, t: Tally, t0: number): FamilyReport {
  const bound = o.bound ?? DEFAULT_BOUND;
  const best = t.best;
  const cov = coverageOf(t.branches, variantByName(o.variant)!, o.declaredUnreachable);
  const rows = invariantRows(INVARIANTS, { checks: t.checks, skipped: t.skipped }, 'in finished interleavings of concurrent threads', 'explore');
  const noLayout = noLayoutCounts(t.skipped);
  return {
    variant: o.variant, ...(o.shard ? { shard: o.shard } : {}), noLayout, include: [...(o.include ?? [])].sort(), bound, symmetry: o.symmetry !== false, limits: FAMILY_LIMITS,
    invariants: rows.rows, notEvaluated: rows.notEvaluated, declaredReached: cov.declaredReached, reachedByVariant: cov.reachedByVariant, undeclaredBranches: cov.undeclared,
    excluded: (Object.keys(UNFIXED) as Unfixed[]).filter((u) => !(o.include ?? []).includes(u)).map((u) => ({ name: u, reason: UNFIXED[u], scenarios: t.excluded.get(u) ?? 0 })),
    scenarios: t.scenarios, exhausted: t.exhausted, limited: t.limited, violations: t.violations,
    states: t.states, transitions: t.transitions, maxDepth: t.maxDepth,
    por: { on: o.por !== false, pruned: t.pruned, fallbacks: t.fallbacks },
    visited: { kind: o.exactKeys ? 'exact' : 'fingerprint-64', collisionBound: o.exactKeys ? 0 : t.collision },
    elapsedMs: Date.now() - t0,
    verdict: t.violations ? 'violation' : t.stoppedBy ? 'limit' : 'exhausted',
    ...(t.stoppedBy ? { stoppedBy: t.stoppedBy } : {}),
    counterexample: best && {
      scenario: best.name, index: t.bestIndex, invariant: best.violation!.invariant, message: best.violation!.message, at: best.violation!.at,
      depth: best.violation!.schedule.length, schedule: best.violation!.schedule, steps: best.violation!.steps, config: t.bestConfig,
    },
  };
}

const specOf = (s: FamilyScenario): ExploreSpec => ({ name: s.name, config: s.config, setup: s.setup, threads: s.threads });

/** Run a search to its end, giving the event loop a turn every 50 ms (signals, timers, workers). */
async function drain(g: Generator<void, ExploreResult, void>): Promise<ExploreResult> {
  let last = Date.now();
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (Date.now() - last > 50) { await new Promise((ok) => setImmediate(ok)); last = Date.now(); }
  }
}

/**
 * The kept scenarios of the family in order, counting the excluded ones into the tally;
 * `stop` is asked every 256 scenarios enumerated, since thousands in a row may be excluded.
 */
function* kept(o: FamilyOptions, t: Tally, stop: () => boolean): Generator<FamilyScenario | null> {
  let k = 0;
  for (const s of familyAll(o.bound ?? DEFAULT_BOUND, o.include)) {
    if ((++k & 255) === 0 && stop()) { yield null; return; }
    if (o.shard && (k - 1) % o.shard.count !== o.shard.index - 1) continue;
    if (o.systems && !o.systems.includes(s.system)) continue;
    if (s.excluded) t.exclude(s.unfixed!);
    else yield s;
  }
}

/** The limits a run stops at, over all scenarios: what is left of --max-states, the deadline, memory, a signal. */
interface Limits {
  readonly deadline?: number;
  readonly shared: () => 'signal' | 'memory' | null;
}

function sharedStop(o: FamilyOptions): () => 'signal' | 'memory' | null {
  return () => (o.shouldStop?.() ? 'signal' : heapNearlyFull() ? 'memory' : null);
}

async function sequential(o: FamilyOptions, t: Tally, lim: Limits): Promise<void> {
  const v = variantByName(o.variant)!;
  const it = kept(o, t, () => !!lim.shared() || (lim.deadline !== undefined && Date.now() > lim.deadline));
  let last = Date.now();
  for (const s of it) {
    if (Date.now() - last > 50) { await new Promise((ok) => setImmediate(ok)); last = Date.now(); }
    const why = lim.shared() ?? (lim.deadline !== undefined && Date.now() > lim.deadline ? 'time' : null);
    if (!s || why) { t.stoppedBy ??= why ?? 'time'; return; }
    const cap = o.maxStates === undefined ? undefined : o.maxStates - t.states;
    const r = await drain(exploreSteps(specOf(s), { variant: v, symmetry: o.symmetry, exactKeys: o.exactKeys, por: o.por, deadline: lim.deadline, maxStates: cap, stop: lim.shared }));
    t.add(r, s.config, s.index);
    o.onProgress?.(t.scenarios, t.states);
    if (r.verdict === 'limit') return;
  }
}

/**
 * Scenarios dealt out to worker threads in family order, results taken back in that order.
 * A worker explores with what is left of --max-states after the scenarios already taken back;
 * when earlier ones, still running then, used some of it, a scenario that went past what was
 * really left is explored again with exactly that (so the result is the one-worker result).
 */
async function parallel(o: FamilyOptions, t: Tally, lim: Limits, n: number): Promise<void> {
  const v = variantByName(o.variant)!;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // why dealing stopped before the end of the family, if the results taken back do not say it
  let ended: StopReason | undefined;
  const halt = (why: 'signal' | 'memory') => { ended ??= why; Atomics.store(flag, 0, STOP_CODES[why]); };
  const inbox: { w: Worker; index: number; result?: Slim; crash?: Error }[] = [];
  let wake: (() => void) | null = null;
  // Compiled (dist/), the worker is plain JavaScript beside this file. Run from the sources
  // (vitest, tsx), worker threads do not inherit the TypeScript loader: a boot file registers
  // it, then loads the worker's source.
  const boot = import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker.js';
  const workers = Array.from({ length: n }, () => {
    const w = new Worker(new URL(boot, import.meta.url), {
      workerData: { entry: new URL('./worker.ts', import.meta.url).href, variant: o.variant, symmetry: o.symmetry, exactKeys: o.exactKeys, por: o.por, deadline: lim.deadline, flag },
    });
    w.on('message', (m: { index: number; result: Slim }) => { inbox.push({ w, ...m }); wake?.(); });
    w.on('error', (e) => { inbox.push({ w, index: -1, crash: e }); wake?.(); });
    return w;
  });
  const it = kept(o, t, () => Atomics.load(flag, 0) !== 0 || (lim.deadline !== undefined && Date.now() > lim.deadline));
  const inFlight = new Map<Worker, FamilyScenario>();
  const done = new Map<number, { s: FamilyScenario; r: Slim; cap?: number }>();
  const caps = new Map<number, number | undefined>();
  let next = 0; // the next scenario index to take back
  let dealing = true;
  const watch = setInterval(() => { const why = lim.shared(); if (why) halt(why); }, 100);
  try {
    const deal = (w: Worker): void => {
      if (!dealing || Atomics.load(flag, 0)) { dealing = false; return; }
      const s = it.next();
      if (s.done) { dealing = false; return; } // the whole family dealt
      if (!s.value || (lim.deadline !== undefined && Date.now() > lim.deadline)) { ended ??= lim.shared() ?? 'time'; dealing = false; return; }
      const cap = o.maxStates === undefined ? undefined : o.maxStates - t.states;
      caps.set(s.value.index, cap);
      inFlight.set(w, s.value);
      w.postMessage({ index: s.value.index, spec: specOf(s.value), cap });
    };
    for (const w of workers) deal(w);
    while (inFlight.size) {
      if (!inbox.length) await new Promise<void>((ok) => { wake = ok; });
      wake = null;
      for (const m of inbox.splice(0)) {
        const s = inFlight.get(m.w)!;
        inFlight.delete(m.w);
        if (m.crash) {
          // a worker V8 stopped for lack of memory: its scenario never comes back
          if ((m.crash as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw m.crash;
          halt('memory');
          continue;
        }
        done.set(m.index, { s, r: m.result!, cap: caps.get(m.index) });
        if (m.result!.verdict === 'limit') dealing = false; // nothing after it is taken back
        deal(m.w);
      }
      // take results back in family order
      for (let d = done.get(next); d && !t.stoppedBy; d = done.get(next)) {
        done.delete(next);
        next++;
        let r = d.r;
        const left = o.maxStates === undefined ? undefined : o.maxStates - t.states;
        if (left !== undefined && d.cap !== left && r.states >= left) {
          r = await drain(exploreSteps(specOf(d.s), { variant: v, symmetry: o.symmetry, exactKeys: o.exactKeys, por: o.por, deadline: lim.deadline, maxStates: left, stop: lim.shared }));
        }
        t.add(r, d.s.config, d.s.index);
        o.onProgress?.(t.scenarios, t.states);
        if (r.verdict === 'limit') { dealing = false; Atomics.store(flag, 0, STOP_CODES.signal); }
      }
    }
    t.stoppedBy ??= ended;
  } finally {
    clearInterval(watch);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * `xipcheck explore`: every scenario of the bounded family, each exhausted by BFS; the
 * shortest counterexample over all of them. The family is enumerated lazily and every limit
 * (states, time, memory, a signal) is checked while it runs, so a run at a large bound stops
 * on time with a partial report. With `workers` > 1 the scenarios are dealt out to worker
 * threads (each keeps its own visited set: scenarios share no states); the report is the same
 * as with one worker, apart from the timings and limits that depend on them.
 */
export async function exploreFamily(o: FamilyOptions): Promise<FamilyReport> {
  const t0 = Date.now();
  if (!variantByName(o.variant)) throw new Error(`unknown variant ${o.variant}`);
  const lim: Limits = { deadline: o.timeBudgetMs === undefined ? undefined : t0 + o.timeBudgetMs, shared: sharedStop(o) };
  const t = new Tally();
  const workers = Math.max(1, o.workers ?? 1);
  if (workers === 1) await sequential(o, t, lim);
  else await parallel(o, t, lim, workers);
  return report(o, t, t0);
}

/** Every scenario (or those at `indices`) explored in turn, synchronously: for benchmarks. */
export function exploreSome(o: FamilyOptions, indices: readonly number[] | null): Slim[] {
  const v = variantByName(o.variant);
  if (!v) throw new Error(`unknown variant ${o.variant}`);
  const want = indices && new Set(indices);
  const out: Slim[] = [];
  for (const s of familyAll(o.bound ?? DEFAULT_BOUND, o.include)) {
    if (s.excluded || (want && !want.has(s.index))) continue;
    const g = exploreSteps(specOf(s), { variant: v, symmetry: o.symmetry, por: o.por });
    for (let r = g.next(); ; r = g.next()) if (r.done) { out.push(r.value); break; }
  }
  return out;
}

/** Explore fails on a violation, on a bound not exhausted, and on a declared-unreachable branch the reference reached. */
export function exploreFailed(r: FamilyReport): boolean {
  return r.verdict !== 'exhausted' || r.declaredReached.length > 0 || r.undeclaredBranches.length > 0;
}
