#!/usr/bin/env node
/**
 * `npm run mutation [-- PART…]`: Stryker over model/, one layer at a time (stryker.config.mjs
 * PARTS), each run's report kept when it ends; then the score of every layer whose report exists
 * and of all of them together, from the reports alone. `--summary` only sums the reports.
 *
 *   npm run mutation                 # every layer, then the table
 *   npm run mutation -- mm vfs       # these layers, then the table of every report there is
 *   npm run mutation -- --summary    # the table only
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PARTS } from '../stryker.config.mjs';

const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
const asked = args.filter((a) => !a.startsWith('--'));
for (const a of asked) if (!(a in PARTS)) { console.error(`mutation: no layer "${a}" (layers: ${Object.keys(PARTS).join(', ')})`); process.exit(2); }
const parts = asked.length ? asked : Object.keys(PARTS);
mkdirSync('reports/mutation', { recursive: true });
const timesFile = 'reports/mutation/times.json';
const times = existsSync(timesFile) ? JSON.parse(readFileSync(timesFile, 'utf8')) : {};

if (!summaryOnly) {
  for (const part of parts) {
    const t0 = Date.now();
    console.log(`== mutation: ${part} (${PARTS[part].join(', ')})`);
    const r = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, MUTATION_PART: part } });
    if (r.status !== 0) { console.error(`mutation: stryker failed on ${part} (exit ${r.status})`); process.exit(1); }
    times[part] = { seconds: Math.round((Date.now() - t0) / 1000), at: new Date().toISOString() };
    writeFileSync(timesFile, JSON.stringify(times, null, 2) + '\n');
  }
}

// mutation-testing-report-schema: files → mutants, each with a status
const KEYS = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];
const rows = [];
for (const part of Object.keys(PARTS)) {
  const f = `reports/mutation/${part}.json`;
  if (!existsSync(f)) continue;
  const c = Object.fromEntries(KEYS.map((k) => [k, 0]));
  for (const file of Object.values(JSON.parse(readFileSync(f, 'utf8')).files)) for (const m of file.mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  rows.push({ part, ...c, seconds: times[part]?.seconds ?? null });
}
if (!rows.length) { console.error('mutation: no report yet (reports/mutation/PART.json): run npm run mutation'); process.exit(1); }
const total = Object.fromEntries(['part', ...KEYS, 'seconds'].map((k) => [k, k === 'part' ? 'all' : rows.reduce((n, r) => (n === null || r[k] === null ? null : n + r[k]), 0)]));
const score = (r) => {
  const detected = r.Killed + r.Timeout, valid = detected + r.Survived + r.NoCoverage;
  return { total: valid ? (100 * detected) / valid : 0, covered: detected + r.Survived ? (100 * detected) / (detected + r.Survived) : 0 };
};
const line = (r) => {
  const s = score(r);
  return `| ${r.part} | ${s.total.toFixed(2)} % | ${s.covered.toFixed(2)} % | ${r.Killed} | ${r.Timeout} | ${r.Survived} | ${r.NoCoverage} | ${r.Ignored} | ${r.seconds === null ? '?' : `${Math.round(r.seconds / 60)} min`} |`;
};
const missing = Object.keys(PARTS).filter((p) => !rows.some((r) => r.part === p));
console.log('| layer | score (total) | score (covered) | killed | timeout | survived | no coverage | ignored (static) | wall time |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(line(r));
console.log(line(total).replace('| all |', `| **all${missing.length ? ` but ${missing.join(', ')}` : ' of model/'}** |`));
writeFileSync('reports/mutation/summary.json', JSON.stringify({ rows: rows.map((r) => ({ ...r, score: score(r) })), total: { ...total, score: score(total) }, missing }, null, 2) + '\n');
