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
  it('docs/bounds.md quotes the recorded numbers', () => {
    const rows = readFileSync('docs/bounds.md', 'utf8').split('\n').filter((l) => /^\| (`Explore|the same)/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    let scenario = '';
    for (const l of rows) {
      const [name, variant, verdict, states, transitions, depth] = l.split('|').slice(1, -1).map((c) => c.trim());
      if (name !== 'the same') scenario = /`([^`]+)`/.exec(name)![1];
      const r = fresh.traces.find((x) => x.file.endsWith(`/${scenario}.trace.json`) && x.variant === variant);
      expect(r, l).toBeDefined();
      expect(verdict.split(' ')[0], l).toBe(r!.invariant ?? r!.verdict);
      expect([Number(states), Number(transitions), Number(depth)], l).toEqual([r!.states, r!.transitions, r!.depth]);
    }
  });
  it('the README quotes the race scenario\'s numbers', () => {
    const r = fresh.traces.find((x) => x.own && x.file.endsWith('/ExploreRace1+PrivLoadHole+StoreHole.trace.json'))!;
    expect(readFileSync('README.md', 'utf8')).toContain(`${r.states} distinct states, ${r.transitions} transitions, deepest ${r.depth} atomic steps after the set-up`);
  });
  it('the exhausted scenario is exhausted on the reference, and each race variant\'s fix is what keeps it so', () => {
    const rows = fresh.traces.filter((r) => r.file.endsWith('Explore+StoreHole+PrivLoadHole+Truncate+PrivLoad.trace.json'));
    expect(rows.find((r) => r.variant === 'reference')?.verdict).toBe('exhausted');
    // race 1 in the first group, race 4 in the second: the search carries every state the first leaves
    expect(rows.find((r) => r.variant === '2.6.26-sparse-race')?.invariant).toBe('sparse-page');
    expect(rows.find((r) => r.variant === '3.19')?.invariant).toBe('no-stale-mapping');
  });
});
