import { allBranches, defensiveBranches } from '../model/kernel/coverage.ts';
import type { Variant } from '../model/kernel/variant.ts';

export interface DeclaredReached {
  readonly branch: string;
  /** The reason the catalogue gives for declaring it unreachable — now refuted. */
  readonly why: string;
  readonly hits: number;
}

export interface Coverage {
  /** Branches the catalogue declares, minus the ones declared unreachable. */
  readonly reachable: number;
  readonly reached: number;
  /** Declared reachable, never reached: a finding about the search (it does not change the exit code). */
  readonly unreached: readonly string[];
  /**
   * Declared unreachable in the reference design, yet reached: the declaration is wrong (or the
   * model is), so the reference run FAILS (exit 1). Only judged on the reference design: a
   * historical or broken variant changes the kernel on purpose and may reach them.
   */
  readonly declaredReached: readonly DeclaredReached[];
  /** Declared unreachable and reached by a variant that is not the reference (reported, not a failure). */
  readonly reachedByVariant: readonly DeclaredReached[];
  /** Labels the model hit that the catalogue does not declare (a typo or a missing declaration): they fail the run, as they count for no branch. */
  readonly undeclared: readonly string[];
}

/** The reference design is the variant without mutations. */
export function isReference(v: Variant): boolean {
  return v.flags.size === 0;
}

/**
 * Judge a run's branch hits against the catalogue. `declared` defaults to the model's
 * declarations; tests pass their own to prove a reached declaration is flagged.
 */
export function coverageOf(
  hits: ReadonlyMap<string, number>, variant: Variant,
  declared: ReadonlyMap<string, string> = defensiveBranches(), all: readonly string[] = [...allBranches().keys()],
): Coverage {
  const reachable = all.filter((b) => !declared.has(b));
  const unreached = reachable.filter((b) => !hits.get(b)).sort();
  const refuted = [...declared].filter(([b]) => hits.get(b)).sort(([a], [b]) => a.localeCompare(b)).map(([branch, why]) => ({ branch, why, hits: hits.get(branch)! }));
  const ref = isReference(variant);
  const known = new Set(all);
  const undeclared = [...hits.keys()].filter((b) => !known.has(b)).sort();
  return {
    reachable: reachable.length, reached: reachable.length - unreached.length, unreached,
    declaredReached: ref ? refuted : [], reachedByVariant: ref ? [] : refuted, undeclared,
  };
}
