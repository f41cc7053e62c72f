import { describe, expect, it } from 'vitest';
import { measureExpected, raceVariants, readExpected } from './expected.ts';
import { exploreFamily } from './family-run.ts';
import { explore } from './explore.ts';
import { familyAll } from './family.ts';
import { variantByName } from '../../model/variants.ts';
import { readFileSync } from 'node:fs';

/**
 * Expected results as data: the explore verdicts recorded in properties/expected/explore.json
 * must be exactly what the explorer answers today. A change to the model or the family that
 * moves a number fails here until the file is regenerated (`npm run expected`) and the diff
 * reviewed.
 */
describe('properties/expected/explore.json', () => {
  it('matches a fresh exploration exactly (reference state count, transitions, depth; each race\'s invariant and length)', async () => {
    const want = readExpected();
    expect(want.races.map((r) => r.variant)).toEqual(raceVariants());
    // transitionsWithoutPor is the next test's to measure
    expect(await measureExpected({ withoutPor: want.reference.transitionsWithoutPor })).toEqual(want);
    // the reference, the successor and five race variants, each explored afresh: minutes on a shared machine
  }, 600_000);
});

describe('fingerprinted visited sets and the partial-order reduction lose nothing at the default bound', () => {
  it('the reference explored with exact keys and without the reduction visits the same states to the same depth as the manifest (fingerprints, reduced), taking the transitions it records, and the collision bound it records is the one docs/bounds.md quotes', async () => {
    const want = readExpected().reference;
    const exact = await exploreFamily({ variant: 'reference', bound: readExpected().bound, exactKeys: true, por: false });
    expect([exact.verdict, exact.states, exact.transitions, exact.maxDepth]).toEqual([want.verdict, want.states, want.transitionsWithoutPor, want.maxDepth]);
    expect(exact.por).toEqual({ on: false, pruned: 0, fallbacks: 0 });
    expect(want.transitionsWithoutPor - want.transitions, 'what the reduction saves').toBeGreaterThan(0);
    expect(exact.visited).toEqual({ kind: 'exact', collisionBound: 0 });
    const quoted = /\(([0-9.]+)·10⁻([⁰¹²³⁴⁵⁶⁷⁸⁹]+) for the default bound\)/.exec(readFileSync(new URL('../../docs/bounds.md', import.meta.url), 'utf8'));
    expect(quoted, 'docs/bounds.md quotes the default bound\'s collision bound').not.toBeNull();
    const exponent = [...quoted![2]].map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(c)).join('');
    // the manifest's bound is the fresh fingerprinted run's (the test above)
    expect(want.collisionBound.toExponential(1)).toBe(`${quoted![1]}e-${exponent}`);
  }, 600_000);
});

describe('docs/bounds.md quotes the manifest', () => {
  it('every row of the default bound in its tables has the manifest\'s scenarios, states, transitions (with the reduction or, in the tables before it, without) and depth', () => {
    const want = readExpected().reference;
    const rows = readFileSync(new URL('../../docs/bounds.md', import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('| 2x1x3 (default) |'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [, , verdict, scenarios, states, transitions, depth] = row.split('|').map((c) => c.trim());
      expect([verdict, scenarios, Number(states), Number(depth)], row).toEqual([want.verdict, `${want.scenarios} (excluded: read-vs-truncate ${want.excluded['read-vs-truncate']})`, want.states, want.maxDepth]);
      expect([want.transitions, want.transitionsWithoutPor], row).toContain(Number(transitions));
    }
  });
});

describe('the partial-order reduction changes no verdict', () => {
  it('every race variant, in the scenario where the manifest (measured with it) found its shortest counterexample, fails the same invariant with a counterexample of the same length without it', () => {
    const want = readExpected();
    const byName = new Map([...familyAll(want.bound)].map((x) => [x.name, x]));
    const got = want.races.map((r) => {
      const sc = byName.get(r.scenario)!;
      const x = explore({ name: sc.name, config: sc.config, setup: sc.setup, threads: sc.threads }, { variant: variantByName(r.variant)!, por: false });
      return { variant: r.variant, verdict: x.verdict, invariant: x.violation?.invariant, depth: x.violation?.schedule.length };
    });
    expect(got).toEqual(want.races.map((r) => ({ variant: r.variant, verdict: r.verdict, invariant: r.invariant, depth: r.depth })));
  }, 600_000);
});
