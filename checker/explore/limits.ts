import { getHeapStatistics } from 'node:v8';

/**
 * The explorer keeps every state of a scenario until the scenario ends, so a large bound can
 * fill the heap. Past this fraction of V8's heap limit it stops and reports what it has ("bound
 * NOT exhausted: memory") instead of letting V8 abort the process with nothing reported.
 */
export const HEAP_FRACTION = 0.8;

// V8's heap_size_limit counts the young generation's reserve (48 MiB on 64-bit Node 20) on
// top of --max-old-space-size; the states pile up in the old space, which fails first.
const YOUNG_RESERVE = 48 * 2 ** 20;

export function heapNearlyFull(fraction = HEAP_FRACTION): boolean {
  const h = getHeapStatistics();
  const old = Math.max(h.heap_size_limit / 2, h.heap_size_limit - YOUNG_RESERVE);
  return h.used_heap_size > fraction * old;
}

/** Reasons shared with worker threads through one Int32 (0 = go on). */
export const STOP_CODES = { signal: 1, memory: 2 } as const;
export type SharedStop = keyof typeof STOP_CODES;

export function stopOf(code: number): SharedStop | null {
  return (Object.keys(STOP_CODES) as SharedStop[]).find((k) => STOP_CODES[k] === code) ?? null;
}
