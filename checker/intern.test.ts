import { describe, expect } from 'vitest';
import { it as fcIt } from '@fast-check/vitest';
import fc from 'fast-check';
import { Interner } from './intern.ts';

/** Values as a state holds them: JSON data, with undefined properties and holes, shared or copied parts. */
const value = fc.anything({ withNullPrototype: true, withSparseArray: true, withObjectString: false, withBoxedValues: false, withMap: false, withSet: false, withTypedArray: false, withDate: true, withBigInt: false });

describe('Interner: one id per JSON text', () => {
  fcIt.prop([fc.array(value, { minLength: 1, maxLength: 8 })])('two values have one id exactly when JSON.stringify writes one text', (xs) => {
    const n = new Interner();
    // each value twice: itself, then a copy rebuilt from its text (other objects, same text)
    const all = [...xs, ...xs.map((x) => (JSON.stringify([x]) === undefined ? x : JSON.parse(JSON.stringify([x]))[0]))];
    const text = (x: unknown) => JSON.stringify([x]);
    for (const a of all) for (const b of all) expect(n.id(a) === n.id(b)).toBe(text(a) === text(b));
  });

  fcIt.prop([fc.array(value, { maxLength: 5 })])('tuple(...xs) is the id of the array xs', (xs) => {
    const n = new Interner();
    expect(n.tuple(...xs)).toBe(n.id(xs.slice()));
  });

  fcIt.prop([value, value])('each interner numbers on its own, for objects both have met', (a, b) => {
    const n = new Interner(), m = new Interner();
    m.id(b);
    const ia = n.id(a), ja = m.id(a);
    expect(n.id(a)).toBe(ia);
    expect(m.id(a)).toBe(ja);
    expect(m.id(b) === ja).toBe(JSON.stringify([a]) === JSON.stringify([b]));
  });
});
