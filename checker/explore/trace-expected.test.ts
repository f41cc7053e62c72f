import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../trace.ts';
import { exploreTraceFiles, measureTraceExpected, readTraceExpected } from './trace-expected.ts';

/**
 * Expected results as data: what `xipcheck explore TRACE.json` answers on the hand-written
 * scenarios of counterexamples/explore/ (recorded in properties/expected/explore-traces.json)
 * must be exactly what it answers today; `npm run expected` regenerates the file. A scenario's
 * `expect` line is judged here, by explore over every interleaving, not by `run` over its own
 * schedules (test/e2e/corpus.test.ts).
 */
describe('properties/expected/explore-traces.json', () => {
  const fresh = measureTraceExpected();
  it('matches a fresh exploration of every scenario exactly (verdict, invariant, depth, states, transitions)', () => {
    expect(fresh).toEqual(readTraceExpected());
  });
  for (const file of exploreTraceFiles()) {
    it(`${file}: explore on its own variant answers its expect line`, () => {
      const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
      const own = fresh.traces.find((r) => r.file === file && r.own)!;
      expect(own.verdict === 'exhausted' ? 'holds' : `violates ${own.invariant}`).toBe(t.expect);
    });
  }
  it('the exhausted scenario is exhausted on the reference, and each race variant\'s fix is what keeps it so', () => {
    const rows = fresh.traces.filter((r) => r.file.endsWith('Explore+StoreHole+PrivLoadHole+Truncate+PrivLoad.trace.json'));
    expect(rows.find((r) => r.variant === 'reference')?.verdict).toBe('exhausted');
    // race 1 in the first group, race 4 in the second: the search carries every state the first leaves
    expect(rows.find((r) => r.variant === '2.6.26-sparse-race')?.invariant).toBe('sparse-page');
    expect(rows.find((r) => r.variant === '3.19')?.invariant).toBe('no-stale-mapping');
  });
});
