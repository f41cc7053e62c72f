import { describe, expect } from 'vitest';
import { it as fcIt } from '@fast-check/vitest';
import fc from 'fast-check';
import { guarded, PluginFault, setPluginGuard } from './plugin-guard.ts';

/** JSON with its object keys sorted: what "the same answer" means to the guard. */
const sortedText = (v: unknown): string | undefined => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Answers a, then b: a fault 'non-deterministic' or a's value. */
function twice(a: unknown, b: unknown): 'non-deterministic' | 'same' {
  let k = 0;
  setPluginGuard(true);
  try {
    guarded('p', 'op', () => (k++ % 2 ? b : a), () => null);
    return 'same';
  } catch (e) {
    if (e instanceof PluginFault && e.kind === 'non-deterministic') return 'non-deterministic';
    throw e;
  } finally { setPluginGuard(false); }
}

/** A copy of v with every object's keys in reverse order, sharing nothing with it. */
const reordered = (v: unknown): unknown => (Array.isArray(v) ? v.map(reordered) : v && typeof v === 'object' && !(v instanceof Date) ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)])) : v);

const data = fc.anything({ withObjectString: false, withBoxedValues: false, withMap: false, withSet: false, withTypedArray: false, withBigInt: false, withSparseArray: true, withDate: true });

describe('the guard: two answers are one when their JSON texts, keys sorted, are one', () => {
  fcIt.prop([data, data])('any two answers', (a, b) => {
    expect(twice(a, b)).toBe(sortedText(a) === sortedText(b) ? 'same' : 'non-deterministic');
  });
  fcIt.prop([data])('an answer and its copy with the keys in another order; an answer sharing parts with the first', (a) => {
    expect(twice(a, reordered(a))).toBe('same');
    expect(twice({ x: a, y: [a] }, { y: [reordered(a)], x: a })).toBe('same');
  });
});
