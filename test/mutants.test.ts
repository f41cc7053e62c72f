import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.ts';
import { MUTANTS, mutantVariantName } from '../model/mutants.ts';
import { variantByName } from '../model/variants.ts';

/**
 * The mutation corpus: the default `check` (seed 1, 1000 runs per system, every invariant)
 * catches every mutant, with the invariant recorded in properties/expected/mutants.json
 * (regenerate deliberately with `node --import tsx scripts/mutants.ts --write`).
 */
const expected = JSON.parse(readFileSync(new URL('../properties/expected/mutants.json', import.meta.url), 'utf8')) as Record<string, string>;

describe('the mutation corpus is caught by the default check', () => {
  it('every mutant has an expected verdict, and every verdict a mutant', () => {
    expect(Object.keys(expected).sort()).toEqual(MUTANTS.map(mutantVariantName).sort());
  });
  for (const m of MUTANTS) {
    const name = mutantVariantName(m);
    it(`${name} (${m.kind}) is caught by ${expected[name]}`, () => {
      const r = check({ seed: 1, runs: 1000, variant: variantByName(name)! });
      expect(r.counterexample?.invariant ?? 'not caught', r.counterexample?.message).toBe(expected[name]);
    });
  }
});
