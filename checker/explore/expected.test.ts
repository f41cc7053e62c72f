import { describe, expect, it } from 'vitest';
import { measureExpected, raceVariants, readExpected } from './expected.ts';
import { exploreFamily } from './family-run.ts';
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
    expect(await measureExpected()).toEqual(want);
    // the reference, the successor and five race variants, each explored afresh: minutes on a shared machine
  }, 600_000);
});

describe('fingerprinted visited sets lose nothing at the default bound', () => {
  it('the reference explored with exact keys counts the same states and transitions as the manifest (fingerprints), and the bound printed is the one docs/bounds.md quotes', async () => {
    const want = readExpected().reference;
    const exact = await exploreFamily({ variant: 'reference', bound: readExpected().bound, exactKeys: true });
    expect([exact.verdict, exact.states, exact.transitions, exact.maxDepth]).toEqual([want.verdict, want.states, want.transitions, want.maxDepth]);
    expect(exact.visited).toEqual({ kind: 'exact', collisionBound: 0 });
    const printed = await exploreFamily({ variant: 'reference', bound: readExpected().bound, maxStates: want.states + 1 });
    const quoted = /\(([0-9.]+)·10⁻([⁰¹²³⁴⁵⁶⁷⁸⁹]+) for the default bound\)/.exec(readFileSync(new URL('../../docs/bounds.md', import.meta.url), 'utf8'));
    expect(quoted, 'docs/bounds.md quotes the default bound\'s collision bound').not.toBeNull();
    const exponent = [...quoted![2]].map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(c)).join('');
    expect(printed.visited.collisionBound.toExponential(1)).toBe(`${quoted![1]}e-${exponent}`);
  }, 600_000);
});
