import { describe, expect, it } from 'vitest';
import { measureExpected, raceVariants, readExpected } from './expected.ts';

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
