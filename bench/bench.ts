/**
 * `npm run bench`: throughput and time-to-counterexample of both checking modes, as medians
 * over several runs (the machines are noisy: quote medians and ratios, not single times).
 *
 *   random runs     atomic steps/s and runs/s of `check` on the reference systems (one core)
 *   first cex       time and runs to the first counterexample on a broken model
 *   races           per historical race: time and length in `check` (shrunk) and `explore`
 *                   (shortest), and their ratio
 *   explorer        distinct states/s on the default bound, warm and from a cold start; what
 *                   symmetry and the reduction save; the heap per stored state
 *   spin            race 1 in SPIN (bench/spin/) side by side, as ratios: at its own bound, and
 *                   two and three copies of it (the three-copy search seconds long in SPIN)
 *
 * Options: --repeat N (default 5), --quick (repeat 3, fewer runs), --json (machine-readable).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { check } from '../checker/check.ts';
import * as explorer from '../checker/explore/explore.ts';
import { exploreSome } from '../checker/explore/family-run.ts';
import { DEFAULT_BOUND, familyAll, familyConfig, familySetup } from '../checker/explore/family.ts';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
import { variantByName } from '../model/variants.ts';
import { INVARIANTS } from '../properties/registry.ts';
import type { Action } from '../model/actions.ts';
import fc from 'fast-check';
import { commandsArb } from '../properties/arbitraries.ts';
import { REFERENCE_SUITE } from '../properties/suites/reference.ts';
import { runCommands } from '../checker/sequence.ts';
import { makeSystem } from '../checker/system.ts';
import { newCounters } from '../checker/execute.ts';

/**
 * The heap a search keeps per stored state: the heap after a forced collection, sampled every
 * `every`-th poll of the search's `stop` (a poll is every 64 expansions) and the largest sample
 * kept, above the level before the search, over the states it stored; and the heap's peak at
 * the polls, garbage not yet collected included. A collection at every poll costs more than a
 * large search itself, hence `every`; the last sample may precede the end by `every` polls. A
 * search too small to raise the collected heap above where it started measures nothing: null.
 */
function heapPerState(every: number, run: (stop: () => null) => number): { states: number; bytesPerState: number | null; peakBytesPerState: number } {
  fresh();
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base, kept = base, polls = 0;
  const states = run(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    if (++polls % every === 0) { gc(); kept = Math.max(kept, process.memoryUsage().heapUsed); }
    return null;
  });
  const per = (b: number) => Math.round((b - base) / Math.max(states, 1));
  return { states, bytesPerState: kept > base ? per(kept) : null, peakBytesPerState: per(peak) };
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const repeat = Number(args[args.indexOf('--repeat') + 1]) || (quick ? 3 : 5);
const asJson = args.includes('--json');

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const stats = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const fmt = (x: { median: number; min: number; max: number }, d = 0) => `${x.median.toFixed(d)} (min ${x.min.toFixed(d)}, max ${x.max.toFixed(d)})`;
const { explore } = explorer;
/**
 * Each timed search starts without the set-ups and final-read verdicts an earlier one in this
 * process left (explore.ts forgetSetUps), as a search in a fresh process does: a repeat must
 * not time the cache the first run filled. A commit older than forgetSetUps (`--against`) shares
 * its set-ups between repeats, as its own bench did.
 */
const fresh = (): void => (explorer as { forgetSetUps?: () => void }).forgetSetUps?.();
function time<T>(f: () => T): [T, number] {
  fresh();
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
}
const out: Record<string, unknown> = { repeat };
const say = (s: string) => { if (!asJson) console.log(s); };

// ---- random runs --------------------------------------------------------------------------
{
  const runs = quick ? 100 : 300;
  const sps: number[] = [], rps: number[] = [], raw: number[] = [];
  check({ seed: 99, runs: 50, variant: variantByName('reference')! }); // warm the JIT up
  // the model alone: the same command sequences, no invariant evaluated
  for (let i = 0; i < repeat; i++) {
    const sys = makeSystem(REFERENCE_SUITE[0].name, REFERENCE_SUITE[0].config, variantByName('reference')!);
    const seqs = fc.sample(commandsArb(2, 3, 10, 40), { seed: 400 + i, numRuns: runs });
    const counters = newCounters();
    const [, secs] = time(() => { for (const c of seqs) runCommands(sys, c, [], counters); });
    raw.push(counters.steps / secs);
  }
  for (let i = 0; i < repeat; i++) {
    const [r, secs] = time(() => check({ seed: 100 + i, runs, variant: variantByName('reference')! }));
    const steps = r.systems.reduce((n, s) => n + s.steps, 0);
    const total = r.systems.reduce((n, s) => n + s.runs, 0);
    sps.push(steps / secs);
    rps.push(total / secs);
  }
  out.random = { runsPerSystem: runs, stepsPerSecond: stats(sps), runsPerSecond: stats(rps), modelOnlyStepsPerSecond: stats(raw) };
  say(`random runs (reference, ${runs} runs per system, one core, ${repeat} repeats)`);
  say(`  atomic steps/s, model only (no invariant)       ${fmt(stats(raw))}`);
  say(`  atomic steps/s, check (${INVARIANTS.length} invariants each step) ${fmt(stats(sps))}`);
  say(`  runs/s, check                                  ${fmt(stats(rps))}`);
}

// ---- first counterexample on a broken model -----------------------------------------------
{
  const secs: number[] = [], lens: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const [r, s] = time(() => check({ seed: 200 + i, runs: 5000, variant: variantByName('broken-read-skips-data')! }));
    secs.push(s);
    lens.push(r.counterexample ? r.counterexample.steps.length : NaN);
  }
  out.firstCounterexample = { variant: 'broken-read-skips-data', seconds: stats(secs), shrunkCalls: stats(lens) };
  say(`\nfirst counterexample (check --variant broken-read-skips-data, incl. shrinking)`);
  say(`  seconds         ${fmt(stats(secs), 2)}`);
  say(`  shrunk length   ${fmt(stats(lens))} calls`);
}

// ---- the races in both modes --------------------------------------------------------------
const bound = DEFAULT_BOUND;
const RACES: { variant: string; threads: Action[][] }[] = [
  { variant: '2.6.26-sparse-race', threads: [[{ op: 'load', pid: 1, addr: 9, len: 1 }], [{ op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 5 }]] },
  { variant: '2.6.26-alloc-race', threads: [[{ op: 'store', pid: 0, addr: 9, bytes: [5] }], [{ op: 'store', pid: 0, addr: 9, bytes: [6] }]] },
  { variant: '3.2', threads: [[{ op: 'load', pid: 0, addr: 5, len: 1 }], [{ op: 'load', pid: 0, addr: 5, len: 1 }]] },
  { variant: '3.19', threads: [[{ op: 'load', pid: 0, addr: 5, len: 1 }], [{ op: 'ftruncate', pid: 0, fd: 0, len: 0 }]] },
];
{
  say(`\nraces (${repeat} repeats; check: seeds 300.., shrunk; explore: the whole default bound ${bound.threads}x${bound.ops}x${bound.pages}, shortest)`);
  say(`  ${'variant'.padEnd(20)} ${'check s'.padStart(8)} ${'check inv'.padEnd(17)} ${'shrunk'.padStart(7)} ${'explore s'.padStart(9)} ${'states'.padStart(7)} ${'shortest'.padStart(8)}  shrunk/shortest`);
  const races: unknown[] = [];
  for (const race of RACES) {
    const v = variantByName(race.variant)!;
    const cs: number[] = [], clen: number[] = [], es: number[] = [];
    let inv = '', states = 0, shortest = 0;
    for (let i = 0; i < repeat; i++) {
      const [r, s] = time(() => check({ seed: 300 + i, runs: 3000, variant: v }));
      cs.push(s);
      inv = r.counterexample?.invariant ?? 'none';
      const conc = r.counterexample?.steps.find((st) => st.interleaving?.length);
      clen.push(conc?.interleaving?.length ?? NaN);
    }
    for (let i = 0; i < repeat; i++) {
      const [r, s] = time(() => exploreSome({ variant: race.variant, bound }, null));
      es.push(s);
      const viol = r.filter((x) => x.violation);
      states = r.reduce((n, x) => n + x.states, 0);
      shortest = Math.min(...viol.map((x) => x.violation!.schedule.length));
    }
    const row = { variant: race.variant, check: { seconds: stats(cs), invariant: inv, shrunkSteps: stats(clen) }, explore: { seconds: stats(es), states, shortestSteps: shortest } };
    races.push(row);
    say(`  ${race.variant.padEnd(20)} ${median(cs).toFixed(2).padStart(8)} ${inv.padEnd(17)} ${String(median(clen)).padStart(7)} ${median(es).toFixed(2).padStart(9)} ${String(states).padStart(7)} ${String(shortest).padStart(8)}  ${(median(clen) / shortest).toFixed(2)}`);
  }
  out.races = races;
  say('  (lengths are atomic steps of the concurrent part; "shrunk" is what fast-check shrinking left)');
}

// ---- explorer throughput and symmetry -----------------------------------------------------
{
  const sps: number[] = [];
  let states = 0;
  for (let i = 0; i < repeat; i++) {
    const [r, s] = time(() => exploreSome({ variant: 'reference', bound }, null));
    states = r.reduce((n, x) => n + x.states, 0);
    sps.push(states / s);
  }
  const sym = (on: boolean) => {
    const threads = [0, 1, 2].map(() => [{ op: 'load', pid: 0, addr: 9, len: 1 }]) as Action[][];
    const spec = { name: 'sym3', config: familyConfig(bound), setup: familySetup(bound), threads };
    const xs: number[] = [];
    let n = 0;
    for (let i = 0; i < repeat; i++) {
      const [r, s] = time(() => explore(spec, { variant: variantByName('reference')!, symmetry: on }));
      n = r.states;
      xs.push(s);
    }
    return { states: n, seconds: stats(xs) };
  };
  const on = sym(true), off = sym(false);
  // the partial-order reduction: the same states, fewer transitions; CPU seconds of the whole bound, with and without
  const cpu = (f: () => void) => { fresh(); const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };
  const porRuns = (por: boolean) => {
    const xs: number[] = [];
    let n = 0, t = 0, pruned = 0;
    for (let i = 0; i < repeat; i++) {
      xs.push(cpu(() => { const r = exploreSome({ variant: 'reference', bound, por }, null); n = r.reduce((k, x) => k + x.states, 0); t = r.reduce((k, x) => k + x.transitions, 0); pruned = r.reduce((k, x) => k + (x.pruned ?? 0), 0); }));
    }
    return { states: n, transitions: t, pruned, cpuSeconds: stats(xs) };
  };
  const porOn = porRuns(true), porOff = porRuns(false);
  const famOff = exploreSome({ variant: 'reference', bound, symmetry: false }, null).reduce((n, x) => n + x.states, 0);
  // memory per stored state, for one large scenario of 3x1x2 (cut at 60,000 states), both visited sets
  const big = [...familyAll({ threads: 3, ops: 1, pages: 2 }, [])].filter((x) => !x.excluded)[1184];
  const perState = (exactKeys: boolean) =>
    heapPerState(16, (stop) => explore(big, { variant: variantByName('reference')!, exactKeys, maxStates: 60_000, stop }).states);
  const mem = { fingerprint: perState(false), exact: perState(true), scenario: big.name };
  // distinct states per CPU second at 3x1x2, on three of its scenarios (the whole bound is minutes: docs/bounds.md)
  const sample3 = [...familyAll({ threads: 3, ops: 1, pages: 2 }, [])].filter((x) => !x.excluded).filter((x) => [100, 700, 1184].includes(x.index));
  let states3 = 0;
  const sps3: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const c = cpu(() => { states3 = sample3.reduce((n, x) => n + explore(x, { variant: variantByName('reference')! }).states, 0); });
    sps3.push(states3 / c);
  }
  // The default bound from a cold start, as `xipcheck explore` meets it: a fresh process loads the
  // explorer, compiles it on the way (V8 optimizes on a thread of its own) and searches. Wall
  // seconds from the process's start; CPU seconds of all its threads (the compiler's, the
  // collector's). The figures above are warm: their runs follow a warm-up in this process.
  const familyRun = pathToFileURL(fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../checker/explore/family-run.ts' : '../checker/explore/family-run.js', import.meta.url))).href;
  const coldWall: number[] = [], coldCpu: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
      `const { exploreFamily } = await import(${JSON.stringify(familyRun)}); const r = await exploreFamily({ variant: 'reference' }); const c = process.cpuUsage(); console.log(JSON.stringify({ states: r.states, wall: performance.now() / 1000, cpu: (c.user + c.system) / 1e6 }));`], { encoding: 'utf8' })) as { states: number; wall: number; cpu: number };
    if (r.states !== states) throw new Error(`the cold run explored ${r.states} states, the warm ones ${states}`);
    coldWall.push(r.wall); coldCpu.push(r.cpu);
  }
  const cold = { wallSeconds: stats(coldWall), cpuSeconds: stats(coldCpu) };
  out.explorer = { bound, states, statesPerSecond: stats(sps), cold, sample3x1x2: { scenarios: sample3.map((x) => x.name), states: states3, statesPerCpuSecond: stats(sps3) }, symmetry3: { on, off }, familyWithoutSymmetry: famOff, memory: mem, por: { on: porOn, off: porOff } };
  say(`\nexplorer (reference, default bound, ${repeat} repeats)`);
  say(`  distinct states ${states}; states/s ${fmt(stats(sps))}`);
  say(`  from a cold start (a fresh process: loading, JIT warm-up and the search): wall s ${fmt(cold.wallSeconds, 2)}, CPU s of all its threads ${fmt(cold.cpuSeconds, 2)}`);
  say(`  3x1x2, scenarios ${sample3.map((x) => x.index).join(', ')}: ${states3} distinct states; states per CPU second ${fmt(stats(sps3))}`);
  say(`  symmetry, 3 identical faulting threads: ${on.states} states with, ${off.states} without (${(100 * (1 - on.states / off.states)).toFixed(0)}% fewer), ${median(on.seconds.median ? [on.seconds.median] : [0]).toFixed(2)} s vs ${off.seconds.median.toFixed(2)} s`);
  say(`  partial-order reduction (sleep sets): ${porOn.transitions} transitions with, ${porOff.transitions} without (${(100 * (1 - porOn.transitions / porOff.transitions)).toFixed(1)}% fewer; ${porOn.states} and ${porOff.states} states); CPU s ${fmt(porOn.cpuSeconds, 2)} vs ${fmt(porOff.cpuSeconds, 2)} (ratio ${(porOn.cpuSeconds.median / porOff.cpuSeconds.median).toFixed(2)})`);
  say(`  heap kept per stored state (${mem.scenario}, ${mem.fingerprint.states} states; after a forced GC): ${mem.fingerprint.bytesPerState} B with 64-bit fingerprints, ${mem.exact.bytesPerState} B with exact keys (--exact-keys)`);
  say(`    peak heap per stored state, garbage included: ${mem.fingerprint.peakBytesPerState} B and ${mem.exact.peakBytesPerState} B`);
  say(`  symmetry on the default bound: ${states} states with, ${famOff} without (${(100 * (1 - states / famOff)).toFixed(1)}% fewer; the scenario enumeration already drops symmetric scenarios)`);
}

// ---- SPIN on the same race-1 bound --------------------------------------------------------
{
  let spin: any = null;
  try {
    // compiled into .bench-build/bench/ (bin/bench.mjs), or run from bench/ by a loader
    const script = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './spin/run-spin.mjs' : '../../bench/spin/run-spin.mjs', import.meta.url));
    spin = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 900_000 })).spin;
  } catch (e) {
    spin = { error: (e as Error).message.split('\n')[0] };
  }
  const spec = { name: 'race1', config: familyConfig(bound), setup: familySetup(bound), threads: RACES[0].threads };
  const fixed: number[] = [], unfixed: number[] = [];
  let fixedStates = 0, unfixedStates = 0, depth = 0;
  for (let i = 0; i < repeat; i++) {
    const [a, s1] = time(() => explore(spec, { variant: variantByName('reference')! }));
    const [b, s2] = time(() => explore(spec, { variant: variantByName('2.6.26-sparse-race')! }));
    fixed.push(s1); unfixed.push(s2);
    fixedStates = a.states; unfixedStates = b.states; depth = b.violation?.schedule.length ?? NaN;
  }
  // the heap kept per stored state, as for the explorer above (a small search: a collection at every poll)
  const heap = heapPerState(1, (stop) => explore(spec, { variant: variantByName('reference')!, stop }).states);
  const ours = {
    fixed: { states: fixedStates, seconds: median(fixed), statesPerSecond: fixedStates / median(fixed), bytesPerState: heap.bytesPerState },
    unfixed: { states: unfixedStates, seconds: median(unfixed), counterexampleSteps: depth },
  };
  // The same race at larger bounds (bench/spin/race1.pml's COPIES): copy k is race 1's two
  // threads moved to file page k (P1's fault on its private mapping of page k, P0's pwrite into
  // it), all sharing the kernel's globals. Two copies xipcheck exhausts; three it searches
  // breadth-first up to a number of states (at its granularity the whole bound would take
  // minutes and gigabytes): states/s and the heap per state of that part of the search stand
  // beside SPIN's of the whole, whose start-up is then a few per cent of its run.
  const copies = (n: number) => {
    const b = { ...bound, pages: n + 1 };
    const config = familyConfig(b);
    const { pageSize, heapPages } = config as { pageSize: number; heapPages: number };
    const threads: Action[][] = [];
    for (let k = 1; k <= n; k++) {
      threads.push([{ op: 'load', pid: 1, addr: (heapPages + k) * pageSize + 1, len: 1 }], [{ op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: k * pageSize + 1 }]);
    }
    return { name: `race1x${n}`, config, setup: familySetup(b), threads };
  };
  if (JSON.stringify(copies(1).threads) !== JSON.stringify(RACES[0].threads)) throw new Error('one copy is not race 1');
  const cap3 = quick ? 200_000 : 1_000_000;
  const scaledRuns = (spec: ReturnType<typeof copies>, maxStates?: number) => {
    const xs: number[] = [];
    let n = 0, verdict = '';
    for (let i = 0; i < repeat; i++) {
      const [r, sec] = time(() => explore(spec, { variant: variantByName('reference')!, maxStates }));
      n = r.states; verdict = r.verdict;
      xs.push(sec);
    }
    const heap3 = heapPerState(16, (stop) => explore(spec, { variant: variantByName('reference')!, maxStates, stop }).states);
    return { states: n, verdict, seconds: stats(xs), statesPerSecond: n / median(xs), bytesPerState: heap3.bytesPerState, peakBytesPerState: heap3.peakBytesPerState };
  };
  const scaled = { copies2: scaledRuns(copies(2)), copies3: { ...scaledRuns(copies(3), cap3), cap: cap3 } };
  out.spin = { spin, xipcheck: ours, scaled };
  say(`\nrace 1 (sparse page vs allocate + unmap), xipcheck explorer vs SPIN ${spin?.version ?? ''}`);
  if (spin?.error || !spin?.ok) say(`  SPIN not measured: ${spin?.error ?? 'no result'}`);
  else {
    const r = (a: number, b: number) => (b ? (a / b).toFixed(2) : 'n/a');
    say(`  ${''.padEnd(34)} ${'xipcheck'.padStart(10)} ${'SPIN'.padStart(10)}  ratio xipcheck/SPIN`);
    say(`  ${'fixed: distinct states'.padEnd(34)} ${String(ours.fixed.states).padStart(10)} ${String(spin.fixed.states).padStart(10)}  ${r(ours.fixed.states, spin.fixed.states)}`);
    say(`  ${'fixed: seconds (whole search)'.padEnd(34)} ${ours.fixed.seconds.toFixed(3).padStart(10)} ${spin.fixed.seconds.toFixed(3).padStart(10)}  ${r(ours.fixed.seconds, spin.fixed.seconds)}`);
    say(`  ${'fixed: states/s'.padEnd(34)} ${Math.round(ours.fixed.statesPerSecond).toString().padStart(10)} ${String(spin.fixed.statesPerSecond).padStart(10)}  ${r(ours.fixed.statesPerSecond, spin.fixed.statesPerSecond)}`);
    say(`  ${'fixed: bytes per stored state'.padEnd(34)} ${String(ours.fixed.bytesPerState ?? 'n/a').padStart(10)} ${String(spin.fixed.bytesPerState ?? 'n/a').padStart(10)}  ${ours.fixed.bytesPerState === null ? 'n/a (too small to measure)' : r(ours.fixed.bytesPerState, spin.fixed.bytesPerState ?? 0)}`);
    say(`  ${'unfixed: states to the violation'.padEnd(34)} ${String(ours.unfixed.states).padStart(10)} ${String(spin.unfixed.states).padStart(10)}  ${r(ours.unfixed.states, spin.unfixed.states)}`);
    say(`  ${'unfixed: seconds to the violation'.padEnd(34)} ${ours.unfixed.seconds.toFixed(3).padStart(10)} ${spin.unfixed.seconds.toFixed(3).padStart(10)}  ${r(ours.unfixed.seconds, spin.unfixed.seconds)}`);
    say(`  ${'unfixed: counterexample steps'.padEnd(34)} ${String(ours.unfixed.counterexampleSteps).padStart(10)} ${String(spin.unfixed.trailSteps).padStart(10)}  ${r(ours.unfixed.counterexampleSteps, spin.unfixed.trailSteps)}`);
    say(`  granularity: xipcheck — one step per lock/unlock, per get_xip_mem, per pte insert, per i_size read, per user access,`);
    say(`    over the whole kernel path (vfs entry to copy); SPIN — ${spin.granularity}`);
    say(`  SPIN times are whole pan runs (process start and hash-table set-up dominate at this size); its`);
    say(`    states/s here are not its throughput. Both searches are breadth-first.`);
    const sc = spin.scaled;
    if (sc?.copies2 && sc?.copies3) {
      const x2 = scaled.copies2, x3 = scaled.copies3;
      const share = (run: { seconds: number; panElapsedSeconds?: number }) => (run.panElapsedSeconds === undefined ? 'n/a' : `${Math.max(0, 100 * (1 - run.panElapsedSeconds / run.seconds)).toFixed(0)}%`);
      say(`\nrace 1 at larger bounds: N copies, each on a file page of its own (2N threads), sharing the kernel's globals`);
      say(`  ${''.padEnd(34)} ${'xipcheck'.padStart(10)} ${'SPIN'.padStart(10)}  ratio xipcheck/SPIN`);
      say(`  ${'2 copies: distinct states'.padEnd(34)} ${String(x2.states).padStart(10)} ${String(sc.copies2.states).padStart(10)}  ${r(x2.states, sc.copies2.states)}`);
      say(`  ${'2 copies: seconds (whole search)'.padEnd(34)} ${x2.seconds.median.toFixed(3).padStart(10)} ${sc.copies2.seconds.toFixed(3).padStart(10)}  ${r(x2.seconds.median, sc.copies2.seconds)}   (SPIN's start-up ${share(sc.copies2)} of its run)`);
      say(`  ${'3 copies: distinct states'.padEnd(34)} ${`${x3.states}${x3.verdict === 'limit' ? '*' : ''}`.padStart(10)} ${String(sc.copies3.states).padStart(10)}`);
      say(`  ${'3 copies: seconds'.padEnd(34)} ${x3.seconds.median.toFixed(3).padStart(10)} ${sc.copies3.seconds.toFixed(3).padStart(10)}   (SPIN's start-up ${share(sc.copies3)} of its run)`);
      say(`  ${'3 copies: states/s'.padEnd(34)} ${Math.round(x3.statesPerSecond).toString().padStart(10)} ${String(sc.copies3.statesPerSecond).padStart(10)}  ${r(x3.statesPerSecond, sc.copies3.statesPerSecond)}`);
      say(`  ${'3 copies: bytes per stored state'.padEnd(34)} ${String(x3.bytesPerState ?? 'n/a').padStart(10)} ${String(sc.copies3.bytesPerState ?? 'n/a').padStart(10)}  ${x3.bytesPerState === null ? 'n/a' : r(x3.bytesPerState, sc.copies3.bytesPerState ?? 0)}   (SPIN: pan's state store; all it allocated: ${Math.round((sc.copies3.totalMemoryMB * 2 ** 20) / sc.copies3.states)} B)`);
      if (x3.verdict === 'limit') say(`  * xipcheck's first ${x3.cap} states of the 3-copy bound, breadth-first, not the whole bound (at its granularity it has many more states than SPIN's model: 2 copies have ${r(x2.states, sc.copies2.states)} times as many)`);
      say(`  xipcheck's heap per state is what its search keeps (sampled after a forced GC; its peak, garbage included: ${x3.peakBytesPerState} B)`);
    }
  }
}

if (asJson) console.log(JSON.stringify(out, null, 2));
