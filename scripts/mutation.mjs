#!/usr/bin/env node
/**
 * `npm run mutation [-- PART…]`: Stryker over model/, one layer at a time (stryker.config.mjs
 * PARTS), each run's report kept when it ends; then the score of every layer whose report exists
 * and of all of them together, from the reports alone. `--summary` only sums the reports.
 *
 *   npm run mutation                 # every layer, then the table
 *   npm run mutation -- mm vfs       # these layers, then the table of every report there is
 *   npm run mutation -- --summary    # the table only
 *   npm run mutation -- --summary --survivors   # and the survivors of every file, by class
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

/**
 * What the survivors are, per file, sorted by what it takes to kill them — read off each
 * mutant's place in the source, so the table in docs/mutation.md is a product, not a count by
 * hand:
 * - step label: the name of an atomic step, a read or a lock (`atomic('i_size_write', …)`): a
 *   trace's story shows it, no invariant reads it;
 * - branch label: a name `cover` counts (which declared branch a run reached);
 * - variant flag: the name of a design variant's flag in `has(ctx.variant, '…')` emptied: the
 *   reference runs the same, and only that variant's own tests (not in the mutation set, which
 *   judges the reference) would tell;
 * - BUG_ON: a `throw` for a state the model never makes (its condition or its message);
 * - behaviour: anything else — a condition, an operator, a value: a test to write, or a reason
 *   to give (docs/mutation.md, "What survives, and why").
 */
const CLASSES = ['step label', 'branch label', 'variant flag', 'BUG_ON', 'behaviour'];
function classOf(lines, m) {
  const line = lines[m.location.start.line - 1] ?? '';
  const before = line.slice(0, m.location.start.column - 1);
  if (m.mutatorName === 'StringLiteral' && /\b(atomic|read|lock|unlock)\(\s*$/.test(before)) return 'step label';
  if (m.mutatorName === 'StringLiteral' && /\bcover\(/.test(line)) return 'branch label';
  if (m.mutatorName === 'StringLiteral' && /\bhas\(ctx\.variant,\s*$/.test(before)) return 'variant flag';
  if (/\bthrow new \w*Error\(/.test(line) && m.location.start.line === m.location.end.line) return 'BUG_ON';
  return 'behaviour';
}
const survivors = [];
for (const part of Object.keys(PARTS)) {
  const f = `reports/mutation/${part}.json`;
  if (!existsSync(f)) continue;
  for (const [file, v] of Object.entries(JSON.parse(readFileSync(f, 'utf8')).files)) {
    const lines = v.source.split('\n');
    const c = Object.fromEntries([...CLASSES, 'no coverage'].map((k) => [k, 0]));
    for (const m of v.mutants) {
      if (m.status === 'Survived') c[classOf(lines, m)]++;
      else if (m.status === 'NoCoverage') c['no coverage']++;
    }
    if (Object.values(c).some((n) => n)) survivors.push({ part, file, ...c });
  }
}
if (args.includes('--survivors')) {
  console.log('');
  console.log(`| file | ${CLASSES.join(' | ')} | no coverage |`);
  console.log(`|---|${CLASSES.map(() => '---').join('|')}|---|`);
  for (const r of survivors.sort((a, b) => a.file.localeCompare(b.file))) console.log(`| ${r.file} | ${CLASSES.map((k) => r[k]).join(' | ')} | ${r['no coverage']} |`);
  const sum = (k) => survivors.reduce((n, r) => n + r[k], 0);
  console.log(`| **all** | ${CLASSES.map((k) => `**${sum(k)}**`).join(' | ')} | **${sum('no coverage')}** |`);
}
writeFileSync('reports/mutation/summary.json', JSON.stringify({ rows: rows.map((r) => ({ ...r, score: score(r) })), total: { ...total, score: score(total) }, missing, survivors }, null, 2) + '\n');
