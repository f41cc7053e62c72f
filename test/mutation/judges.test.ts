import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, checkFailed, type CheckOptions } from '../../checker/check.ts';
import type { Mutation } from '../../model/kernel/variant.ts';
import { MUTANTS, mutantVariantName } from '../../model/mutants.ts';
import { VARIANTS, variantByName } from '../../model/variants.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { REFERENCE_SUITE } from '../../properties/suites/reference.ts';

/**
 * What `npm run mutation` asks of every mutant of model/ (vitest.mutation.config.ts), beside
 * the model's unit tests and the corpus replays: the judgements of
 * properties/invariants/broken-variants.test.ts and test/mutants.test.ts, made cheap enough to
 * repeat a few thousand times. A mutant is killed by any failure, so fast-check stops at the
 * first failing run instead of shrinking it (the length of a shrunk story is judged by
 * broken-variants.test.ts in `npm test`, which runs this file too, so that it cannot rot).
 */
let saved: fc.GlobalParameters;
beforeAll(() => {
  saved = fc.readConfigureGlobal();
  fc.configureGlobal({ ...saved, endOnFailure: true });
});
afterAll(() => fc.configureGlobal(saved));

/**
 * The variants only one reference system can reveal are checked on that system alone, or the
 * runs on the others (3000 each, for nothing) would make this file cost what `npm test` does.
 */
const ONLY_ON: Readonly<Record<string, string>> = {
  'broken-fault-always-allocates': 'ext2-xip-ro', // read-only: needs a read-only mount
  'broken-xip-on-any-blocksize': 'ext2-bs8-brd', // mount-rules: needs a block size != PAGE_SIZE
  'mutant-unlink-ro': 'ext2-xip-ro', // read-only: needs a read-only mount
  'mutant-brd-discard-off-by-one': 'ext2-xip-brd', // posix-returns: needs a brd disk to discard
  'mutant-alloc-first-sb': 'ext2-two-mounts', // block-ownership: needs two mounted file systems
};
function on(name: string): Pick<CheckOptions, 'systems'> {
  const only = ONLY_ON[name];
  if (only === undefined) return {};
  const sys = REFERENCE_SUITE.find((s) => s.name === only);
  if (!sys) throw new Error(`ONLY_ON: no reference system ${only}`);
  return { systems: [sys] };
}

// First: with every invariant on, these fail at the first run of a mutant that breaks the
// reference anywhere.
describe('the mutation corpus is caught, by its expected invariant', () => {
  const expected = JSON.parse(readFileSync(new URL('../../properties/expected/mutants.json', import.meta.url), 'utf8')) as Record<string, string>;
  for (const m of MUTANTS) {
    const name = mutantVariantName(m);
    it(`${name} is caught by ${expected[name]}`, () => {
      const r = check({ seed: 1, runs: 1000, variant: variantByName(name)!, ...on(name) });
      expect(r.counterexample?.invariant ?? 'not caught', r.counterexample?.message).toBe(expected[name]);
    });
  }
});

describe('each invariant catches its broken model', () => {
  for (const inv of INVARIANTS) {
    const v = variantByName(`broken-${inv.brokenBy}`) ?? VARIANTS.find((x) => x.flags.size === 1 && x.flags.has(inv.brokenBy as Mutation));
    it(`${inv.id} fails under ${v?.name ?? `broken-${inv.brokenBy}`}`, () => {
      expect(v, `variant broken-${inv.brokenBy}`).toBeDefined();
      const r = check({ seed: 7, runs: 3000, variant: v!, invariants: [inv], ...on(v!.name) });
      expect(r.counterexample?.invariant ?? 'not caught', r.counterexample?.message).toBe(inv.id);
    });
  }
});

/** Broken variants no invariant names as its `brokenBy`, with the invariant their own tests expect. */
const ALSO: readonly (readonly [variant: string, invariant: string])[] = [
  ['broken-free-keeps-bitmap', 'block-ownership'], // properties/invariants/block-ownership.test.ts
  ['broken-da-other-device', 'driver-contract'], // properties/invariants/driver-contract.test.ts
];

describe('the other broken variants are caught by their invariant', () => {
  for (const [name, id] of ALSO) {
    it(`${id} fails under ${name}`, () => {
      const inv = INVARIANTS.find((i) => i.id === id)!;
      const r = check({ seed: 7, runs: 300, variant: variantByName(name)!, invariants: [inv] });
      expect(r.counterexample?.invariant ?? 'not caught', r.counterexample?.message).toBe(id);
    });
  }
});

// Last: a surviving mutant pays for every test, a killed one only up to the first failure, and
// the corpus and broken variants above stop at their first failing run.
describe('the reference design passes every invariant and the branch catalogue', () => {
  // 200 runs per system leave 3 declared branches unreached at this seed (300 leave 1): enough
  // to judge a mutant, at two thirds of the cost every surviving mutant pays
  it('check --seed 7, 200 runs per system', () => {
    const r = check({ seed: 7, runs: 200, variant: variantByName('reference')! });
    expect({ violation: r.counterexample?.message ?? null, declaredReached: r.declaredReached, undeclared: r.undeclaredBranches })
      .toEqual({ violation: null, declaredReached: [], undeclared: [] });
    expect(checkFailed(r)).toBe(false);
  });
});
