import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { variantByName } from '../../model/variants.ts';
import { parseTrace } from '../trace.ts';
import { raceVariants } from './expected.ts';
import { exploreTrace } from './trace-explore.ts';

/**
 * Expected results as data for `xipcheck explore TRACE.json`, as properties/expected/explore.json
 * is for the family: every hand-written scenario in counterexamples/explore/, explored on its
 * own variant and on every historical race variant, with its verdict, the invariant of its
 * shortest counterexample, and its state and transition counts. `npm test` compares a fresh
 * exploration with the file exactly; `npm run expected` rewrites it.
 */
export const TRACE_EXPECTED_FILE = 'properties/expected/explore-traces.json';
export const EXPLORE_TRACES_DIR = 'counterexamples/explore';

const Row = z.strictObject({
  file: z.string(),
  variant: z.string(),
  /** The variant the trace names itself (its `expect` line is about this one). */
  own: z.boolean(),
  verdict: z.enum(['exhausted', 'violation', 'limit']),
  invariant: z.string().nullable(),
  /** Atomic steps after the set-up: of the shortest counterexample, or of the deepest path. */
  depth: z.number().int(),
  states: z.number().int(),
  transitions: z.number().int(),
});

export const ExpectedTraces = z.strictObject({ about: z.string(), traces: z.array(Row) });
export type ExpectedTraces = z.infer<typeof ExpectedTraces>;

export function exploreTraceFiles(dir = EXPLORE_TRACES_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.trace.json')).sort().map((f) => join(dir, f));
}

export function measureTraceExpected(dir = EXPLORE_TRACES_DIR): ExpectedTraces {
  const traces = [];
  for (const file of exploreTraceFiles(dir)) {
    const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
    const variants = [t.variant, ...raceVariants().filter((v) => v !== t.variant), ...(t.variant === 'reference' ? [] : ['reference'])];
    for (const variant of variants) {
      const r = exploreTrace(t, { variant: variantByName(variant)! });
      traces.push({
        file, variant, own: variant === t.variant, verdict: r.verdict, invariant: r.violation?.invariant ?? null,
        depth: r.violation?.depth ?? r.depth, states: r.states, transitions: r.transitions,
      });
    }
  }
  return {
    about: 'xipcheck explore TRACE.json on every scenario of counterexamples/explore/, on its own variant and on every historical race variant: judged exactly by checker/explore/trace-expected.test.ts; regenerate with `npm run expected` when the model or a scenario changes',
    traces,
  };
}

export function readTraceExpected(path = TRACE_EXPECTED_FILE): ExpectedTraces {
  return ExpectedTraces.parse(JSON.parse(readFileSync(path, 'utf8')));
}
