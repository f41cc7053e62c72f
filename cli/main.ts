import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { check, checkFailed } from '../checker/check.ts';
import { checkText, replayText } from '../checker/report/text.ts';
import { checkJunit } from '../checker/report/junit.ts';
import { counterexampleTrace } from '../checker/write-trace.ts';
import { parseTrace, TraceError } from '../checker/trace.ts';
import { replayTrace } from '../checker/replay.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { VARIANTS, variantByName } from '../model/variants.ts';
import { ConfigError } from '../model/init.ts';
import { exploreFailed, exploreFamily } from '../checker/explore/family-run.ts';
import { DEFAULT_BOUND, UNFIXED, type Unfixed } from '../checker/explore/family.ts';
import { exploreJunit, exploreText } from '../checker/report/explore.ts';
import { exploreTrace } from '../checker/write-trace.ts';

/** A mistake of the caller's: one line on stderr, exit 2. */
export class UsageError extends Error {}

const VERSION = '0.1.0';

const HELP = `xipcheck ${VERSION} — an executable specification of Linux execute-in-place (XIP, 2.6.13–3.19)

usage:
  xipcheck check [--seed N] [--runs N] [--time-budget S] [--variant NAME] [--shard I/N]
                 [--reporter text|json|junit] [--out FILE] [--trace-out FILE]
      random command sequences on the reference systems, every invariant checked after
      every step; on a violation: the shrunk counterexample, a trace file, exit 1
  xipcheck explore [--threads N] [--ops N] [--pages N] [--max-states N] [--time-budget S]
                   [--variant NAME] [--include-unfixed NAME,…] [--no-symmetry] [--workers N]
                   [--reporter text|json|junit] [--out FILE] [--trace-out FILE]
      every interleaving of every scenario within the bound, breadth-first; exit 1 with the
      shortest counterexample, or 0 with the number of distinct states exhausted (default
      bound ${DEFAULT_BOUND.threads} threads x ${DEFAULT_BOUND.ops} op x ${DEFAULT_BOUND.pages} pages)
  xipcheck run TRACE.json [--reporter text|json]
      replay a trace: each step's observation and the invariants' status; exit 1 when an
      observation differs from the trace's expectation or an invariant fails
  xipcheck invariants [--reporter text|json]
      the invariant catalogue with citations
  xipcheck variants
      the design variants --variant accepts (reference, historical kernels, broken models)

exit codes: 0 ok, 1 violation, mismatch or bound not exhausted, 2 bad usage or input,
            3 internal error (a bug in xipcheck: please report it)`;

type Out = { write(s: string): void };

function intOpt(v: string | undefined, name: string, def: number, min = 0): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} takes a whole number${min ? ` ≥ ${min}` : ''}, not "${v}"`);
  return Number(v);
}

function reporterOpt(v: string | undefined, allowed: readonly string[]): string {
  const r = v ?? 'text';
  if (!allowed.includes(r)) throw new UsageError(`--reporter takes ${allowed.join(', ')}, not "${r}"`);
  return r;
}

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals = 0): Parsed {
  try {
    const r = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true }) as Parsed;
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument "${r.positionals[positionals]}" (see xipcheck --help)`);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const m = (e as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${m} (see xipcheck --help)`);
  }
}

function emit(text: string, out: string | undefined, stdout: Out): void {
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text.endsWith('\n') ? text : `${text}\n`);
  } else stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function cmdCheck(args: string[], stdout: Out, stderr: Out): number {
  const { values: v } = parse(args, {
    seed: { type: 'string' }, runs: { type: 'string' }, 'time-budget': { type: 'string' }, variant: { type: 'string' },
    reporter: { type: 'string' }, out: { type: 'string' }, 'trace-out': { type: 'string' }, shard: { type: 'string' },
  });
  let seed = intOpt(v.seed as string | undefined, 'seed', 1);
  let runs = intOpt(v.runs as string | undefined, 'runs', 1000, 1);
  if (v.shard !== undefined) {
    // shard i/n: its own seed and an n-th of the runs, so n machines together do the work of one
    const m = /^(\d+)\/(\d+)$/.exec(String(v.shard));
    if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard takes I/N with 1 ≤ I ≤ N, not "${v.shard}"`);
    seed = seed + (Number(m[1]) - 1) * 1_000_003;
    runs = Math.ceil(runs / Number(m[2]));
  }
  const budget = v['time-budget'] === undefined ? undefined : intOpt(v['time-budget'] as string, 'time-budget', 0, 1) * 1000;
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json', 'junit']);
  const variant = variantByName((v.variant as string | undefined) ?? 'reference');
  if (!variant) throw new UsageError(`--variant: unknown variant "${v.variant}" (one of: ${VARIANTS.map((x) => x.name).join(', ')})`);
  const progress = process.stderr.isTTY && !process.env.CI;
  const t0 = Date.now();
  const report = check({
    seed, runs, timeBudgetMs: budget, variant,
    onProgress: (m) => { if (progress && Date.now() - t0 > 2000) stderr.write(`… ${m}\n`); },
  });
  let tracePath: string | undefined;
  if (report.counterexample) {
    tracePath = (v['trace-out'] as string | undefined) ?? `xipcheck-counterexample-${report.counterexample.invariant}.trace.json`;
    mkdirSync(dirname(tracePath), { recursive: true });
    writeFileSync(tracePath, `${JSON.stringify(counterexampleTrace(report.counterexample), null, 2)}\n`);
  }
  const text = reporter === 'json' ? JSON.stringify({ ...report, tracePath: tracePath ?? null }, null, 2)
    : reporter === 'junit' ? checkJunit(report, tracePath) : checkText(report, tracePath);
  emit(text, v.out as string | undefined, stdout);
  if (v.out && report.counterexample) stderr.write(`xipcheck: violation of ${report.counterexample.invariant}; report in ${v.out}, trace in ${tracePath}\n`);
  return checkFailed(report) ? 1 : 0;
}

async function cmdExplore(args: string[], stdout: Out, stderr: Out): Promise<number> {
  const { values: v } = parse(args, {
    threads: { type: 'string' }, ops: { type: 'string' }, pages: { type: 'string' }, 'max-states': { type: 'string' },
    'time-budget': { type: 'string' }, variant: { type: 'string' }, 'include-unfixed': { type: 'string' },
    'no-symmetry': { type: 'boolean' }, workers: { type: 'string' }, reporter: { type: 'string' }, out: { type: 'string' }, 'trace-out': { type: 'string' },
  });
  const bound = {
    threads: intOpt(v.threads as string | undefined, 'threads', DEFAULT_BOUND.threads, 1),
    ops: intOpt(v.ops as string | undefined, 'ops', DEFAULT_BOUND.ops, 1),
    pages: intOpt(v.pages as string | undefined, 'pages', DEFAULT_BOUND.pages, 1),
  };
  if (bound.threads > 4 || bound.ops > 3 || bound.pages > 4) throw new UsageError('the bound is at most 4 threads, 3 ops per thread and 4 pages (the scenario count grows as the product)');
  const variantName = (v.variant as string | undefined) ?? 'reference';
  if (!variantByName(variantName)) throw new UsageError(`--variant: unknown variant "${variantName}" (one of: ${VARIANTS.map((x) => x.name).join(', ')})`);
  const include: Unfixed[] = [];
  if (v['include-unfixed'] !== undefined) {
    for (const u of String(v['include-unfixed']).split(',')) {
      if (!(u in UNFIXED)) throw new UsageError(`--include-unfixed takes ${Object.keys(UNFIXED).join(', ')} (comma-separated), not "${u}"`);
      include.push(u as Unfixed);
    }
  }
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json', 'junit']);
  const maxStates = v['max-states'] === undefined ? undefined : intOpt(v['max-states'] as string, 'max-states', 0, 1);
  const budget = v['time-budget'] === undefined ? undefined : intOpt(v['time-budget'] as string, 'time-budget', 0, 1) * 1000;
  const workers = intOpt(v.workers as string | undefined, 'workers', 1, 1);
  const progress = process.stderr.isTTY && !process.env.CI;
  const t0 = Date.now();
  let last = 0;
  const report = await exploreFamily({
    variant: variantName, bound, include, maxStates, timeBudgetMs: budget, symmetry: !v['no-symmetry'], workers,
    onProgress: (done, total, states) => {
      if (progress && Date.now() - t0 > 2000 && Date.now() - last > 1000) { last = Date.now(); stderr.write(`… ${done}/${total} scenarios, ${states} states\n`); }
    },
  });
  let tracePath: string | undefined;
  if (report.counterexample) {
    tracePath = (v['trace-out'] as string | undefined) ?? `xipcheck-explore-${report.counterexample.invariant}.trace.json`;
    mkdirSync(dirname(tracePath), { recursive: true });
    writeFileSync(tracePath, `${JSON.stringify(exploreTrace(report), null, 2)}\n`);
  }
  const text = reporter === 'json' ? JSON.stringify({ ...report, tracePath: tracePath ?? null }, null, 2)
    : reporter === 'junit' ? exploreJunit(report, tracePath) : exploreText(report, tracePath);
  emit(text, v.out as string | undefined, stdout);
  return exploreFailed(report) ? 1 : 0;
}

function cmdRun(args: string[], stdout: Out): number {
  const { values: v, positionals } = parse(args, { reporter: { type: 'string' } }, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('run needs a trace file: xipcheck run TRACE.json');
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json']);
  let raw: string;
  try { raw = readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  let json: unknown;
  try { json = JSON.parse(raw); } catch (e) { throw new UsageError(`${file}: not JSON (${(e as Error).message})`); }
  let r;
  try { r = replayTrace(parseTrace(json)); } catch (e) {
    if (e instanceof TraceError || e instanceof ConfigError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
  emit(reporter === 'json' ? JSON.stringify(r, null, 2) : replayText(r), undefined, stdout);
  return r.ok ? 0 : 1;
}

function cmdInvariants(args: string[], stdout: Out): number {
  const { values: v } = parse(args, { reporter: { type: 'string' } });
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json']);
  if (reporter === 'json') {
    emit(JSON.stringify(INVARIANTS.map((i) => ({ id: i.id, title: i.title, when: i.when, perCall: i.perCall ?? null, why: i.why, source: i.source, brokenBy: i.brokenBy })), null, 2), undefined, stdout);
  } else {
    emit(INVARIANTS.map((i) => `${i.id} (${i.when}${i.perCall ? `, per call: ${i.perCall.ops.join(', ')} run alone` : ''})\n  ${i.title}\n  why: ${i.why}\n  source: ${i.source}\n  fails under: --variant broken-${i.brokenBy}`).join('\n\n'), undefined, stdout);
  }
  return 0;
}

function cmdVariants(args: string[], stdout: Out): number {
  parse(args, {});
  emit(VARIANTS.map((x) => `${x.name.padEnd(30)} ${x.description}`).join('\n'), undefined, stdout);
  return 0;
}

/** The CLI as a function, so tests can drive it without a process. Returns the exit code. */
export async function main(argv: string[], stdout: Out = process.stdout, stderr: Out = process.stderr): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined: case '-h': case '--help': case 'help': stdout.write(`${HELP}\n`); return cmd === undefined ? 2 : 0;
      case '--version': case '-V': stdout.write(`${VERSION}\n`); return 0;
      case 'check': return cmdCheck(rest, stdout, stderr);
      case 'explore': return await cmdExplore(rest, stdout, stderr);
      case 'run': return cmdRun(rest, stdout);
      case 'invariants': return cmdInvariants(rest, stdout);
      case 'variants': return cmdVariants(rest, stdout);
      default: throw new UsageError(`unknown command "${cmd}" (commands: check, explore, run, invariants, variants; see xipcheck --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) { stderr.write(`xipcheck: ${e.message}\n`); return 2; }
    const m = e instanceof Error ? e.message : String(e);
    stderr.write(`xipcheck: internal error: ${m.split('\n')[0]} (set XIPCHECK_DEBUG=1 for the stack; please report it)\n`);
    if (process.env.XIPCHECK_DEBUG) stderr.write(`${(e as Error).stack}\n`);
    return 3;
  }
}
