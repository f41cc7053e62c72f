import type { Action } from '../../model/actions.ts';
import type { GroupState } from '../group.ts';
import { combine, printOf, type Print } from './hash.ts';
import { jsonText, jsonTuple } from '../json-text.ts';

/** The parts of a canonical key: each a string, the large ones memoised per sub-object. */
function keyParts(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null, orderOut?: number[]): string[] {
  const s = g.s;
  const tuple = (i: number): string => {
    const tid = g.tids[i];
    const t = tid === null ? null : s.threads.find((x) => x.tid === tid)!;
    return jsonTuple(g.pcs[i], t ? t.results : null, g.obs[i], g.full[i]);
  };
  const { order, canonOf } = canonicalOrder(g, threads.length, symmetric, (a, b) => (tuple(a) < tuple(b) ? -1 : tuple(a) > tuple(b) ? 1 : a - b), orderOut);
  const locks: Record<string, unknown> = {};
  for (const name of lockNames(s.locks)) {
    const l = s.locks[name];
    locks[name] = l.mode === 'excl' ? canonOf.get(l.holder) : l.holders.map((h) => canonOf.get(h)).sort();
  }
  return [part(s.devices), part(s.inodes), part(s.procs), part(s.sbs), part(s.onDisk), part(s.rawOpens), part(s.dir), part(s.sparse), String(s.sparseSeq), JSON.stringify(locks), ...order.map(tuple)];
}

/**
 * The canonical key of an explored state: the kernel state without its constants and without
 * thread ids (which depend on the order calls were entered, not on what they did), the
 * threads' positions and continuations, and the observations so far (the final coherence check
 * depends on them). With symmetry, threads running identical programs in one process are
 * interchangeable: their tuples are sorted, and lock holders renamed to match.
 */
export function canonicalKey(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null, orderOut?: number[]): string {
  return keyParts(g, threads, symmetric, orderOut).join('|');
}

/**
 * The same key as a 64-bit fingerprint (two 32-bit words), without building the key: the
 * kernel state's parts, the threads' tuples and the locks are fingerprinted from their
 * structure (hash.ts), each sub-object once, so a successor's fingerprint costs what the step
 * changed plus the small per-thread parts. With symmetry, tuples are sorted by fingerprint:
 * a canonical order as much as sorting by text is (tuples with one text have one fingerprint).
 */
export function canonicalFingerprint(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null, orderOut?: number[]): Print {
  const s = g.s;
  const tuples = threads.map((_, i): Print => {
    const tid = g.tids[i];
    const t = tid === null ? null : s.threads.find((x) => x.tid === tid)!;
    return combine([printOf(g.pcs[i]), t ? printOf(t.results) : NULL_PRINT, printOf(g.obs[i]), printOf(g.full[i])]);
  });
  const { order, canonOf } = canonicalOrder(g, threads.length, symmetric, (x, y) => tuples[x][0] - tuples[y][0] || tuples[x][1] - tuples[y][1] || x - y, orderOut);
  const parts: Print[] = [printOf(s.devices), printOf(s.inodes), printOf(s.procs), printOf(s.sbs), printOf(s.onDisk), printOf(s.rawOpens), printOf(s.dir), printOf(s.sparse), printOf(s.sparseSeq)];
  const names = lockNames(s.locks);
  for (let k = 0; k < names.length; k++) {
    const l = s.locks[names[k]];
    parts.push(printOf(names[k]), l.mode === 'excl' ? printOf(canonOf.get(l.holder) ?? null) : combine(l.holders.map((h) => canonOf.get(h) ?? -1).sort().map(printOf)));
  }
  parts.push(printOf(names.length));
  for (const i of order) parts.push(tuples[i]);
  return combine(parts);
}

const NULL_PRINT = printOf(null);

/** A lock table's names, sorted: the runtime keeps its tables in name order (runtime.ts `step`), so sorting is rarely needed. */
function lockNames(locks: object): readonly string[] {
  const names: string[] = [];
  let sorted = true;
  for (const name in locks) {
    if (names.length && name < names[names.length - 1]) sorted = false;
    names.push(name);
  }
  return sorted ? names : names.sort();
}

function part(o: object): string {
  return jsonText(o)!;
}

/** Classes of interchangeable threads: same program (which names the process) — each sorted, size > 1. */
export function symmetryClasses(threads: readonly (readonly Action[])[]): number[][] {
  const by = new Map<string, number[]>();
  threads.forEach((p, i) => { const k = JSON.stringify(p); by.set(k, [...(by.get(k) ?? []), i]); });
  return [...by.values()].filter((c) => c.length > 1);
}

/**
 * Which thread sits at each canonical position (order[k]), each class of identical threads
 * sorted by `cmp`, and a live kernel thread's position (`canonOf`: lock holders are renamed to
 * it; undefined for a thread not in the group). `orderOut`, when given, receives the order.
 */
function canonicalOrder(g: GroupState, n: number, symmetric: readonly (readonly number[])[] | null, cmp: (a: number, b: number) => number, orderOut?: number[]): { order: number[]; canonOf: { get(tid: number): number | undefined } } {
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  if (symmetric) {
    for (const cls of symmetric) {
      const sorted = cls.slice().sort(cmp);
      cls.forEach((pos, k) => { order[pos] = sorted[k]; });
    }
  }
  if (orderOut) for (let i = 0; i < n; i++) orderOut[i] = order[i];
  // looked up only for lock holders, a few a state: a scan, rather than a Map built for every state
  const canonOf = {
    get(tid: number): number | undefined {
      for (let pos = 0; pos < n; pos++) if (g.tids[order[pos]] === tid) return pos;
      return undefined;
    },
  };
  return { order, canonOf };
}
