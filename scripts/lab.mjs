#!/usr/bin/env node
/**
 * `npm run lab`: the lab end to end (docs/lab.md). `xipcheck lab diff` installs what it lacks,
 * boots Debian's kernel under QEMU and compares every mount with the model; then the results
 * are kept under lab/results/ for reviewers and as the parsers' test fixtures: the kernel
 * version, the guest's mounts, the stage times, the observations, the diff report and an
 * excerpt of the trace (every fs_dax event and marker; filemap events only for the workload's
 * files, the rest counted in a comment line). Extra arguments go to `xipcheck lab diff`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

const run = join('lab', '.cache', 'run'), results = join('lab', 'results');
const t0 = Date.now();
const r = spawnSync(process.execPath, ['bin/xipcheck.mjs', 'lab', 'diff', '--out', run, ...process.argv.slice(2)], { stdio: 'inherit' });
if (r.status !== 0 && r.status !== 1) process.exit(r.status ?? 1);
mkdirSync(results, { recursive: true });
for (const f of ['kernel.txt', 'mounts.txt', 'obs.jsonl', 'diff.md', 'diff.json']) copyFileSync(join(run, f), join(results, f));
// the stage times of lab/run.sh, and the whole command's (the model's side is the rest)
const stages = readFileSync(join(run, 'stages.tsv'), 'utf8');
writeFileSync(join(results, 'stages.tsv'), `${stages}total\t${((Date.now() - t0) / 1000).toFixed(1)}\n`);

const files = new Set();
const devOf = new Map(readFileSync(join(run, 'mounts.txt'), 'utf8').trim().split('\n').map((l) => { const f = l.split(/\s+/); return [f[0], f[4]]; }));
for (const l of readFileSync(join(run, 'obs.jsonl'), 'utf8').split('\n')) {
  if (!l) continue;
  const o = JSON.parse(l);
  if (o.ino !== undefined) files.add(`${devOf.get(o.mount)}/${o.ino}`);
}
let dropped = 0;
const kept = readFileSync(join(run, 'trace.txt'), 'utf8').split('\n').filter((l) => {
  const m = / (mm_filemap_\w+): dev (\d+:\d+) ino ([0-9a-f]+) /.exec(l);
  if (!m) return true;
  if (files.has(`${m[2]}/${parseInt(m[3], 16)}`)) return true;
  dropped++;
  return false;
});
writeFileSync(join(results, 'trace.txt'), `# xipcheck lab excerpt: ${dropped} filemap events of other inodes (metadata, the block devices) dropped\n${kept.join('\n')}`);
process.exit(r.status);
