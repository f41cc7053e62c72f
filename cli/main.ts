import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { checkAsync, checkFailed } from '../checker/check.ts';
import { checkText, replayText } from '../checker/report/text.ts';
import { checkJunit } from '../checker/report/junit.ts';
import { counterexampleTrace } from '../checker/write-trace.ts';
import { parseTrace, TraceError } from '../checker/trace.ts';
import { replayTrace } from '../checker/replay.ts';
import { GroupTooLarge } from '../checker/group.ts';
import { oneLine, quote } from '../checker/quote.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { brokenVariantOf, VARIANTS, variantByName } from '../model/variants.ts';
import { ConfigError } from '../model/init.ts';
import { exploreFailed, exploreFamily } from '../checker/explore/family-run.ts';
import { DEFAULT_BOUND, UNFIXED, type Unfixed } from '../checker/explore/family.ts';
import { exploreJunit, exploreText } from '../checker/report/explore.ts';
import { exploreTrace } from '../checker/write-trace.ts';
import { intOpt, reporterOpt, STATES_MAX, UsageError } from './usage.ts';
import { AUDIT_HELP, AUDIT_OPTIONS, cmdAudit } from './audit.ts';
import { cmdLab, LAB_HELP, LAB_OPTIONS } from './lab.ts';
import { cmdTraceAudit, TRACE_AUDIT_HELP, TRACE_AUDIT_OPTIONS } from './trace-audit.ts';
import { loadPlugin, PluginLoadError } from '../checker/audit/load.ts';
import { installPlugin } from '../checker/audit/install.ts';
import { interruptible, SIGNAL_EXIT } from './signals.ts';
import { loadSystem, loadTrace, readJson } from './input-files.ts';
import { exploreTraceReport } from '../checker/explore/trace-explore-run.ts';
import { traceExploreJunit, traceExploreText } from '../checker/report/trace-explore.ts';
import { traceExploreTrace } from '../checker/write-trace.ts';
import { isExploreReport, mergeCheckReports, mergeExploreReports, MergeError, mergeJunit } from '../checker/merge.ts';
import { readFileSync } from 'node:fs';
import { storyHtml, storyMarkdown, storyMermaid, storyOfTrace, storyText } from '../checker/report/story.ts';

export { UsageError } from './usage.ts';
export { NOT_EXHAUSTED, OUTPUT_FAILED } from './deliver.ts';
import { NOT_EXHAUSTED, checkVerdict, deliver, exploreExit, exploreVerdict, outputOpts, render, setColour, type Out } from './deliver.ts';

const VERSION = '0.1.0';

/** fast-check seeds are 32-bit integers: larger ones would alias smaller ones, so they are refused. */
const SEED_MAX = 2 ** 31 - 1;
const RUNS_MAX = 10_000_000;
const BUDGET_MAX = 7 * 24 * 3600;
const SHARDS_MAX = 1000;

const REPORTERS = ['text', 'json', 'junit', 'markdown', 'html'];

const CMD_HELP: Record<string, string> = {
  check: `  xipcheck check [--seed N] [--runs N] [--time-budget S] [--variant NAME] [--shard I/N]
                 [--system FILE] [--reporter text|json|junit|markdown|html] [--out FILE] [--trace-out FILE]
      random command sequences on the reference systems (or on your own, --system), every
      invariant checked after every step; on a violation: the shrunk counterexample, a
      trace file, exit 1`,
  explore: `  xipcheck explore [--threads N] [--ops N] [--pages N] [--max-states N] [--time-budget S]
                   [--variant NAME] [--include-unfixed NAME,…] [--no-symmetry] [--no-por] [--workers N]
                   [--reporter text|json|junit] [--out FILE] [--trace-out FILE]
      every interleaving of every scenario within the bound, breadth-first; exit 1 with the
      shortest counterexample, or 0 with the number of distinct states exhausted (default
      bound ${DEFAULT_BOUND.threads} threads x ${DEFAULT_BOUND.ops} op x ${DEFAULT_BOUND.pages} pages)
  xipcheck explore TRACE.json [--max-states N] [--time-budget S] [--variant NAME] [--no-symmetry]
                   [--require-exhaustive] [--reporter R] [--out FILE] [--trace-out FILE]
      every interleaving of your own scenario: the trace's concurrent groups exhaustively,
      its other steps as written; exit 1 with the shortest counterexample, or 0`,
  audit: AUDIT_HELP,
  lab: LAB_HELP,
  'trace-audit': TRACE_AUDIT_HELP,
  run: `  xipcheck run TRACE.json [--reporter text|json] [--plugin MODULE]
      replay a trace: each step's observation and the invariants' status; exit 1 when an
      observation differs from the trace's expectation or an invariant fails`,
  replay: `  xipcheck replay TRACE.json [--format text|markdown|mermaid|html] [--out FILE] [--plugin MODULE]
      a trace told as a story and a sequence diagram: threads as lifelines, and every atomic
      step of a concurrent group (and of the step that failed) with what it returned and what
      it changed (locks, ptes, blocks, i_size, the sparse page); exit as run does`,
  merge: `  xipcheck merge REPORT… [--reporter text|json|junit|markdown|html] [--out FILE]
      the reports of the shards of one check or explore (--shard I/N --reporter json, or junit)
      as one: counts summed, a branch unreached only if no shard reached it, the shortest
      counterexample; exit as the unsharded run would`,
  invariants: `  xipcheck invariants [--reporter text|json]
      the invariant catalogue with citations`,
  variants: `  xipcheck variants
      the design variants --variant accepts (reference, historical kernels, broken models)`,
};

/** What each option takes, for `xipcheck COMMAND --help`. */
const OPTION_HELP: Record<string, string> = {
  check: `options:
  --seed N          fast-check seed, 0..${SEED_MAX} (default 1)
  --runs N          runs per system, 1..${RUNS_MAX} (default 1000)
  --time-budget S   stop starting runs after S seconds, 1..${BUDGET_MAX}
  --variant NAME    a design variant (xipcheck variants lists them; default reference)
  --shard I/N       shard I of N (1 ≤ I ≤ N ≤ ${SHARDS_MAX}, N ≤ runs): every N-th of the same runs;
                    xipcheck merge sums the shards' JSON reports into the unsharded run's counts
  --system FILE     check this machine instead of the reference suite: a JSON config in the
                    format of a trace's "config" (model/config.ts); the runs open files f0..f2
  --reporter R      text (default), json, junit, markdown (for $GITHUB_STEP_SUMMARY) or html
                    (one self-contained page, the counterexample drawn as a sequence diagram)
  --out FILE        write the report to FILE instead of stdout (a summary still goes to stdout)
  --trace-out FILE  where a counterexample's trace goes (default ./xipcheck-counterexample-<invariant>.trace.json)`,
  explore: `options:
  --threads N       threads per scenario, 1..4 (default ${DEFAULT_BOUND.threads})
  --ops N           operations per thread, 1..3 (default ${DEFAULT_BOUND.ops})
  --pages N         pages of the file, 1..4 (default ${DEFAULT_BOUND.pages})
  --max-states N    stop after N distinct states over all scenarios, 1..${STATES_MAX}
  --time-budget S   stop after S seconds, 1..${BUDGET_MAX}
  --variant NAME    a design variant (default reference)
  --include-unfixed NAME,…  put back races no kernel fixed: ${Object.keys(UNFIXED).join(', ')}
  --no-symmetry     do not identify states that differ by a permutation of identical threads
  --no-por          take every interleaving's transitions (no sleep-set reduction): the same
                    states, verdict and shortest counterexample, more transitions (to compare)
  --exact-keys      remember visited states by their full keys, not 64-bit fingerprints (no
                    collision risk; the report states the risk otherwise; far more memory)
  --workers N       worker threads, at most the number of cores (default 1); same report for any N
  --shard I/N       only every N-th scenario of the family, from the I-th: N CI jobs explore one
                    bound together, and xipcheck merge sums their JSON reports into its verdict
  --require-exhaustive  a search stopped by --max-states or --time-budget without a violation
                    exits ${NOT_EXHAUSTED} instead of 0 (one stopped by memory always does)
  --reporter R      text (default), json, junit, markdown or html
  --out FILE        write the report to FILE instead of stdout (a summary still goes to stdout)
  --trace-out FILE  where the counterexample's trace goes (default ./xipcheck-explore-<invariant>.trace.json)
with TRACE.json (a trace file, as xipcheck run takes): its groups' schedules and the
observations it pins after its set-up are not judged (another interleaving may return
something else; the reference judges every call); the set-up's pinned observations are.
--variant defaults to the trace's; --threads, --ops, --pages, --include-unfixed and
--workers describe the family and are refused with a trace, as is --no-por (a trace's
groups are searched without the reduction).`,
  run: `options:
  --reporter R      text (default) or json
  --plugin MODULE   the audited driver a trace of \`xipcheck audit\` names`,
  replay: `options:
  --format F        text (default), markdown (a mermaid block and tables, for GitHub), mermaid
                    (the diagram alone, Mermaid's sequenceDiagram) or html (one self-contained page)
  --out FILE        write it to FILE instead of stdout
  --plugin MODULE   the audited driver a trace of \`xipcheck audit\` names`,
  audit: AUDIT_OPTIONS,
  lab: LAB_OPTIONS,
  'trace-audit': TRACE_AUDIT_OPTIONS,
  merge: `options:
  --reporter R      text (default), json, junit, markdown or html; from JUnit files, junit only
  --out FILE        write the merged report to FILE (a summary still goes to stdout)`,
  invariants: `options:
  --reporter R      text (default) or json`,
  variants: '',
};

const EXIT_HELP = `exit codes: 0 ok, 1 violation or mismatch, 2 bad usage or input, 3 internal error (a bug
            in xipcheck: please report it); 8 explore found no violation but did not exhaust
            its bound (stopped by memory; or by --max-states/--time-budget, which is 0 unless
            --require-exhaustive); 4 is added when the report or trace could not be written
            after the run (5: a violation, printed on stdout instead); 130/143 after
            SIGINT/SIGTERM (what was found so far is reported)`;

const HELP = `xipcheck ${VERSION} — an executable specification of Linux execute-in-place (XIP, 2.6.13–3.19)

usage:
${Object.values(CMD_HELP).join('\n')}

xipcheck COMMAND --help describes a command's options.
${EXIT_HELP}`;

function commandHelp(cmd: string): string {
  return `usage:\n${CMD_HELP[cmd]}\n${OPTION_HELP[cmd] ? `\n${OPTION_HELP[cmd]}\n` : ''}\n${EXIT_HELP}`;
}


type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

/**
 * Strict option parsing. `--runs -1` is read as the value -1 (Node's parser would call it
 * ambiguous), so that the option's own check says what it takes.
 */
function parse(args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, positionals = 0): Parsed {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([a-z-]+)$/.exec(args[i])?.[1];
    if (name && options[name]?.type === 'string' && i + 1 < args.length && /^-[^-]/.test(args[i + 1])) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  try {
    const r = parseArgs({ args: joined, options, allowPositionals: positionals > 0, strict: true }) as Parsed;
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument ${quote(r.positionals[positionals])} (see xipcheck --help)`);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const m = (e as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${m} (see xipcheck --help)`);
  }
}

const wantsHelp = (args: readonly string[]) => args.some((a) => a === '--help' || a === '-h');

function variantOpt(v: string | undefined) {
  const variant = variantByName(v ?? 'reference');
  if (!variant) throw new UsageError(`--variant: unknown variant ${quote(String(v))} (one of: ${VARIANTS.map((x) => x.name).join(', ')})`);
  return variant;
}

async function cmdCheck(args: string[], stdout: Out, stderr: Out): Promise<number> {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('check')}\n`); return 0; }
  const { values: v } = parse(args, {
    seed: { type: 'string' }, runs: { type: 'string' }, 'time-budget': { type: 'string' }, variant: { type: 'string' },
    reporter: { type: 'string' }, out: { type: 'string' }, 'trace-out': { type: 'string' }, shard: { type: 'string' }, system: { type: 'string' },
  });
  const seed = intOpt(v.seed as string | undefined, 'seed', 1, 0, SEED_MAX, ' (fast-check seeds are 32-bit: a larger one would alias a smaller one)');
  const runs = intOpt(v.runs as string | undefined, 'runs', 1000, 1, RUNS_MAX);
  let shard: { index: number; count: number } | undefined;
  if (v.shard !== undefined) {
    // shard i/n: every n-th of the same runs, so n machines together do exactly the work of one
    shard = shardOpt(v.shard as string);
    const { index: i, count: n } = shard;
    if (n > runs) throw new UsageError(`--shard ${i}/${n}: ${n} shards of ${runs} runs would leave shards without work; use at most ${runs} shards or raise --runs`);
  }
  const budget = v['time-budget'] === undefined ? undefined : intOpt(v['time-budget'] as string, 'time-budget', 0, 1, BUDGET_MAX) * 1000;
  const reporter = reporterOpt(v.reporter as string | undefined, REPORTERS);
  const variant = variantOpt(v.variant as string | undefined);
  if (v.system === '') throw new UsageError('--system needs a file name: a JSON config (model/config.ts)');
  const own = v.system === undefined ? undefined : loadSystem(v.system as string);
  for (const n of own?.notes ?? []) stderr.write(`xipcheck: note: ${n}\n`);
  const outs = { ...outputOpts(v), paint: reporter === 'text' };
  const progress = process.stderr.isTTY && !process.env.CI;
  const t0 = Date.now();
  const sig = interruptible(stderr);
  let report;
  try {
    report = await checkAsync({
      seed, runs, shard, timeBudgetMs: budget, variant, ...(own ? { systems: [own.system] } : {}), shouldStop: () => sig.signal() !== null,
      onProgress: (m) => { if (progress && Date.now() - t0 > 2000) stderr.write(`… ${m}\n`); },
    });
  } finally { sig.dispose(); }
  const cex = report.counterexample;
  const traceJson = cex && counterexampleTrace(cex);
  const verdict = checkVerdict(report);
  const failed = deliver(outs, stdout, stderr,
    traceJson && { json: traceJson, defaultPath: `xipcheck-counterexample-${cex!.invariant}.trace.json` },
    (tracePath, traceError) => render(reporter, report, tracePath, traceError, checkJunit, checkText, { command: 'check', verdict, failed: checkFailed(report), trace: traceJson }),
    (tracePath) => `xipcheck check: ${verdict}${tracePath ? `; trace ${oneLine(tracePath)}` : ''}`);
  const s = sig.signal();
  if (s) return SIGNAL_EXIT[s];
  return (checkFailed(report) ? 1 : 0) | failed;
}

/** --shard I/N, 1 ≤ I ≤ N ≤ SHARDS_MAX. */
function shardOpt(v: string): { index: number; count: number } {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(v);
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n || n > SHARDS_MAX) throw new UsageError(`--shard takes I/N with 1 ≤ I ≤ N ≤ ${SHARDS_MAX}, not ${quote(v)}`);
  return { index: i, count: n };
}

async function cmdExplore(args: string[], stdout: Out, stderr: Out): Promise<number> {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('explore')}\n`); return 0; }
  const { values: v, positionals } = parse(args, {
    threads: { type: 'string' }, ops: { type: 'string' }, pages: { type: 'string' }, 'max-states': { type: 'string' },
    'time-budget': { type: 'string' }, variant: { type: 'string' }, 'include-unfixed': { type: 'string' },
    'no-symmetry': { type: 'boolean' }, workers: { type: 'string' }, reporter: { type: 'string' }, out: { type: 'string' }, 'trace-out': { type: 'string' },
    'require-exhaustive': { type: 'boolean' }, shard: { type: 'string' }, 'exact-keys': { type: 'boolean' }, 'no-por': { type: 'boolean' },
  }, 1);
  if (positionals.length) return await cmdExploreTrace(positionals[0], v, stdout, stderr);
  const why = ': the bound is at most 4 threads, 3 ops per thread and 4 pages (the scenario count grows as the product)';
  const bound = {
    threads: intOpt(v.threads as string | undefined, 'threads', DEFAULT_BOUND.threads, 1, 4, why),
    ops: intOpt(v.ops as string | undefined, 'ops', DEFAULT_BOUND.ops, 1, 3, why),
    pages: intOpt(v.pages as string | undefined, 'pages', DEFAULT_BOUND.pages, 1, 4, why),
  };
  const variantName = variantOpt(v.variant as string | undefined).name;
  const include: Unfixed[] = [];
  if (v['include-unfixed'] !== undefined) {
    for (const u of String(v['include-unfixed']).split(',')) {
      if (!Object.hasOwn(UNFIXED, u)) throw new UsageError(`--include-unfixed takes ${Object.keys(UNFIXED).join(', ')} (comma-separated), not ${quote(u)}`);
      include.push(u as Unfixed);
    }
  }
  const reporter = reporterOpt(v.reporter as string | undefined, REPORTERS);
  const maxStates = v['max-states'] === undefined ? undefined : intOpt(v['max-states'] as string, 'max-states', 0, 1, STATES_MAX);
  const budget = v['time-budget'] === undefined ? undefined : intOpt(v['time-budget'] as string, 'time-budget', 0, 1, BUDGET_MAX) * 1000;
  let workers = intOpt(v.workers as string | undefined, 'workers', 1, 1, 1024);
  const cores = availableParallelism();
  if (workers > cores) {
    // more threads than cores only compete for them, each with its own heap of states
    stderr.write(`xipcheck: --workers ${workers} capped to ${cores}, the number of cores here (the report is the same for any number)\n`);
    workers = cores;
  }
  const outs = { ...outputOpts(v), paint: reporter === 'text' };
  const progress = process.stderr.isTTY && !process.env.CI;
  const t0 = Date.now();
  let last = 0;
  const sig = interruptible(stderr);
  let report;
  try {
    report = await exploreFamily({
      variant: variantName, bound, include, maxStates, timeBudgetMs: budget, symmetry: !v['no-symmetry'], workers,
      ...(v.shard !== undefined ? { shard: shardOpt(v.shard as string) } : {}), exactKeys: !!v['exact-keys'], por: !v['no-por'],
      shouldStop: () => sig.signal() !== null,
      onProgress: (done, states) => {
        if (progress && Date.now() - t0 > 2000 && Date.now() - last > 1000) { last = Date.now(); stderr.write(`… ${done} scenarios, ${states} states\n`); }
      },
    });
  } finally { sig.dispose(); }
  const cex = report.counterexample;
  const traceJson = cex && exploreTrace(report);
  const verdict = exploreVerdict(cex, report.verdict, report.stoppedBy, report.states);
  const require = !!v['require-exhaustive'];
  const code = exploreExit(report.verdict === 'violation' || (exploreFailed(report) && report.verdict === 'exhausted'), report.verdict, report.stoppedBy, require);
  const failed = deliver(outs, stdout, stderr,
    traceJson && { json: traceJson, defaultPath: `xipcheck-explore-${cex!.invariant}.trace.json` },
    (tracePath, traceError) => render(reporter, report, tracePath, traceError, (r, t) => exploreJunit(r, t, require), exploreText, { command: 'explore', verdict, failed: code !== 0, trace: traceJson }),
    (tracePath) => `xipcheck explore: ${verdict}${tracePath ? `; trace ${oneLine(tracePath)}` : ''}`);
  const s = sig.signal();
  if (s) return SIGNAL_EXIT[s];
  return code | failed;
}

/** `explore TRACE.json`: every interleaving of the trace's concurrent groups (checker/explore/trace-explore.ts). */
async function cmdExploreTrace(file: string, v: Parsed['values'], stdout: Out, stderr: Out): Promise<number> {
  for (const f of ['threads', 'ops', 'pages', 'include-unfixed', 'workers', 'shard']) {
    if (v[f] !== undefined) throw new UsageError(`--${f} is an option of explore's own family; with a trace file the trace says what runs (drop --${f})`);
  }
  // the search of a trace's groups has no reduction to turn off
  if (v['no-por'] !== undefined) throw new UsageError('--no-por: explore TRACE.json takes every transition of every group already (drop --no-por)');
  const reporter = reporterOpt(v.reporter as string | undefined, REPORTERS);
  const maxStates = v['max-states'] === undefined ? undefined : intOpt(v['max-states'] as string, 'max-states', 0, 1, STATES_MAX);
  const budget = v['time-budget'] === undefined ? undefined : intOpt(v['time-budget'] as string, 'time-budget', 0, 1, BUDGET_MAX) * 1000;
  const variant = v.variant === undefined ? undefined : variantOpt(v.variant as string);
  const t = loadTrace(file);
  if (!variant && !variantByName(t.variant)) throw new UsageError(`${quote(file)}: variant: unknown variant ${quote(t.variant)} (xipcheck variants lists them)`);
  const outs = { ...outputOpts(v), paint: reporter === 'text' };
  const sig = interruptible(stderr);
  let report;
  try {
    report = await exploreTraceReport(file, t, { variant, maxStates, timeBudgetMs: budget, symmetry: !v['no-symmetry'], shouldStop: () => sig.signal() !== null });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof GroupTooLarge) throw new UsageError(`${quote(file)}: ${e.message}`);
    throw e;
  } finally { sig.dispose(); }
  const cex = report.violation;
  const traceJson = cex ? traceExploreTrace(t, report) : null;
  const verdict = exploreVerdict(cex ?? null, report.verdict, report.stoppedBy, report.states);
  const require = !!v['require-exhaustive'];
  // a violation, a set-up not as pinned or a branch finding fail; a search cut short is exploreExit's to judge
  const otherwise = !!cex || report.pinned.mismatches.length > 0 || report.declaredReached.length > 0 || report.undeclaredBranches.length > 0;
  const code = exploreExit(otherwise, report.verdict, report.stoppedBy, require);
  const failed = deliver(outs, stdout, stderr,
    traceJson ? { json: traceJson, defaultPath: `xipcheck-explore-${cex!.invariant}.trace.json` } : null,
    (tracePath, traceError) => render(reporter, report, tracePath, traceError, (r, tp) => traceExploreJunit(r, tp, require), traceExploreText, { command: `explore ${t.name}`, verdict, failed: code !== 0, trace: traceJson }),
    (tracePath) => `xipcheck explore ${oneLine(t.name)}: ${verdict}${tracePath ? `; trace ${oneLine(tracePath)}` : ''}`);
  const s = sig.signal();
  if (s) return SIGNAL_EXIT[s];
  return code | failed;
}

async function cmdRun(args: string[], stdout: Out): Promise<number> {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('run')}\n`); return 0; }
  const { values: v, positionals } = parse(args, { reporter: { type: 'string' }, plugin: { type: 'string' } }, 1);
  // an audit's trace runs on the audited driver, which the trace names: load it first, under the guard
  if (v.plugin) await usePlugin(v.plugin as string);
  const file = positionals[0];
  if (!file) throw new UsageError('run needs a trace file: xipcheck run TRACE.json');
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json']);
  const json = readJson(file);
  let r;
  try { r = replayTrace(parseTrace(json)); } catch (e) {
    if (e instanceof TraceError || e instanceof ConfigError || e instanceof GroupTooLarge) throw new UsageError(`${quote(file)}: ${e.message}`);
    throw e;
  }
  stdout.write(`${reporter === 'json' ? JSON.stringify(r, null, 2) : replayText(r)}\n`);
  return r.ok ? 0 : 1;
}

async function cmdReplay(args: string[], stdout: Out, stderr: Out): Promise<number> {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('replay')}\n`); return 0; }
  const { values: v, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' }, plugin: { type: 'string' } }, 1);
  if (v.plugin) await usePlugin(v.plugin as string);
  const file = positionals[0];
  if (!file) throw new UsageError('replay needs a trace file: xipcheck replay TRACE.json [--format text|markdown|mermaid|html]');
  const format = v.format === undefined ? 'text' : String(v.format);
  if (!['text', 'markdown', 'mermaid', 'html'].includes(format)) throw new UsageError(`--format takes text, markdown, mermaid or html, not ${quote(format)}`);
  const outs = { ...outputOpts(v), paint: format === 'text' };
  const json = readJson(file);
  let told;
  try { told = storyOfTrace(parseTrace(json)); } catch (e) {
    if (e instanceof TraceError || e instanceof ConfigError || e instanceof GroupTooLarge) throw new UsageError(`${quote(file)}: ${e.message}`);
    throw e;
  }
  const { story, result } = told;
  const body = format === 'markdown' ? storyMarkdown(story) : format === 'mermaid' ? storyMermaid(story) : format === 'html' ? storyHtml(story) : storyText(story);
  const failed = deliver(outs, stdout, stderr, null, () => body, () => `${story.title}: ${story.violation ? `✗ ${story.violation.invariant}` : 'every invariant holds'}; ${story.verdict}`);
  return (result.ok ? 0 : 1) | failed;
}

function cmdMerge(args: string[], stdout: Out, stderr: Out): number {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('merge')}\n`); return 0; }
  const { values: v, positionals } = parse(args, { reporter: { type: 'string' }, out: { type: 'string' } }, SHARDS_MAX);
  if (!positionals.length) throw new UsageError('merge needs the shards\' reports: xipcheck merge SHARD1.json SHARD2.json … (from check --shard I/N --reporter json)');
  const outs = outputOpts(v);
  const texts = positionals.map((name) => {
    try { return { name, text: readFileSync(name, 'utf8') }; } catch (e) {
      throw new UsageError(`${quote(name)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  });
  const xml = texts.map((t) => /^\s*</.test(t.text));
  if (xml.some((x) => x !== xml[0])) throw new UsageError('merge takes JSON reports or JUnit reports, not a mix of both');
  try {
    if (xml[0]) {
      reporterOpt(v.reporter as string | undefined ?? 'junit', ['junit']);
      const merged = mergeJunit(texts);
      const failures = Number(/failures="(\d+)"/.exec(merged)?.[1] ?? 0);
      return (failures ? 1 : 0) | deliver({ ...outs, paint: false }, stdout, stderr, null, () => merged,
        () => `xipcheck merge: ${texts.length} JUnit reports, ${failures} failure${failures === 1 ? '' : 's'}`);
    }
    const reporter = reporterOpt(v.reporter as string | undefined, REPORTERS);
    const jsons = texts.map((t) => {
      try { return { name: t.name, json: JSON.parse(t.text) as unknown }; } catch (e) {
        throw new UsageError(`${quote(t.name)} is not JSON (${(e as Error).message}); merge takes the reports of check --reporter json`);
      }
    });
    if (isExploreReport(jsons[0].json)) {
      const report = mergeExploreReports(jsons);
      const cex = report.counterexample;
      const traceJson = cex && exploreTrace(report);
      const verdict = exploreVerdict(cex, report.verdict, report.stoppedBy, report.states);
      const code = exploreExit(report.verdict === 'violation' || (exploreFailed(report) && report.verdict === 'exhausted'), report.verdict, report.stoppedBy, false);
      const failed = deliver({ ...outs, paint: reporter === 'text' }, stdout, stderr, null,
        () => render(reporter, report, undefined, null, (r, t) => exploreJunit(r, t), (r) => `${exploreText(r)}\nmerged from: ${report.mergedFrom.join(', ')}`, { command: 'explore (merged)', verdict, failed: code !== 0, trace: traceJson }),
        () => `xipcheck merge: ${verdict}`);
      return code | failed;
    }
    const report = mergeCheckReports(jsons);
    const cex = report.counterexample;
    const traceJson = cex && counterexampleTrace(cex);
    const verdict = checkVerdict(report);
    const failed = deliver({ ...outs, paint: reporter === 'text' }, stdout, stderr, null,
      () => render(reporter, report, undefined, null, checkJunit, (r) => `${checkText(r)}\nmerged from: ${report.mergedFrom.join(', ')}`, { command: 'check (merged)', verdict, failed: checkFailed(report), trace: traceJson }),
      () => `xipcheck merge: ${verdict}`);
    return (checkFailed(report) ? 1 : 0) | failed;
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(e.message);
    throw e;
  }
}

function cmdInvariants(args: string[], stdout: Out): number {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('invariants')}\n`); return 0; }
  const { values: v } = parse(args, { reporter: { type: 'string' } });
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json']);
  if (reporter === 'json') {
    stdout.write(`${JSON.stringify(INVARIANTS.map((i) => ({ id: i.id, title: i.title, when: i.when, perCall: i.perCall ?? null, why: i.why, source: i.source, brokenBy: i.brokenBy, brokenVariant: brokenVariantOf(i.brokenBy) })), null, 2)}\n`);
  } else {
    stdout.write(`${INVARIANTS.map((i) => `${i.id} (${i.when}${i.perCall ? `, per call: ${i.perCall.ops.join(', ')} run alone` : ''})\n  ${i.title}\n  why: ${i.why}\n  source: ${i.source}\n  fails under: --variant ${brokenVariantOf(i.brokenBy)}`).join('\n\n')}\n`);
  }
  return 0;
}

function cmdVariants(args: string[], stdout: Out): number {
  if (wantsHelp(args)) { stdout.write(`${commandHelp('variants')}\n`); return 0; }
  parse(args, {});
  stdout.write(`${VARIANTS.map((x) => `${x.name.padEnd(30)} ${x.description}`).join('\n')}\n`);
  return 0;
}

async function usePlugin(module: string): Promise<void> {
  try {
    installPlugin(await loadPlugin(module));
  } catch (e) {
    if (e instanceof PluginLoadError) throw new UsageError(`--plugin ${e.message}`);
    throw e;
  }
}

/** The CLI as a function, so tests can drive it without a process. Returns the exit code. */
export async function main(argv: string[], stdout: Out = process.stdout, stderr: Out = process.stderr): Promise<number> {
  const [cmd, ...rest] = argv;
  // colour only on a terminal, and NO_COLOR (set to anything but the empty string) turns it off
  setColour((stdout as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb');
  try {
    switch (cmd) {
      case undefined: case '-h': case '--help': stdout.write(`${HELP}\n`); return cmd === undefined ? 2 : 0;
      case 'help': stdout.write(`${rest[0] && Object.hasOwn(CMD_HELP, rest[0]) ? commandHelp(rest[0]) : HELP}\n`); return 0;
      case '--version': case '-V': stdout.write(`${VERSION}\n`); return 0;
      case 'check': return await cmdCheck(rest, stdout, stderr);
      case 'explore': return await cmdExplore(rest, stdout, stderr);
      case 'run': return await cmdRun(rest, stdout);
      case 'replay': return await cmdReplay(rest, stdout, stderr);
      case 'merge': return cmdMerge(rest, stdout, stderr);
      case 'audit': return await cmdAudit(rest, stdout, stderr, parse);
      case 'trace-audit': if (wantsHelp(rest)) { stdout.write(`${commandHelp('trace-audit')}\n`); return 0; } return cmdTraceAudit(rest, stdout, parse);
      case 'lab': if (wantsHelp(rest)) { stdout.write(`${commandHelp('lab')}\n`); return 0; } return await cmdLab(rest, stdout, stderr, parse);
      case 'invariants': return cmdInvariants(rest, stdout);
      case 'variants': return cmdVariants(rest, stdout);
      default: throw new UsageError(`unknown command ${quote(cmd)} (commands: check, explore, run, replay, merge, audit, lab, trace-audit, invariants, variants; see xipcheck --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) { stderr.write(`xipcheck: ${oneLine(e.message)}\n`); return 2; }
    const m = e instanceof Error ? e.message : String(e);
    stderr.write(`xipcheck: internal error: ${oneLine(m.split('\n')[0])} (set XIPCHECK_DEBUG=1 for the stack; please report it)\n`);
    if (process.env.XIPCHECK_DEBUG) stderr.write(`${(e as Error).stack}\n`);
    return 3;
  }
}
