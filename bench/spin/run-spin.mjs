#!/usr/bin/env node
// Runs the SPIN model of race 1 (bench/spin/race1.pml) with the fix off and on and prints ONE
// JSON object on stdout: {"spin":{...}}. Never crashes: any failure prints
// {"spin":{"error":"one line"}} and exits 0. Plain Node 20 ESM, no dependencies.
//
// Needs `spin` (Debian package `spin`, installed here if missing) and `gcc`.
// Each configuration: spin -a [-DFIXED=..] race1.pml → gcc -O2 -DSAFETY [-DBFS] → ./pan,
// in a fresh temp dir; for a failing run the trail is replayed with `spin -t -p`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const MODEL = join(HERE, 'race1.pml');
const GRANULARITY =
  'one SPIN transition per kernel step: mutex_lock/unlock, get_xip_mem call, seqcount ' +
  'increment, seqcount read, pte check-and-insert, __xip_unmap vma walk, data copy ' +
  '(d_step only where one kernel step is test+set; no atomic; spin statement merging left on ' +
  'and -o3 gives the same transition table; POR on unless noReduce)';

function run(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeout ?? 120_000,
    cwd: opts.cwd,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`${cmd}: ${r.error.code ?? r.error.message}`);
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds };
}

function have(cmd, args) {
  try {
    return run(cmd, args, { timeout: 30_000 }).status === 0;
  } catch {
    return false;
  }
}

function ensureSpin() {
  if (have('spin', ['-V'])) return;
  const install = () => run('apt-get', ['install', '-y', 'spin'], { timeout: 600_000 }).status === 0;
  if (!install()) {
    run('apt-get', ['update'], { timeout: 600_000 });
    if (!install()) throw new Error('apt-get install -y spin failed');
  }
  if (!have('spin', ['-V'])) throw new Error('spin not on PATH after install');
}

function oneLine(s) {
  return String(s).replace(/\s+/g, ' ').trim().slice(0, 300);
}

function num(re, text) {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * One verification run. defines: spin -D flags (model macros); cflags: extra gcc -D flags;
 * spinOpts: extra spin -a options (e.g. -o3).
 */
function verify(work, { defines = [], cflags = [], spinOpts = [], trail = false }) {
  rmSync(join(work, 'pan'), { force: true });
  rmSync(join(work, 'race1.pml.trail'), { force: true });
  const gen = run('spin', [...spinOpts, '-a', ...defines, 'race1.pml'], { cwd: work });
  if (gen.status !== 0 || !existsSync(join(work, 'pan.c'))) throw new Error(`spin -a failed: ${oneLine(gen.stdout + gen.stderr)}`);
  const cc = run('gcc', ['-O2', '-DSAFETY', ...cflags, '-o', 'pan', 'pan.c'], { cwd: work });
  if (cc.status !== 0) throw new Error(`gcc pan.c failed: ${oneLine(cc.stderr)}`);
  const pan = run('./pan', [], { cwd: work, timeout: 600_000 });
  const out = pan.stdout;
  const states = num(/(\d+) states, stored/, out);
  const transitions = num(/(\d+) transitions \(= stored\+matched\)/, out);
  const errors = num(/errors: (\d+)/, out);
  if (states === undefined || transitions === undefined || errors === undefined) {
    throw new Error(`cannot parse pan output (exit ${pan.status}): ${oneLine(out + pan.stderr)}`);
  }
  const res = {
    states,
    transitions,
    matched: num(/(\d+) states, matched/, out),
    seconds: Number(pan.seconds.toFixed(4)),
    panElapsedSeconds: num(/pan: elapsed time ([0-9.e+-]+) seconds/, out),
    errors,
    statesPerSecond: Math.round(states / Math.max(pan.seconds, 1e-9)),
    bytesPerState: undefined,
    depthReached: num(/depth reached (\d+)/, out),
    stateVectorBytes: num(/State-vector (\d+) byte/, out),
    // pan's own account of what the stored states take (hash table and state vectors), in MB
    stateMemoryMB: num(/([0-9.]+)\s+equivalent memory usage for states/, out),
    // and all it allocated (the hash table, the BFS queue), in MB
    totalMemoryMB: num(/([0-9.]+)\s+total actual memory usage/, out),
    compileSeconds: Number((gen.seconds + cc.seconds).toFixed(3)),
  };
  if (res.stateMemoryMB !== undefined) res.bytesPerState = Math.round((res.stateMemoryMB * 2 ** 20) / Math.max(states, 1));
  const viol = /pan:1: (.*?) \(at depth (\d+)\)/.exec(out);
  if (viol) {
    res.violation = viol[1].trim();
    res.errorDepth = Number(viol[2]);
  }
  if (trail && errors > 0) Object.assign(res, replay(work, defines));
  return res;
}

/** Replays race1.pml.trail: trailSteps = transitions in the trail (incl. init's), kernelSteps = steps of A and B. */
function replay(work, defines) {
  const file = join(work, 'race1.pml.trail');
  if (!existsSync(file)) throw new Error('pan reported an error but wrote no trail');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => /^\d+:\d+:\d+$/.test(l.trim()));
  const sim = run('spin', ['-t', '-p', ...defines, 'race1.pml'], { cwd: work });
  const steps = new Map(); // step number -> proc name (a d_step prints several lines with one number)
  for (const l of sim.stdout.split('\n')) {
    const m = /^\s*(\d+):\s+proc\s+\d+\s+\((\w+):\d+\)/.exec(l);
    if (m) steps.set(Number(m[1]), m[2]);
  }
  const schedule = [...steps.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p).filter((p) => p === 'A' || p === 'B');
  const ends = /spin: trail ends after (\d+) steps/.exec(sim.stdout);
  return {
    trailSteps: lines.length,
    replaySteps: ends ? Number(ends[1]) : undefined,
    kernelSteps: schedule.length,
    schedule: schedule.join(''),
  };
}

function main() {
  if (!existsSync(MODEL)) throw new Error(`model not found: ${MODEL}`);
  if (!have('gcc', ['--version'])) throw new Error('gcc not on PATH');
  ensureSpin();
  const version = /Spin Version ([^\s]+)/.exec(run('spin', ['-V']).stdout)?.[1] ?? 'unknown';
  const work = mkdtempSync(join(tmpdir(), 'xipcheck-spin-'));
  try {
    copyFileSync(MODEL, join(work, 'race1.pml'));
    const FIX = ['-DFIXED=1'], UNFIX = ['-DFIXED=0'], BFS = ['-DBFS'];
    const fixed = verify(work, { defines: FIX, cflags: BFS });
    const unfixed = verify(work, { defines: UNFIX, cflags: BFS, trail: true });
    const dfs = {
      fixed: verify(work, { defines: FIX }),
      unfixed: verify(work, { defines: UNFIX, trail: true }),
    };
    const noReduce = {
      fixed: verify(work, { defines: FIX, cflags: [...BFS, '-DNOREDUCE'] }),
      unfixed: verify(work, { defines: UNFIX, cflags: [...BFS, '-DNOREDUCE'], trail: true }),
    };
    const noMerge = { fixed: verify(work, { defines: FIX, cflags: BFS, spinOpts: ['-o3'] }) };
    // the same race at larger bounds: COPIES copies, each on a page of its own, sharing the
    // kernel's globals. Two copies are still a search shorter than pan's start-up; three are
    // seconds of search, where the start-up is a few per cent of the run
    const scaled = {
      copies2: verify(work, { defines: [...FIX, '-DCOPIES=2'], cflags: BFS }),
      copies3: verify(work, { defines: [...FIX, '-DCOPIES=3'], cflags: BFS }),
    };
    const unfixedEndStateOnly = verify(work, { defines: [...UNFIX, '-DINVARIANT=0'], cflags: BFS, trail: true });
    const unfixedSparsePageExists = verify(work, { defines: [...UNFIX, '-DSPARSE_PAGE_INIT=1'], cflags: BFS, trail: true });
    const ok = fixed.errors === 0 && unfixed.errors > 0 && dfs.fixed.errors === 0 && dfs.unfixed.errors > 0 && scaled.copies2.errors === 0 && scaled.copies3.errors === 0;
    return {
      spin: {
        version,
        model: 'bench/spin/race1.pml',
        options: 'spin -a -DFIXED=N race1.pml; gcc -O2 -DSAFETY -DBFS -o pan pan.c; ./pan (defaults -m10000 -w24); trail: spin -t -p',
        ok,
        fixed,
        unfixed,
        dfs,
        noReduce,
        noMerge,
        scaled,
        unfixedEndStateOnly,
        unfixedSparsePageExists,
        granularity: GRANULARITY,
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let result;
try {
  result = main();
} catch (e) {
  result = { spin: { error: oneLine(e?.message ?? e) } };
}
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
