import type { Invariant } from '../properties/invariant.ts';
import { NO_LAYOUT, noLayoutKey } from '../properties/invariants/layout.ts';

export interface InvariantRow {
  readonly id: string;
  readonly title: string;
  readonly when: Invariant['when'];
  /** Times evaluated: on every state, step, call or group it applies to (see `unit`). */
  readonly checks: number;
  /** What one evaluation is: "states", "atomic steps", "store calls", … */
  readonly unit: string;
  /** Per-call invariants: calls of the ops they judge that ran concurrently, so were not judged. */
  readonly skipped: number;
}

export interface NotEvaluated {
  readonly id: string;
  readonly reason: string;
}

/**
 * What one evaluation of the invariant is, so the number printed beside it says what it counts.
 * `check` follows one schedule per run; `explore` judges a step property on every transition it
 * takes (into new states and into states already seen), a state invariant on every state it
 * stores, when first met (a state met again was judged then), and coherence on every finished
 * interleaving.
 */
export function unitOf(inv: Invariant, by: 'check' | 'explore' = 'check'): string {
  if (by === 'explore') {
    switch (inv.when) {
      case 'step': return 'transitions';
      case 'every-step': return 'new states';
      case 'between-operations': return 'new states, between operations';
      case 'operation': return inv.perCall ? `lone ${inv.perCall.ops.join('/')} calls` : 'finished interleavings';
    }
  }
  switch (inv.when) {
    case 'every-step': return 'states';
    case 'between-operations': return 'states between operations';
    case 'step': return 'atomic steps';
    case 'operation': return inv.perCall ? `${inv.perCall.ops.join('/')} calls` : 'finished calls and groups';
  }
}

/**
 * One row per invariant, and the invariants that were not evaluated on part (or all) of what
 * ran: per-call ones on the calls of concurrent groups (`where` names them), any with no
 * evaluation at all.
 */
export function invariantRows(
  invs: readonly Invariant[], c: { readonly checks: ReadonlyMap<string, number>; readonly skipped: ReadonlyMap<string, number> }, where: string,
  by: 'check' | 'explore' = 'check',
): { rows: InvariantRow[]; notEvaluated: NotEvaluated[] } {
  const rows = invs.map((i) => ({ id: i.id, title: i.title, when: i.when, checks: c.checks.get(i.id) ?? 0, unit: unitOf(i, by), skipped: c.skipped.get(i.id) ?? 0 }));
  const notEvaluated: NotEvaluated[] = [];
  for (const r of rows) {
    const unlaid = c.skipped.get(noLayoutKey(r.id)) ?? 0;
    if (unlaid) notEvaluated.push({ id: r.id, reason: `${r.checks ? '' : 'never evaluated; '}${unlaid} ${r.unit.replace(/^lone /, '')} not judged: ${NO_LAYOUT}` });
    if (r.skipped) notEvaluated.push({ id: r.id, reason: `${r.checks ? '' : 'never evaluated; '}${r.skipped} ${r.unit.replace(/^lone /, '')} ${where} not judged: a per-call invariant compares the states before and after one call, which a concurrent group mixes` });
    else if (!r.checks && !unlaid) notEvaluated.push({ id: r.id, reason: `never evaluated: nothing ran that it applies to (${r.unit})` });
  }
  return { rows, notEvaluated };
}
