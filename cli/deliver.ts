import { oneLine, quote } from '../checker/quote.ts';
import type { CheckReport } from '../checker/check.ts';
import { reportHtml, reportMarkdown, type PageInput } from '../checker/report/page.ts';
import { checkDistinct, checkWritable, tryWrite } from './output.ts';
import { UsageError } from './usage.ts';

/**
 * What the commands that run a search share at their end: the output files, checked before the
 * run; the trace and the report written after it (stdout if a file cannot be); the report in
 * the reporter asked for; the verdict line a summary leads with; colour; explore's exit code.
 */

export type Out = { write(s: string): void };
type Values = Record<string, string | boolean | undefined>;

/** Exit code bit added when the report or trace could not be written after the run. */
export const OUTPUT_FAILED = 4;
/** explore: no violation, but the bound was not exhausted (memory, or a limit with --require-exhaustive). */
export const NOT_EXHAUSTED = 8;

/** --out and --trace-out, checked before the run: one line and exit 2 now rather than a lost result later. */
export function outputOpts(v: Values): { out?: string; traceOut?: string } {
  const out = v.out as string | undefined, traceOut = v['trace-out'] as string | undefined;
  for (const [flag, p] of [['--out', out], ['--trace-out', traceOut]] as const) {
    if (p === '') throw new UsageError(`${flag} needs a file name`);
    if (p !== undefined) checkWritable(p, flag);
  }
  checkDistinct(out, traceOut);
  return { out, traceOut };
}

/**
 * After the run: the trace (if there is a counterexample), then the report. A write that
 * fails now is one line on stderr; the report then goes to stdout, so the counterexample is
 * never lost, and the exit code gets OUTPUT_FAILED added.
 */
export function deliver(
  o: { out?: string; traceOut?: string; paint?: boolean }, stdout: Out, stderr: Out,
  trace: { json: object; defaultPath: string } | null,
  render: (tracePath: string | undefined, traceError: string | null) => string,
  summary?: (tracePath: string | undefined) => string,
): number {
  let failed = 0;
  let tracePath: string | undefined;
  let traceError: string | null = null;
  if (trace) {
    const path = o.traceOut ?? trace.defaultPath;
    traceError = tryWrite(path, `${JSON.stringify(trace.json, null, 2)}\n`);
    if (traceError) {
      failed = OUTPUT_FAILED;
      stderr.write(`xipcheck: could not write the trace to ${quote(path)} (${traceError}); the counterexample is in the report\n`);
    } else tracePath = path;
  }
  const text = render(tracePath, traceError && `trace NOT written to ${oneLine(o.traceOut ?? trace!.defaultPath)} (${traceError})`);
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (o.out) {
    const err = tryWrite(o.out, body);
    if (err) {
      failed = OUTPUT_FAILED;
      stderr.write(`xipcheck: could not write the report to ${quote(o.out)} (${err}); it follows on stdout\n`);
      stdout.write(body);
    } else if (summary) stdout.write(`${summary(tracePath)}\n  report written to ${oneLine(o.out)}\n`);
  } else stdout.write(o.paint ? paint(body) : body);
  return failed;
}

/** A report in the reporter asked for, naming the trace written (or why it could not be). */
export function render<R extends object>(reporter: string, report: R, tracePath: string | undefined, traceError: string | null | undefined,
  junit: (r: R, t?: string) => string, text: (r: R, t?: string) => string, page?: Omit<PageInput, 'text' | 'traces'> & { trace: object | null }): string {
  if (reporter === 'json') return JSON.stringify({ ...report, tracePath: tracePath ?? null, ...(traceError ? { traceError } : {}) }, null, 2);
  if (reporter === 'junit') return junit(report, tracePath);
  const plain = `${text(report, tracePath)}${traceError ? `\n  ${traceError}` : ''}`;
  if ((reporter === 'markdown' || reporter === 'html') && page) {
    const p: PageInput = { command: page.command, verdict: page.verdict, failed: page.failed, text: plain, traces: page.trace ? [{ json: page.trace, path: tracePath }] : [] };
    return reporter === 'markdown' ? reportMarkdown(p) : reportHtml(p);
  }
  return plain;
}

/**
 * Colour for the verdict lines on a terminal: only when stdout is one, and never when NO_COLOR
 * is set (no-color.org) or the report goes to a file.
 */
let colour = false;
/** Set once per invocation by main: stdout is a terminal, NO_COLOR unset, TERM not dumb. */
export function setColour(on: boolean): void { colour = on; }

export function paint(text: string): string {
  if (!colour) return text;
  return text.split('\n').map((l) => (/^(VIOLATION|STOPPED|✗|  FINDING|INTERRUPTED)/.test(l) ? `\x1b[31m${l}\x1b[0m`
    : /^(no violation|BOUND EXHAUSTED|EXHAUSTED|invariants: all hold)/.test(l) ? `\x1b[32m${l}\x1b[0m` : l)).join('\n');
}

/** The verdict line a summary and a page lead with. */
export function checkVerdict(r: CheckReport): string {
  const runs = r.systems.reduce((n, x) => n + x.runs, 0);
  if (r.counterexample) return `violation of ${r.counterexample.invariant} on ${r.counterexample.system}`;
  if (r.declaredReached.length || r.undeclaredBranches.length) return 'a branch finding fails the run';
  return `${r.interrupted ? 'interrupted; ' : ''}no violation in ${runs} runs on ${r.systems.length} system${r.systems.length === 1 ? '' : 's'}${r.unreached.length ? ` (${r.unreached.length} branches never reached)` : ''}`;
}

export function exploreVerdict(violation: { invariant: string } | null, verdict: string, stoppedBy: string | undefined, states: number): string {
  if (violation) return `violation of ${violation.invariant}`;
  if (verdict === 'exhausted') return `bound exhausted, no violation (${states} states)`;
  return `no violation found, bound NOT exhausted (stopped by ${stoppedBy ?? 'a limit'} after ${states} states)`;
}

/**
 * explore's exit code: 1 for a violation (or another failure of the run), 0 when exhausted;
 * a search that stopped short is 0 if the user boxed it (--max-states, --time-budget) and did
 * not --require-exhaustive, else NOT_EXHAUSTED — never 1, so CI can tell it from a bug.
 */
export function exploreExit(failedOtherwise: boolean, verdict: string, stoppedBy: string | undefined, requireExhaustive: boolean): number {
  if (failedOtherwise) return 1;
  if (verdict === 'exhausted') return 0;
  return stoppedBy === 'memory' || requireExhaustive ? NOT_EXHAUSTED : 0;
}

