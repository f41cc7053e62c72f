import { describe, expect, it } from 'vitest';
import { regenerate } from '../../counterexamples/regenerate.ts';

/**
 * The race traces in counterexamples/races/ are what the explorer finds today from their own
 * scenarios: the shortest interleaving, its observations and `found` (after a model change,
 * `npx tsx counterexamples/regenerate.ts` rewrites them).
 */
describe('counterexamples/races are current', () => {
  it('every explorer-found race trace is the shortest counterexample of the model as it is', () => {
    const rs = regenerate(false);
    expect(rs.filter((r) => r.to === null || r.changed)).toEqual([]);
    // race 4 with truncate_pagecache's two unmaps (mm/truncate.c, 3.19)
    expect(rs.find((r) => r.file.startsWith('Race4+'))?.to).toBe(25);
  });
});
