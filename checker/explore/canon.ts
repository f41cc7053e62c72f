import type { Action } from '../../model/actions.ts';
import type { GroupState } from '../group.ts';
import { fingerprint } from './visited.ts';

/**
 * The canonical key of an explored state: the kernel state without its constants and without
 * thread ids (which depend on the order calls were entered, not on what they did), the
 * threads' positions and continuations, and the observations so far (the final coherence check
 * depends on them). With symmetry, threads running identical programs in one process are
 * interchangeable: their tuples are sorted, and lock holders renamed to match.
 */
/** The parts of a canonical key: each a string, the large ones memoised per sub-object. */
function keyParts(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null): string[] {
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
  return [part(s.devices), part(s.inodes), part(s.procs), part(s.sbs), part(s.onDisk), part(s.rawOpens), part(s.dir), part(s.sparse), String(s.sparseSeq), JSON.stringify(locks), ...order.map(tuple)];
}

/**
 * The canonical key of an explored state: the kernel state without its constants and without
 * thread ids (which depend on the order calls were entered, not on what they did), the
 * threads' positions and continuations, and the observations so far (the final coherence check
 * depends on them). With symmetry, threads running identical programs in one process are
 * interchangeable: their tuples are sorted, and lock holders renamed to match.
 */
export function canonicalKey(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null): string {
  return keyParts(g, threads, symmetric).join('|');
}

/**
 * The same key as a 64-bit fingerprint (two 32-bit words), without building the key: each
 * memoised part contributes its own fingerprint, computed once per sub-object, so a
 * successor's key costs what the step changed plus the small per-thread parts.
 */
export function canonicalFingerprint(g: GroupState, threads: readonly (readonly Action[])[], symmetric: readonly (readonly number[])[] | null): [number, number] {
  const s = g.s;
  let a = 0x811c9dc5 | 0, b = 0x9e3779b9 | 0;
  const mix = (h: number, l: number) => {
    a = Math.imul(a ^ h, 0x01000193); a ^= a >>> 13;
    b = Math.imul(b ^ l, 0x5bd1e995); b ^= b >>> 15;
  };
  for (const o of [s.devices, s.inodes, s.procs, s.sbs, s.onDisk, s.rawOpens, s.dir, s.sparse] as object[]) { const f = partPrint(o); mix(f[0], f[1]); }
  const parts = keyParts(g, threads, symmetric);
  // the small parts (sequence count, locks, thread tuples): hashed as they are
  for (let i = 8; i < parts.length; i++) { const f = fingerprint(`${i}:${parts[i]}`); mix(f[0], f[1]); }
  const [h, l] = fingerprint(`${a}:${b}`);
  return [h, l];
}

const cache = new WeakMap<object, string>();
const prints = new WeakMap<object, [number, number]>();

function part(o: object): string {
  let k = cache.get(o);
  if (k === undefined) { k = JSON.stringify(o); cache.set(o, k); }
  return k;
}

function partPrint(o: object): [number, number] {
  let f = prints.get(o);
  if (f === undefined) { f = fingerprint(part(o)); prints.set(o, f); }
  return f;
}

/** Classes of interchangeable threads: same program (which names the process) — each sorted, size > 1. */
export function symmetryClasses(threads: readonly (readonly Action[])[]): number[][] {
  const by = new Map<string, number[]>();
  threads.forEach((p, i) => { const k = JSON.stringify(p); by.set(k, [...(by.get(k) ?? []), i]); });
  return [...by.values()].filter((c) => c.length > 1);
}
