import { describe, expect } from 'vitest';
import { it as fcIt } from '@fast-check/vitest';
import fc from 'fast-check';
import { jsonText, jsonTuple } from './json-text.ts';

describe('jsonText: JSON.stringify, remembered per object', () => {
  fcIt.prop([fc.anything({ withNullPrototype: true, withSparseArray: true, withObjectString: false, withBoxedValues: false, withMap: false, withSet: false, withTypedArray: false, withDate: true })])('writes what JSON.stringify writes', (v) => {
    let want: string | undefined;
    try { want = JSON.stringify(v); } catch { return; }
    expect(jsonText(v)).toBe(want);
    // asked again, from what it remembered
    expect(jsonText(v)).toBe(want);
  });

  fcIt.prop([fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 5e-324)])('numbers as JSON writes them, inside arrays and objects', (a, b) => {
    for (const v of [a, b, [a, b, undefined, () => 1], { a, b, u: undefined, f: () => 1 }]) expect(jsonText(v)).toBe(JSON.stringify(v));
  });
});

describe('jsonTuple', () => {
  fcIt.prop([fc.array(fc.jsonValue())])('writes the array of its arguments as JSON.stringify does', (xs) => {
    expect(jsonTuple(...xs)).toBe(JSON.stringify(xs));
  });
});
