#!/usr/bin/env node
// `npm run bounds -- 2x1x3 [SECONDS] [WORKERS]`: explore the reference design at one bound
// (threads x ops x pages) with a time budget (default 280 s) and worker threads (default 1), and
// print one line for docs/bounds.md — verdict, scenarios, distinct states, transitions, deepest
// interleaving, wall time and peak memory. One bound per process, so the peak memory is that
// bound's own. It runs compiled JavaScript (.bench-build/, as `npm run bench` does), as the
// `xipcheck` command runs dist/.
import { compile } from '../scripts/build.mjs';

const [spec, secs = '280', workers = '1'] = process.argv.slice(2);
const m = /^(\d)x(\d)x(\d)$/.exec(spec ?? '');
if (!m || !/^\d+$/.test(secs) || !/^[1-8]$/.test(workers)) {
  process.stderr.write('usage: npm run bounds -- THREADSxOPSxPAGES [SECONDS] [WORKERS 1..8]   (for example 2x1x3 280 2)\n');
  process.exit(2);
}
const status = compile('tsconfig.bench.json', '.bench-build');
if (status !== 0) process.exit(status);
const { exploreFamily } = await import('../.bench-build/checker/explore/family-run.js');
const bound = { threads: Number(m[1]), ops: Number(m[2]), pages: Number(m[3]) };
const r = await exploreFamily({ variant: 'reference', bound, timeBudgetMs: Number(secs) * 1000, workers: Number(workers) });
const c = r.counterexample;
const verdict = r.verdict === 'violation' ? `violation of ${c.invariant} (${c.scenario}, ${c.depth} steps)` : r.verdict === 'limit' ? `NOT exhausted (stopped at ${secs} s; ${r.exhausted} of ${r.scenarios} scenarios done)` : 'exhausted';
const excluded = r.excluded.filter((e) => e.scenarios).map((e) => `${e.name} ${e.scenarios}`).join(', ') || 'none';
// the main thread's peak and, with workers, theirs: resourceUsage counts the whole process
process.stdout.write(`| ${spec} | ${workers} | ${verdict} | ${r.scenarios} (excluded: ${excluded}) | ${r.states} | ${r.transitions} | ${r.maxDepth} | ${(r.elapsedMs / 1000).toFixed(1)} s | ${Math.round(process.resourceUsage().maxRSS / 1024)} MB |\n`);
process.exitCode = r.verdict === 'exhausted' ? 0 : 1;
