import { variantByName } from '../../model/variants.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { coverageOf, type DeclaredReached } from '../coverage.ts';
import { invariantRows, type InvariantRow, type NotEvaluated } from '../invariant-rows.ts';
import type { ParsedTrace } from '../trace.ts';
import { heapNearlyFull } from './limits.ts';
import { exploreTraceSteps, traceExploreFailed, type TraceExploreOptions, type TraceExploreResult } from './trace-explore.ts';

/** What `xipcheck explore TRACE.json` reports: the search, with the invariants' counts and the kernel branches judged. */
export interface TraceExploreReport extends TraceExploreResult {
  readonly file: string;
  readonly symmetry: boolean;
  readonly invariants: readonly InvariantRow[];
  readonly notEvaluated: readonly NotEvaluated[];
  readonly declaredReached: readonly DeclaredReached[];
  readonly reachedByVariant: readonly DeclaredReached[];
  readonly undeclaredBranches: readonly string[];
}

/**
 * The search run to its end, giving the event loop a turn every 50 ms (signals, timers), and
 * its report. `timeBudgetMs` and `shouldStop` stop it as they stop `explore`; the heap is
 * watched the same way.
 */
export async function exploreTraceReport(
  file: string, t: ParsedTrace, o: Omit<TraceExploreOptions, 'deadline' | 'stop'> & { timeBudgetMs?: number; shouldStop?: () => boolean },
): Promise<TraceExploreReport> {
  const deadline = o.timeBudgetMs === undefined ? undefined : Date.now() + o.timeBudgetMs;
  const g = exploreTraceSteps(t, { ...o, deadline, stop: () => (o.shouldStop?.() ? 'signal' : heapNearlyFull() ? 'memory' : null) });
  let last = Date.now();
  let r: TraceExploreResult;
  for (;;) {
    const n = g.next();
    if (n.done) { r = n.value; break; }
    if (Date.now() - last > 50) { await new Promise((ok) => setImmediate(ok)); last = Date.now(); }
  }
  const cov = coverageOf(new Map(Object.entries(r.branches)), variantByName(r.variant)!);
  const rows = invariantRows(o.invariants ?? INVARIANTS, { checks: new Map(Object.entries(r.checks)), skipped: new Map(Object.entries(r.skipped)) }, 'in finished interleavings of concurrent threads', 'explore');
  return {
    ...r, file, symmetry: o.symmetry !== false, invariants: rows.rows, notEvaluated: rows.notEvaluated,
    declaredReached: cov.declaredReached, reachedByVariant: cov.reachedByVariant, undeclaredBranches: cov.undeclared,
  };
}

/** It fails (exit 1) on a violation, a search not exhausted, a set-up that went otherwise than pinned, and a branch declared unreachable that the reference reached. */
export function traceExploreReportFailed(r: TraceExploreReport): boolean {
  return traceExploreFailed(r) || r.declaredReached.length > 0 || r.undeclaredBranches.length > 0;
}
