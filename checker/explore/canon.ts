import type { Action } from '../../model/actions.ts';
import type { State } from '../../model/state.ts';
import type { GroupState } from '../group.ts';

/**
 * The canonical key of an explored state: the kernel state without its constants and without
 * thread ids (which depend on the order calls were entered, not on what they did), the
 * threads' positions and continuations, and the observations so far (the final coherence check
 * depends on them). With symmetry, threads running identical programs in one process are
 * interchangeable: their tuples are sorted, and lock holders renamed to match.
 */
export function canonicalKey(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null): string {
  const s = g.s;
  const tuple = (i: number): string => {
    const tid = g.tids[i];
    const t = tid === null ? null : s.threads.find((x) => x.tid === tid)!;
    return JSON.stringify([g.pcs[i], t ? t.results : null, g.obs[i], g.full[i]]);
  };
  // order[k] = which thread sits at canonical position k
  const order = threads.map((_, i) => i);
  if (symmetric) {
    for (const cls of symmetric) {
      const sorted = cls.slice().sort((a, b) => (tuple(a) < tuple(b) ? -1 : tuple(a) > tuple(b) ? 1 : a - b));
      cls.forEach((pos, k) => { order[pos] = sorted[k]; });
    }
  }
  const canonOf = new Map<number, number>();
  order.forEach((thread, pos) => { const tid = g.tids[thread]; if (tid !== null) canonOf.set(tid, pos); });
  const locks: Record<string, unknown> = {};
  for (const [name, l] of Object.entries(s.locks).sort(([a], [b]) => (a < b ? -1 : 1))) {
    locks[name] = l.mode === 'excl' ? canonOf.get(l.holder) : l.holders.map((h) => canonOf.get(h)).sort();
  }
  return `${stateKey(s)}|${JSON.stringify(locks)}|${order.map(tuple).join('|')}`;
}

const cache = new WeakMap<object, string>();

/** JSON of the parts of a State that are not thread bookkeeping; memoised per sub-object. */
function stateKey(s: State): string {
  return [part(s.devices), part(s.inodes), part(s.procs), JSON.stringify([s.sbs, s.onDisk, s.rawOpens, s.dir, s.sparse, s.sparseSeq])].join('#');
}

function part(o: object): string {
  let k = cache.get(o);
  if (k === undefined) { k = JSON.stringify(o); cache.set(o, k); }
  return k;
}

/** Classes of interchangeable threads: same program (which names the process) — each sorted, size > 1. */
export function symmetryClasses(threads: readonly (readonly Action[])[]): number[][] {
  const by = new Map<string, number[]>();
  threads.forEach((p, i) => { const k = JSON.stringify(p); by.set(k, [...(by.get(k) ?? []), i]); });
  return [...by.values()].filter((c) => c.length > 1);
}
