import { Worker } from 'node:worker_threads';
import { variantByName } from '../../model/variants.ts';
import { explore, type ExploreResult } from './explore.ts';
import { DEFAULT_BOUND, family, UNFIXED, type Bound, type Unfixed } from './family.ts';
import type { ExecutedStep } from '../sequence.ts';

export interface FamilyOptions {
  readonly variant: string;
  readonly bound?: Bound;
  readonly include?: readonly Unfixed[];
  /** Overall limit on distinct states, over all scenarios. */
  readonly maxStates?: number;
  readonly timeBudgetMs?: number;
  readonly symmetry?: boolean;
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number, states: number) => void;
}

export interface FamilyCounterexample {
  readonly scenario: string;
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
  readonly bound: Bound;
  readonly symmetry: boolean;
  readonly excluded: readonly { name: string; reason: string; scenarios: number }[];
  readonly scenarios: number;
  readonly exhausted: number;
  readonly limited: number;
  readonly violations: number;
  /** Distinct states summed over scenarios; transitions likewise; deepest interleaving. */
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly elapsedMs: number;
  /** `exhausted`: every reachable state of every scenario visited, no violation. */
  readonly verdict: 'exhausted' | 'violation' | 'limit';
  /** The shortest counterexample over all scenarios. */
  readonly counterexample: FamilyCounterexample | null;
}

type Slim = Omit<ExploreResult, 'violation'> & { violation?: ExploreResult['violation'] };

/** Explore scenarios [indices] of the family; what a worker runs. */
export function exploreSome(o: FamilyOptions, indices: readonly number[] | null, deadline?: number, maxStates?: number): Slim[] {
  const v = variantByName(o.variant);
  if (!v) throw new Error(`unknown variant ${o.variant}`);
  const specs = [...family(o.bound ?? DEFAULT_BOUND, o.include)];
  const out: Slim[] = [];
  let states = 0;
  for (const i of indices ?? specs.map((_, k) => k)) {
    const left = maxStates === undefined ? undefined : maxStates - states;
    if (left !== undefined && left <= 0) { out.push({ name: specs[i].name, verdict: 'limit', stoppedBy: 'states', states: 0, transitions: 0, depth: 0, elapsedMs: 0 }); continue; }
    const r = explore(specs[i], { variant: v, symmetry: o.symmetry, deadline, maxStates: left });
    states += r.states;
    out.push(r);
    o.onProgress?.(out.length, (indices ?? specs).length, states);
  }
  return out;
}

function summarise(o: FamilyOptions, results: readonly Slim[], t0: number): FamilyReport {
  const bound = o.bound ?? DEFAULT_BOUND;
  const all = [...family(bound, Object.keys(UNFIXED) as Unfixed[])];
  const run = [...family(bound, o.include)];
  const kept = new Set(run.map((s) => JSON.stringify([s.system, s.threads])));
  const excluded = (Object.keys(UNFIXED) as Unfixed[]).filter((u) => !(o.include ?? []).includes(u)).map((u) => ({
    name: u, reason: UNFIXED[u], scenarios: all.filter((s) => s.unfixed === u && !kept.has(JSON.stringify([s.system, s.threads]))).length,
  }));
  const viol = results.filter((r) => r.verdict === 'violation');
  const best = viol.reduce<Slim | null>((b, r) => (!b || r.violation!.schedule.length < b.violation!.schedule.length ? r : b), null);
  return {
    variant: o.variant, bound, symmetry: o.symmetry !== false, excluded,
    scenarios: results.length,
    exhausted: results.filter((r) => r.verdict === 'exhausted').length,
    limited: results.filter((r) => r.verdict === 'limit').length,
    violations: viol.length,
    states: results.reduce((n, r) => n + r.states, 0),
    transitions: results.reduce((n, r) => n + r.transitions, 0),
    maxDepth: results.reduce((n, r) => Math.max(n, r.depth), 0),
    elapsedMs: Date.now() - t0,
    verdict: viol.length ? 'violation' : results.some((r) => r.verdict === 'limit') ? 'limit' : 'exhausted',
    counterexample: best && {
      scenario: best.name, invariant: best.violation!.invariant, message: best.violation!.message, at: best.violation!.at,
      depth: best.violation!.schedule.length, schedule: best.violation!.schedule, steps: best.violation!.steps, config: run.find((s) => s.name === best.name)!.config,
    },
  };
}

/**
 * `xipcheck explore`: every scenario of the bounded family, each exhausted by BFS; the
 * shortest counterexample over all of them. With `workers` > 1 the scenarios are dealt out to
 * worker threads (each keeps its own visited set: scenarios share no states).
 */
export async function exploreFamily(o: FamilyOptions): Promise<FamilyReport> {
  const t0 = Date.now();
  const deadline = o.timeBudgetMs === undefined ? undefined : t0 + o.timeBudgetMs;
  const workers = Math.max(1, o.workers ?? 1);
  if (workers === 1) return summarise(o, exploreSome(o, null, deadline, o.maxStates), t0);
  const n = [...family(o.bound ?? DEFAULT_BOUND, o.include)].length;
  const shares = Array.from({ length: workers }, (_, w) => Array.from({ length: n }, (_, i) => i).filter((i) => i % workers === w));
  const { onProgress: _p, ...plain } = o;
  const parts = await Promise.all(shares.map((indices) => new Promise<Slim[]>((resolve, reject) => {
    const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./worker.ts', import.meta.url).href, options: plain, indices, deadline, maxStates: o.maxStates && Math.ceil(o.maxStates / workers) },
    });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  return summarise(o, parts.flat(), t0);
}
