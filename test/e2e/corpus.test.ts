import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../checker/trace.ts';
import { replayTrace } from '../../checker/replay.ts';

/**
 * The counterexamples/ corpus is judged like LKMM's litmus tests: every trace replays, every
 * pinned observation matches, and the verdict is the one its `expect` line states.
 */
function traces(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? traces(p) : f.endsWith('.trace.json') ? [p] : [];
  });
}

describe('counterexamples/ corpus', () => {
  const files = traces('counterexamples');
  it('is not empty', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(f, () => {
      const t = parseTrace(JSON.parse(readFileSync(f, 'utf8')));
      expect(t.name, 'name matches the file name').toBe(f.split('/').pop()!.replace(/\.trace\.json$/, ''));
      const r = replayTrace(t);
      expect(r.steps.flatMap((s) => s.mismatches)).toEqual([]);
      // counterexamples/explore/: `expect` is what explore answers over every interleaving, not
      // what one schedule shows (judged by checker/explore/trace-expected.test.ts)
      if (f.split('/').includes('explore')) return;
      expect(r.violation ? `violates ${r.violation.invariant}` : 'holds').toBe(t.expect);
    });
  }
});
