import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { VARIANTS } from '../../model/variants.ts';
import { exploreFamily } from './family-run.ts';
import { DEFAULT_BOUND } from './family.ts';

/**
 * Expected results as data (TLA+'s habit of checking a model's state count and its
 * counterexamples' lengths against recorded numbers): what `xipcheck explore` answers at the
 * default bound, for the reference design and for every historical race variant. `npm test`
 * compares a fresh exploration with the file exactly; `npm run expected` rewrites the file,
 * deliberately, when the model or the family changes.
 */
export const EXPECTED_FILE = 'properties/expected/explore.json';

const Bound = z.strictObject({ threads: z.number().int(), ops: z.number().int(), pages: z.number().int() });

export const ExpectedExplore = z.strictObject({
  about: z.string(),
  bound: Bound,
  reference: z.strictObject({
    verdict: z.literal('exhausted'),
    scenarios: z.number().int(),
    excluded: z.record(z.string(), z.number().int()),
    states: z.number().int(),
    /** With the partial-order reduction (the default), and without it (`--no-por`): the states are the same. */
    transitions: z.number().int(),
    transitionsWithoutPor: z.number().int(),
    maxDepth: z.number().int(),
    /** The report's bound on the probability that a fingerprint collision hid a state (docs/bounds.md quotes it). */
    collisionBound: z.number(),
  }),
  /** The successor design with every race no XIP kernel fixed put back: what DAX 6.1's locking makes of them. */
  successor: z.strictObject({
    variant: z.string(),
    verdict: z.literal('exhausted'),
    include: z.array(z.string()),
    scenarios: z.number().int(),
    states: z.number().int(),
    transitions: z.number().int(),
    maxDepth: z.number().int(),
  }),
  races: z.array(z.strictObject({
    variant: z.string(),
    verdict: z.literal('violation'),
    invariant: z.string(),
    /** Atomic steps of the shortest counterexample's interleaving. */
    depth: z.number().int(),
    scenario: z.string(),
  })),
});
export type ExpectedExplore = z.infer<typeof ExpectedExplore>;

/** The variants whose race explore must find: the historical kernels (not the broken models, not the mutation corpus). */
export function raceVariants(): string[] {
  // the historical-bug library (hist-* flags) is judged by its own traces (test/history.test.ts),
  // and the successor design has no race to find (SUCCESSOR), not by explore
  return VARIANTS.filter((v) => v.flags.size > 0 && !v.name.startsWith('broken-') && !v.name.startsWith('mutant-') && !v.flags.has('dax-6.1') && ![...v.flags].every((f) => f.startsWith('hist-'))).map((v) => v.name);
}

/** The successor design, explored with the races no XIP kernel fixed put back (docs/lab.md). */
export const SUCCESSOR = { variant: 'dax-6.1', include: ['read-vs-truncate', 'sparse-window', 'truncate-aba'] as const };

/** Explore the reference, the successor and every race variant at the default bound; what the manifest records. */
export async function measureExpected(o: { withoutPor?: number } = {}): Promise<ExpectedExplore> {
  const bound = DEFAULT_BOUND;
  const r = await exploreFamily({ variant: 'reference', bound });
  // the reference once more without the reduction, unless the caller measures that itself (expected.test.ts)
  const transitionsWithoutPor = o.withoutPor ?? (await exploreFamily({ variant: 'reference', bound, por: false })).transitions;
  if (r.verdict !== 'exhausted') throw new Error(`the reference does not exhaust the default bound (${r.verdict}${r.counterexample ? `: ${r.counterexample.invariant}, ${r.counterexample.scenario}` : ''}): pick a bound it exhausts`);
  const d = await exploreFamily({ variant: SUCCESSOR.variant, bound, include: SUCCESSOR.include });
  if (d.verdict !== 'exhausted') throw new Error(`the successor design ${SUCCESSOR.variant} does not exhaust the default bound (${d.verdict}${d.counterexample ? `: ${d.counterexample.invariant}, ${d.counterexample.scenario}` : ''})`);
  const successor = { variant: SUCCESSOR.variant, verdict: 'exhausted' as const, include: [...SUCCESSOR.include], scenarios: d.scenarios, states: d.states, transitions: d.transitions, maxDepth: d.maxDepth };
  const races = [];
  for (const variant of raceVariants()) {
    const v = await exploreFamily({ variant, bound });
    const c = v.counterexample;
    if (v.verdict !== 'violation' || !c) throw new Error(`explore does not find the race of variant ${variant} at the default bound (${v.verdict})`);
    races.push({ variant, verdict: 'violation' as const, invariant: c.invariant, depth: c.depth, scenario: c.scenario });
  }
  return {
    about: 'xipcheck explore at the default bound: judged exactly by checker/explore/expected.test.ts; regenerate with `npm run expected` when the model or the family changes',
    bound,
    reference: {
      verdict: 'exhausted', scenarios: r.scenarios,
      excluded: Object.fromEntries(r.excluded.map((e) => [e.name, e.scenarios])),
      states: r.states, transitions: r.transitions, transitionsWithoutPor, maxDepth: r.maxDepth, collisionBound: r.visited.collisionBound,
    },
    successor,
    races,
  };
}

export function readExpected(path = EXPECTED_FILE): ExpectedExplore {
  return ExpectedExplore.parse(JSON.parse(readFileSync(path, 'utf8')));
}
