import { getHeapStatistics } from 'node:v8';

/**
 * The explorer keeps every state of a scenario until the scenario ends, so a large bound can
 * fill the heap. Past this fraction of V8's heap limit it stops and reports what it has ("bound
 * NOT exhausted: memory") instead of letting V8 abort the process with nothing reported.
 */
export const HEAP_FRACTION = 0.8;

export function heapNearlyFull(fraction = HEAP_FRACTION): boolean {
  const h = getHeapStatistics();
  return h.used_heap_size > fraction * h.heap_size_limit;
}

/** Reasons shared with worker threads through one Int32 (0 = go on). */
export const STOP_CODES = { signal: 1, memory: 2 } as const;
export type SharedStop = keyof typeof STOP_CODES;

export function stopOf(code: number): SharedStop | null {
  return (Object.keys(STOP_CODES) as SharedStop[]).find((k) => STOP_CODES[k] === code) ?? null;
}
