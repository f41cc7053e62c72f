#!/usr/bin/env node
// `npm run expected`: re-measures what `xipcheck explore` answers at the default bound and on
// the scenarios of counterexamples/explore/, and rewrites properties/expected/explore.json and
// properties/expected/explore-traces.json, which `npm test` then judges exactly. Run it
// deliberately after a change to the model, the family or a scenario, and review the diff.
import { register } from 'tsx/esm/api';
import { writeFileSync } from 'node:fs';

register();
const { EXPECTED_FILE, measureExpected } = await import('../checker/explore/expected.ts');
const { TRACE_EXPECTED_FILE, measureTraceExpected } = await import('../checker/explore/trace-expected.ts');
const t0 = Date.now();
const m = await measureExpected();
writeFileSync(EXPECTED_FILE, `${JSON.stringify(m, null, 2)}\n`);
process.stdout.write(`${EXPECTED_FILE} written (${((Date.now() - t0) / 1000).toFixed(1)} s): reference ${m.reference.states} states, ${m.reference.transitions} transitions, depth ${m.reference.maxDepth}; ${m.races.map((r) => `${r.variant} ${r.invariant} in ${r.depth}`).join(', ')}\n`);
const t1 = Date.now();
const tr = measureTraceExpected();
writeFileSync(TRACE_EXPECTED_FILE, `${JSON.stringify(tr, null, 2)}\n`);
process.stdout.write(`${TRACE_EXPECTED_FILE} written (${((Date.now() - t1) / 1000).toFixed(1)} s): ${tr.traces.filter((r) => r.own).map((r) => `${r.file.split('/').pop()} ${r.verdict}${r.invariant ? ` of ${r.invariant}` : ''} in ${r.states} states`).join('; ')}\n`);
