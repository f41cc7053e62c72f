#!/usr/bin/env node
// `npm run bounds -- 2x1x3 [SECONDS]`: explore the reference design at one bound (threads x
// ops x pages) with a time budget (default 280 s) and print one line for docs/bounds.md —
// verdict, scenarios, distinct states, transitions, deepest interleaving, wall time and peak
// memory. One bound per process, so the peak memory is that bound's own.
import { register } from 'tsx/esm/api';

register();
const [spec, secs = '280'] = process.argv.slice(2);
const m = /^(\d)x(\d)x(\d)$/.exec(spec ?? '');
if (!m || !/^\d+$/.test(secs)) {
  process.stderr.write('usage: npm run bounds -- THREADSxOPSxPAGES [SECONDS]   (for example 2x1x3 280)\n');
  process.exit(2);
}
const { exploreFamily } = await import('../checker/explore/family-run.ts');
const bound = { threads: Number(m[1]), ops: Number(m[2]), pages: Number(m[3]) };
const r = await exploreFamily({ variant: 'reference', bound, timeBudgetMs: Number(secs) * 1000 });
const c = r.counterexample;
const verdict = r.verdict === 'violation' ? `violation of ${c.invariant} (${c.scenario}, ${c.depth} steps)` : r.verdict === 'limit' ? `NOT exhausted (stopped at ${secs} s; ${r.exhausted} of ${r.scenarios} scenarios done)` : 'exhausted';
const excluded = r.excluded.filter((e) => e.scenarios).map((e) => `${e.name} ${e.scenarios}`).join(', ') || 'none';
process.stdout.write(`| ${spec} | ${verdict} | ${r.scenarios} (excluded: ${excluded}) | ${r.states} | ${r.transitions} | ${r.maxDepth} | ${(r.elapsedMs / 1000).toFixed(1)} s | ${Math.round(process.resourceUsage().maxRSS / 1024)} MB |\n`);
process.exitCode = r.verdict === 'exhausted' ? 0 : 1;
