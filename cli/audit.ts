import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { firstIssue } from '../checker/trace.ts';
import { readJson } from './input-files.ts';
import { variantByName } from '../model/variants.ts';
import { Config } from '../model/config.ts';
import { auditWatched } from '../checker/audit/watchdog.ts';
import { PluginLoadError } from '../checker/audit/load.ts';
import type { AuditReport } from '../checker/audit/audit.ts';
import { auditJunit } from '../checker/report/audit-junit.ts';
import { quote } from '../checker/quote.ts';
import { intOpt, reporterOpt, STATES_MAX, UsageError } from './usage.ts';
import { checkWritable, tryWrite } from './output.ts';
import { reportHtml, reportMarkdown, type PageInput } from '../checker/report/page.ts';

type Out = { write(s: string): void };
type Parse = (args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, positionals?: number) => { values: Record<string, unknown>; positionals: string[] };

export const AUDIT_HELP = `  xipcheck audit MODULE [--kind driver|fs] [--system FILE] [--scenario TRACE.json]… [--variant NAME]
                 [--time-budget S] [--max-states N] [--runs N] [--seed N] [--call-timeout S]
                 [--reporter R] [--out FILE] [--trace-out DIR]
      your driver or file system in place of the reference one of its role, wherever it fits:
      check with every invariant (a driver's direct_access probed on every sector after every
      step), then explore; exit 1 with one minimal trace per violated invariant, 0 when none,
      2 on a module of the wrong shape`;

export const AUDIT_OPTIONS = `options:
  --kind K          driver or fs (default: what the module exports)
  --system FILE     a JSON config of your own (devices naming your driver or its role), audited too
  --scenario TRACE  a scenario of your own (repeatable): every interleaving of its concurrent groups,
                    with your plug-in in place, before the generated runs
  --variant NAME    the design of the rest of the kernel (default reference; xipcheck variants)
  --time-budget S   seconds for the whole audit, 1..86400 (default 60)
  --max-states N    explore each --scenario, and the explore family, to at most N distinct
                    states, 1..${STATES_MAX}: unlike the time budget, the same search on every machine
  --runs N          check runs per system, 1..1000000 (default 300)
  --seed N          fast-check seed (default 1)
  --call-timeout S  a plug-in call running longer is a hang, a finding (default 10)
  --reporter R      text (default), json, junit, markdown or html (each finding drawn as a
                    sequence diagram)
  --out FILE        write the report to FILE (a summary still goes to stdout)
  --trace-out DIR   where the findings' traces go (default .)`;

/** The auditor's own config: parsed here, tried on the model in the audit (it may name the driver being loaded). */
function readSystem(file: string): { name: string; config: unknown } {
  const json = readJson(file);
  const r = Config.safeParse(json);
  if (!r.success) throw new UsageError(`--system ${quote(file)}: ${firstIssue(r.error, '')} (the format is model/config.ts's Config, as in a trace's "config")`);
  return { name: `system:${basename(file).replace(/\.json$/i, '')}`, config: json };
}

export function auditText(r: AuditReport, paths: readonly (string | null)[]): string {
  const lines = [
    `audit of ${r.plugin.name} (${r.plugin.module}), in place of the reference ${r.plugin.role}${r.variant === 'reference' ? '' : `, on kernel variant ${r.variant}`}`,
    `  systems: ${r.systems.join(', ') || '(none)'}`,
    `  check: ${r.checkRuns} runs; explore: ${r.exploreScenarios} scenarios, ${r.exploreStates} states; ${(r.elapsedMs / 1000).toFixed(1)} s`,
    r.coverage.reached.length + r.coverage.unreached.length === 0
      ? '  coverage: the plug-in declares no branches of its own (branches() and hit(), docs/auditing.md)'
      : `  coverage of its own branches (check runs): ${r.coverage.reached.length} of ${r.coverage.reached.length + r.coverage.unreached.length} reached${r.coverage.unreached.length ? `; not reached: ${r.coverage.unreached.join(', ')}` : ''}`,
    ...r.skipped.map((s) => `  not done: ${s}`),
  ];
  if (!r.findings.length) lines.push('no violation within these bounds');
  r.findings.forEach((f, k) => {
    lines.push(`FINDING ${k + 1}: ${f.invariant} (${f.phase}, ${f.system})`, `  ${f.message}`);
    lines.push(paths[k] ? `  trace: ${paths[k]} — replay with: xipcheck run ${paths[k]} --plugin ${r.plugin.module}` : '  trace: not written');
  });
  return lines.join('\n');
}

export async function cmdAudit(args: string[], stdout: Out, stderr: Out, parse: Parse): Promise<number> {
  const { values: v, positionals } = parse(args, {
    kind: { type: 'string' }, system: { type: 'string' }, variant: { type: 'string' }, scenario: { type: 'string', multiple: true }, 'time-budget': { type: 'string' }, 'max-states': { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' },
    'call-timeout': { type: 'string' }, reporter: { type: 'string' }, 'trace-out': { type: 'string' }, out: { type: 'string' },
  }, 1);
  const module = positionals[0];
  if (!module) throw new UsageError('audit needs a module: xipcheck audit ./my-driver.ts');
  const kind = v.kind as string | undefined;
  if (kind !== undefined && kind !== 'driver' && kind !== 'fs') throw new UsageError(`--kind takes driver or fs, not ${quote(kind)}`);
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json', 'junit', 'markdown', 'html']);
  const out = v.out as string | undefined;
  if (out !== undefined) { if (out === '') throw new UsageError('--out needs a file name'); checkWritable(out, '--out'); }
  const own = v.system ? [readSystem(v.system as string)] : [];
  const variant = (v.variant as string | undefined) ?? 'reference';
  if (!variantByName(variant)) throw new UsageError(`--variant: unknown variant ${quote(variant)} (xipcheck variants lists them)`);
  const dir = (v['trace-out'] as string | undefined) ?? '.';
  let report: AuditReport;
  try {
    report = await auditWatched({
      module, kind: kind as 'driver' | 'fs' | undefined, variant, scenarios: ((v.scenario as string[] | undefined) ?? []).map((f) => resolve(f)),
      seed: intOpt(v.seed as string | undefined, 'seed', 1, 0, 2 ** 31 - 1),
      runs: intOpt(v.runs as string | undefined, 'runs', 300, 1, 1_000_000),
      timeBudgetMs: intOpt(v['time-budget'] as string | undefined, 'time-budget', 60, 1, 86_400) * 1000,
      maxStates: v['max-states'] === undefined ? undefined : intOpt(v['max-states'] as string, 'max-states', 0, 1, STATES_MAX),
      callTimeoutMs: intOpt(v['call-timeout'] as string | undefined, 'call-timeout', 10, 1, 3600) * 1000,
      own: own as never,
      onPhase: (m) => stderr.write(`xipcheck audit: ${m}\n`),
    });
  } catch (e) {
    if (e instanceof PluginLoadError) throw new UsageError(e.message);
    throw e;
  }
  // every finding's trace is written before the report: nothing found is lost to a failed report
  const paths = report.findings.map((f, k) => {
    try {
      mkdirSync(dir, { recursive: true });
      const p = join(dir, `xipcheck-audit-${report.plugin.name}-${f.invariant}${report.findings.filter((g) => g.invariant === f.invariant).length > 1 ? `-${k + 1}` : ''}.trace.json`);
      writeFileSync(p, `${JSON.stringify(f.trace, null, 2)}\n`);
      return p;
    } catch (e) {
      stderr.write(`xipcheck: cannot write the trace of finding ${k + 1} into ${quote(dir)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return null;
    }
  });
  const text = auditText(report, paths);
  const verdict = report.findings.length ? `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}: ${[...new Set(report.findings.map((f) => f.invariant))].join(', ')}` : 'no violation within these bounds';
  const page: PageInput = { command: `audit ${report.plugin.name}`, verdict, failed: report.findings.length > 0, text, plugin: module, traces: report.findings.map((f, k) => ({ json: f.trace as object, path: paths[k] ?? undefined })) };
  const body = reporter === 'json' ? JSON.stringify({ ...report, traces: paths }, null, 2) : reporter === 'junit' ? auditJunit(report, paths)
    : reporter === 'markdown' ? reportMarkdown(page) : reporter === 'html' ? reportHtml(page) : text;
  let failed = 0;
  if (out) {
    const err = tryWrite(out, body);
    if (err) { failed = 4; stderr.write(`xipcheck: could not write the report to ${quote(out)} (${err}); it follows on stdout\n`); stdout.write(`${body}\n`); }
    else stdout.write(`xipcheck audit ${report.plugin.name}: ${verdict}\n  report written to ${out}\n`);
  } else stdout.write(`${body}\n`);
  return (report.findings.length ? 1 : 0) | failed;
}
