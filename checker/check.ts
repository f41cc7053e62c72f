import fc from 'fast-check';
import { allBranches, defensiveBranches } from '../model/kernel/coverage.ts';
import type { Variant } from '../model/kernel/variant.ts';
import { INVARIANTS } from '../properties/registry.ts';
import type { Invariant } from '../properties/invariant.ts';
import { CHECK_EXCLUSIONS, commandsArb, type Cmd } from '../properties/arbitraries.ts';
import { coverageOf, type DeclaredReached } from './coverage.ts';
import { MAX_CANDIDATES } from './group.ts';
import { invariantRows, type InvariantRow, type NotEvaluated } from './invariant-rows.ts';
import { REFERENCE_SUITE, type SuiteSystem } from '../properties/suites/reference.ts';
import { BORROWED } from '../properties/reference/borrowed.ts';
import { newCounters, type Counters, type StepObserver } from './execute.ts';
import { runCommands, type ExecutedStep } from './sequence.ts';
import { bootFailure, makeSystem } from './system.ts';
import { noLayoutKey } from '../properties/invariants/layout.ts';

export interface CheckOptions {
  readonly seed: number;
  /** Property runs per system. */
  readonly runs: number;
  /** Wall-clock budget for the whole check, ms (fast-check stops starting new runs after it). */
  readonly timeBudgetMs?: number;
  readonly variant: Variant;
  readonly systems?: readonly SuiteSystem[];
  readonly invariants?: readonly Invariant[];
  readonly maxCommands?: number;
  /**
   * Shard `index` (1-based) of `count`: every shard generates the same runs from the same seed
   * and executes only every count-th of them (run k when k mod count = index - 1), so the
   * shards together execute exactly the unsharded run's runs, and their reports merged
   * (`xipcheck merge`) count what it counts. Generating a run is cheap beside executing it.
   */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Branches declared unreachable (default: the model's own declarations; tests pass others). */
  readonly declaredUnreachable?: ReadonlyMap<string, string>;
  /** Called before each run with the commands it executes (audit's watchdog keeps the last). */
  readonly onRun?: (system: string, config: unknown, cmds: readonly Cmd[]) => void;
  /** Told of every call started and atomic step taken in the runs (not in shrinking): docs generation. */
  readonly stepObserver?: StepObserver;
  /** Called after each system, for progress. */
  readonly onProgress?: (msg: string) => void;
  /**
   * Polled before every run and every shrinking step: once it says yes, fast-check stops at
   * once, keeping the counterexample found so far, shrunk as far as it got (the CLI's answer
   * to SIGINT and SIGTERM). Only `checkAsync` lets a signal handler run meanwhile.
   */
  readonly shouldStop?: () => boolean;
}

export interface Counterexample {
  readonly system: string;
  readonly config: unknown;
  readonly variant: string;
  readonly invariant: string;
  readonly message: string;
  readonly at?: string;
  readonly seed: number;
  readonly path: string;
  readonly steps: readonly ExecutedStep[];
  /** Index of the step at which the violation was seen. */
  readonly failedStep: number;
  /** Shrinking was stopped (shouldStop) before it finished: a shorter story may exist. */
  readonly partlyShrunk?: boolean;
}

export interface SystemReport {
  readonly name: string;
  readonly runs: number;
  readonly steps: number;
  readonly interrupted: boolean;
  /** Wall time of this system's runs and shrinking, ms. */
  readonly elapsedMs?: number;
}

export interface CheckReport {
  readonly seed: number;
  /** This report's share of the runs (CheckOptions.shard); absent for a whole run or a merge of all shards. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Runs asked for per system (all shards together). */
  readonly runsAsked?: number;
  /** Per invariant, evaluations left for want of a layout view (the counts behind notEvaluated; merge sums them). */
  readonly noLayout?: Readonly<Record<string, number>>;
  readonly variant: string;
  readonly systems: readonly SystemReport[];
  /** Per invariant: how many times it was evaluated, on what (`unit`), and calls it left unjudged. */
  readonly invariants: readonly InvariantRow[];
  /** Invariants not evaluated on some of what ran, and why. */
  readonly notEvaluated: readonly NotEvaluated[];
  /** What the generated runs never do, by construction. */
  readonly exclusions: readonly { name: string; what: string; why: string }[];
  readonly actions: Readonly<Record<string, number>>;
  readonly branches: Readonly<Record<string, number>>;
  /** Branches no run reached (findings about the search), beside the ones declared unreachable. */
  readonly unreached: readonly string[];
  readonly defensive: Readonly<Record<string, string>>;
  /** Declared unreachable, yet reached by the reference design: a FINDING that fails the run (exit 1). */
  readonly declaredReached: readonly DeclaredReached[];
  /** Declared unreachable, reached by a (historical or broken) variant: reported only. */
  readonly reachedByVariant: readonly DeclaredReached[];
  /** Branch labels hit that the catalogue does not declare: fail the run. */
  readonly undeclaredBranches: readonly string[];
  readonly counterexample: Counterexample | null;
  /** Stopped by `shouldStop` before every system was checked (or before shrinking ended). */
  readonly interrupted?: boolean;
  readonly elapsedMs: number;
  /** What the reference takes from the concrete machine rather than deriving it (never hidden). */
  readonly borrowed: readonly { readonly what: string; readonly why: string }[];
}

/** One fast-check run the check asks its driver for, sync or async. */
interface PropRun {
  readonly arb: fc.Arbitrary<Cmd[]>;
  readonly predicate: (cmds: Cmd[]) => boolean;
  readonly params: fc.Parameters<[Cmd[]]>;
}

/**
 * `xipcheck check`: fast-check runs of random command sequences on every reference system,
 * each run checked against every invariant; on a failure, fast-check shrinks the sequence and
 * the shrunk run is re-executed to record its concrete steps. Written once as a generator that
 * asks for each system's fast-check run, so the sync and async drivers share it.
 */
function* checkRuns(o: CheckOptions): Generator<PropRun, CheckReport, fc.RunDetails<[Cmd[]]>> {
  const t0 = Date.now();
  const systems = o.systems ?? REFERENCE_SUITE;
  const invariants = o.invariants ?? INVARIANTS;
  const counters: Counters = newCounters();
  counters.observer = o.stepObserver;
  const reports: SystemReport[] = [];
  let cex: Counterexample | null = null;
  let stopped = false;
  const stop = (): boolean => (stopped ||= !!o.shouldStop?.());
  for (let k = 0; k < systems.length && !cex && !stop(); k++) {
    const sysDef = systems[k];
    const sys = makeSystem(sysDef.name, sysDef.config, o.variant);
    const boot = bootFailure(sys);
    if (boot) {
      // the design under check cannot bring the machine up as the reference does: its first finding
      reports.push({ name: sys.name, runs: 0, steps: 0, interrupted: false });
      cex = { system: sys.name, config: sysDef.config, variant: o.variant.name, invariant: 'posix-returns', message: boot, seed: (o.seed + k * 7919) | 0, path: '', steps: [], failedStep: 0 };
      break;
    }
    const procs = sys.config.processes;
    const left = o.timeBudgetMs === undefined ? undefined : Math.max(1, (o.timeBudgetMs - (Date.now() - t0)) / (systems.length - k));
    let runs = 0, generated = 0, shrinking = false;
    const tSys = Date.now();
    const stepsBefore = counters.steps;
    const seed = (o.seed + k * 7919) | 0;
    const predicate = (cmds: Cmd[]): boolean => {
      // an interrupting precondition failure: fast-check ends the search (or the shrinking) here
      if (stop()) throw new fc.PreconditionFailure(true);
      // another shard's run (until the first failure: every shrinking candidate is this shard's)
      if (o.shard && !shrinking && generated++ % o.shard.count !== o.shard.index - 1) return true;
      if (!shrinking) runs++;
      o.onRun?.(sys.name, sysDef.config, cmds);
      const ok = runCommands(sys, cmds, invariants, counters).violation === null;
      if (!ok) shrinking = true;
      return ok;
    };
    const res = yield {
      arb: commandsArb(procs, sysDef.files, sysDef.maxLen, o.maxCommands ?? 40), predicate,
      params: { seed, numRuns: o.runs, ...(left !== undefined ? { interruptAfterTimeLimit: left, markInterruptAsFailure: false } : {}) },
    };
    // fast-check's own count: the runs made before a failure, without the shrinking runs
    reports.push({ name: sys.name, runs, steps: counters.steps - stepsBefore, interrupted: res.interrupted && !stopped, elapsedMs: Date.now() - tSys });
    o.onProgress?.(`${sys.name}: ${runs} runs`);
    if (res.failed && res.counterexample) {
      const [cmds] = res.counterexample as [Cmd[]];
      const again = runCommands(sys, cmds, invariants);
      const v = again.violation!;
      cex = {
        system: sys.name, config: sysDef.config, variant: o.variant.name, invariant: v.invariant, message: v.message, at: v.at,
        seed, path: res.counterexamplePath ?? '', steps: again.steps, failedStep: v.step, ...(stopped ? { partlyShrunk: true } : {}),
      };
    }
  }
  const all = [...allBranches().keys()].sort();
  const defensive = o.declaredUnreachable ?? defensiveBranches();
  const cov = coverageOf(counters.branches, o.variant, defensive, all);
  const rows = invariantRows(invariants, counters, 'inside concurrent pairs');
  const noLayout = Object.fromEntries(invariants.flatMap((i) => { const n = counters.skipped.get(noLayoutKey(i.id)); return n ? [[i.id, n]] : []; }));
  return {
    seed: o.seed,
    ...(o.shard ? { shard: o.shard } : {}),
    runsAsked: o.runs,
    noLayout,
    variant: o.variant.name,
    systems: reports,
    invariants: rows.rows,
    notEvaluated: rows.notEvaluated,
    exclusions: [
      ...CHECK_EXCLUSIONS,
      { name: 'no-real-time-order', what: 'a concurrent pair is judged by whether some order of its calls explains what each returned (sequential consistency), not by when each call started and ended', why: 'the runner does not record real-time order (checker/group.ts linearize)' },
      { name: 'reference-candidates', what: `after a concurrent pair, at most ${MAX_CANDIDATES} distinct reference states that explain it are kept`, why: 'bounds the linearization search (checker/group.ts MAX_CANDIDATES); a later mismatch could then be a false alarm, never a missed bug' },
    ],
    actions: Object.fromEntries([...counters.actions].sort()),
    branches: Object.fromEntries(all.map((b) => [b, counters.branches.get(b) ?? 0])),
    unreached: cov.unreached,
    defensive: Object.fromEntries([...defensive].sort()),
    declaredReached: cov.declaredReached,
    reachedByVariant: cov.reachedByVariant,
    undeclaredBranches: cov.undeclared,
    counterexample: cex,
    ...(stopped ? { interrupted: true } : {}),
    elapsedMs: Date.now() - t0,
    borrowed: BORROWED,
  };
}

export function check(o: CheckOptions): CheckReport {
  const g = checkRuns(o);
  for (let r = g.next(); ; ) {
    if (r.done) return r.value;
    const q = r.value;
    r = g.next(fc.check(fc.property(q.arb, q.predicate), q.params) as fc.RunDetails<[Cmd[]]>);
  }
}

/**
 * The same check, giving the event loop a turn every 50 ms of runs (and of shrinking), so
 * that signal handlers and timers run while it works.
 */
export async function checkAsync(o: CheckOptions): Promise<CheckReport> {
  const g = checkRuns(o);
  let last = Date.now();
  for (let r = g.next(); ; ) {
    if (r.done) return r.value;
    const q = r.value;
    const prop = fc.asyncProperty(q.arb, async (cmds: Cmd[]) => {
      if (Date.now() - last > 50) { await new Promise((ok) => setImmediate(ok)); last = Date.now(); }
      return q.predicate(cmds);
    });
    r = g.next(await fc.check(prop, q.params) as fc.RunDetails<[Cmd[]]>);
  }
}

/** A check fails on a violation, and on a branch declared unreachable that the reference reached. */
export function checkFailed(r: CheckReport): boolean {
  return r.counterexample !== null || r.declaredReached.length > 0 || r.undeclaredBranches.length > 0;
}
