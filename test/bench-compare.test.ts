import { describe, expect, it } from 'vitest';
import { compareBench, renderComparison } from '../bench/compare.ts';

describe('npm run bench -- --against REV: two runs side by side', () => {
  const then = { repeat: 3, explorer: { states: 100, statesPerSecond: { median: 10, min: 9, max: 11 }, only: 1 }, random: { runs: 50, stepsPerSecond: { median: 0, min: 0, max: 0 } } };
  const now = { repeat: 5, explorer: { states: 100, statesPerSecond: { median: 25, min: 20, max: 30 } }, random: { runs: 50, stepsPerSecond: { median: 7, min: 7, max: 7 } }, extra: { median: 3 } };
  it('pairs every median and every plain figure both runs hold, by path, now over then; counts of runs and repeats left out', () => {
    expect(compareBench(then, now)).toEqual([
      { path: 'explorer.states', then: 100, now: 100, ratio: 1 },
      { path: 'explorer.statesPerSecond', then: 10, now: 25, ratio: 2.5 },
      { path: 'random.stepsPerSecond', then: 0, now: 7, ratio: null },
    ]);
  });
  it('renders a row a figure', () => {
    const text = renderComparison(compareBench(then, now), 'abc1234', 'HEAD');
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toMatch(/explorer\.statesPerSecond\s+10\s+25\s+2\.50/);
    expect(text).toMatch(/random\.stepsPerSecond\s+0\s+7\s+n\/a/);
  });
});
