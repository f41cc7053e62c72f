import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Config } from '../../model/config.ts';
import { Config as ConfigSchema } from '../../model/config.ts';
import { commandsArb } from '../../properties/arbitraries.ts';
import { REFERENCE_SUITE } from '../../properties/suites/reference.ts';
import { variantByName } from '../../model/variants.ts';
import { runCommands } from '../sequence.ts';
import { makeSystem } from '../system.ts';
import { parseTrace, type TraceStep } from '../trace.ts';
import { diffScenario, LAB_MOUNTS, labSystem, modelFree, type Difference, type Outcome } from './diff.ts';
import { EXPLAINED, explain } from './explained.ts';
import { labLines, labUnfit } from './lines.ts';
import { parseKernelRun, type KernelRun } from './observations.ts';
import { auditTrace, type TraceAuditReport } from './trace-audit.ts';

/** The repository's root: where lab/ and counterexamples/ are (from checker/lab or dist/checker/lab). */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, d = dirname(d)) if (existsSync(join(d, 'lab', 'run.sh'))) return d;
  throw new Error('lab: no lab/run.sh above this module: run xipcheck lab from a clone of the repository');
}

export interface LabScenarioSource { readonly name: string; readonly config: Config; readonly steps: readonly TraceStep[]; readonly origin: 'hand-written' | 'random' }

function walk(d: string): string[] {
  return readdirSync(d).sort().flatMap((f) => { const p = join(d, f); return statSync(p).isDirectory() ? walk(p) : p.endsWith('.trace.json') ? [p] : []; });
}

/**
 * The hand-written scenarios: every trace of counterexamples/ that a program can run on a
 * healthy kernel (labUnfit), except the model-defect traces, which show a defect of the model,
 * not of a design. Each runs as written, on the XIP reference design.
 */
export function handWritten(root: string): { readonly run: LabScenarioSource[]; readonly skipped: { readonly name: string; readonly why: string }[] } {
  const run: LabScenarioSource[] = [], skipped: { name: string; why: string }[] = [];
  for (const f of walk(join(root, 'counterexamples'))) {
    const name = relative(join(root, 'counterexamples'), f).replace(/\.trace\.json$/, '');
    if (name.startsWith('model-defects/')) { skipped.push({ name, why: 'a defect of the model, not a design' }); continue; }
    const t = parseTrace(JSON.parse(readFileSync(f, 'utf8')));
    const why = labUnfit(t.config, t.steps);
    if (why) skipped.push({ name, why });
    else run.push({ name, config: t.config, steps: t.steps, origin: 'hand-written' });
  }
  return { run, skipped };
}

/**
 * Random scenarios: command sequences from the property suite's arbitraries (commandsArb) on
 * the first reference system, resolved against the model as `check` resolves them, keeping the
 * steps a program can make on a healthy kernel. Deterministic for a seed.
 */
export function randomScenarios(count: number, seed: number): LabScenarioSource[] {
  const base = REFERENCE_SUITE[0];
  const config = ConfigSchema.parse(base.config);
  const sys = makeSystem(base.name, config, variantByName('reference')!);
  const samples = fc.sample(commandsArb(config.processes, base.files, base.maxLen, 24), { seed, numRuns: count });
  return samples.map((cmds, i) => {
    const r = runCommands(sys, cmds, [], undefined, { finalReads: false });
    const steps = r.steps.filter((s) => labUnfit(config, [s]) === null).map((s) => ({ threads: s.threads }));
    return { name: `random/${seed}-${i}`, config, steps, origin: 'random' as const };
  });
}

export interface LabReport {
  readonly kernel: readonly string[];
  readonly seed: number;
  readonly scenarios: { readonly handWritten: number; readonly random: number; readonly repeat: number; readonly skipped: readonly { readonly name: string; readonly why: string }[] };
  /** One comparison per design the kernel is held to: the variant dax-6.1 and the XIP reference. */
  readonly comparisons: readonly { readonly variant: string; readonly description: string; readonly mounts: MountComparison[] }[];
  readonly malformed: KernelRun['malformed'];
  /** The trace audit of each mount: none expected on a DAX mount, page-cache copies expected on a dax=never one (the audit's own sanity test). */
  readonly traceAudit: readonly { readonly mount: string; readonly dev: string; readonly dax: boolean; readonly findings: number; readonly rules: readonly string[]; readonly counts: TraceAuditReport['counts']; readonly asExpected: boolean }[];
  readonly unexplained: number;
}

export interface MountComparison {
  readonly mount: string;
  readonly compared: number;
  readonly notRun: readonly string[];
  readonly differences: readonly (Difference & { readonly explained: string | null })[];
  /**
   * The hand-written concurrent scenarios, run `--repeat` times each: how many different answers
   * the kernel gave to their concurrent steps over the runs, against how many the model allows
   * (its outcomes at those steps, summed, from the states the walk was in).
   */
  readonly repeated: readonly { readonly scenario: string; readonly runs: number; readonly kernelOutcomes: number; readonly modelOutcomes: number }[];
}

/** The name of the k-th run (k ≥ 2) of a repeated scenario. */
const runName = (name: string, k: number) => (k === 1 ? name : `${name}#${k}`);
const concurrent = (s: LabScenarioSource) => s.steps.some((t) => t.threads.length > 1);

/** The scenarios of a run: the hand-written ones, each concurrent one `repeat` times, then the random ones. */
export function labScenarios(hw: readonly LabScenarioSource[], random: readonly LabScenarioSource[], repeat: number): LabScenarioSource[] {
  const again = hw.filter(concurrent).flatMap((s) => Array.from({ length: repeat - 1 }, (_, i) => ({ ...s, name: runName(s.name, i + 2) })));
  return [...hw, ...again, ...random];
}

/** What `lab diff` holds the kernel to unless told otherwise: the successor design first, then XIP. */
export const LAB_VARIANTS = ['dax-6.1', 'reference'] as const;

/** The executor lines of every scenario; the model's free blocks go with each (the ballast). */
export function scenarioFile(scenarios: readonly LabScenarioSource[]): string {
  return scenarios.flatMap((s) => {
    const l = labLines(s.name, s.config, s.steps, modelFree(labSystem(s.name, s.config, true, 'reference')));
    return 'skip' in l ? [] : l.lines;
  }).join('\n') + '\n';
}

/** Every scenario on every mount: the kernel's observations against the model's. */
export function compareRun(scenarios: readonly LabScenarioSource[], run: KernelRun, variant: string, repeat = 1): MountComparison[] {
  const dax = variantByName(variant)?.flags.has('dax-6.1') ?? false;
  const repeatedOnes = scenarios.filter((s) => s.origin === 'hand-written' && concurrent(s) && !s.name.includes('#'));
  const mounts = LAB_MOUNTS.map((mount) => ({
    mount, compared: 0, notRun: [] as string[], differences: [] as (Difference & { explained: string | null })[], modelOutcomes: new Map<string, number>(),
  }));
  // The model's side of a step depends on its system and its state alone, and the model of a
  // mount is its scenario with the file system mounted XIP or not (labConfig): ext4 and xfs of
  // one kind share the model's outcomes, and so do the runs of a repeated scenario. One memo per
  // base scenario and kind, dropped once no later run of the scenario needs it.
  const memos = new Map<string, Map<string, Outcome[] | 'too-many'>>();
  for (const s of scenarios) {
    const base = s.name.replace(/#\d+$/, '');
    for (const m of mounts) {
      const { mount } = m;
      if (!run.done.has(`${mount.name}/${s.name}`)) {
        // the executor's own word on why, when it said (a process that died, a ballast that could not settle)
        const why = run.failed.filter((f) => f.mount === mount.name && f.scenario === s.name).map((f) => f.error);
        m.notRun.push(why.length ? `${s.name} (${[...new Set(why)].join('; ')})` : s.name);
        continue;
      }
      m.compared++;
      const key = `${base}\0${mount.dax}`;
      let memo = memos.get(key);
      if (!memo) { memo = new Map(); memos.set(key, memo); }
      const r = diffScenario(labSystem(s.name, s.config, mount.dax, variant), s.name, s.steps, mount, run.calls.filter((c) => c.mount === mount.name && c.scenario === s.name), memo);
      for (const d of r.differences) m.differences.push({ ...d, explained: explain(mount, d, r.facts, dax)?.id ?? null });
      if (!s.name.includes('#')) m.modelOutcomes.set(s.name, [...r.choices.values()].reduce((a, b) => a + b, 0));
    }
    if (!(repeat > 1 && repeatedOnes.some((x) => x.name === base))) for (const k of [`${base}\0true`, `${base}\0false`]) memos.delete(k);
  }
  return mounts.map(({ mount, compared, notRun, differences, modelOutcomes }) => {
    const repeated = repeat > 1 ? repeatedOnes.map((s) => {
      const conc = new Set(s.steps.flatMap((t, i) => (t.threads.length > 1 ? [i] : [])));
      const answers = new Set<string>();
      let runs = 0;
      for (let k = 1; k <= repeat; k++) {
        const name = runName(s.name, k);
        if (!run.done.has(`${mount.name}/${name}`)) continue;
        runs++;
        answers.add(JSON.stringify(run.calls.filter((c) => c.mount === mount.name && c.scenario === name && conc.has(c.step)).map(({ step, th, k: kk, ret, data, signal }) => [step, th, kk, ret, data, signal])));
      }
      return { scenario: s.name, runs, kernelOutcomes: answers.size, modelOutcomes: modelOutcomes.get(s.name) ?? 0 };
    }) : [];
    return { mount: mount.name, compared, notRun, differences, repeated };
  });
}

export interface LabOptions { readonly random: number; readonly seed: number; readonly out: string; readonly variants: readonly string[]; readonly reuse?: string; readonly repeat: number }

/** `xipcheck lab diff`: build the scenario set, boot the lab (or reuse a run), compare, report. */
export function labDiff(o: LabOptions, log: (line: string) => void): LabReport {
  const root = repoRoot();
  const hw = handWritten(root);
  const scenarios = labScenarios(hw.run, randomScenarios(o.random, o.seed), o.repeat);
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  let runDir = o.reuse ? resolve(o.reuse) : out;
  if (!o.reuse) {
    writeFileSync(join(out, 'scenarios.txt'), scenarioFile(scenarios));
    log(`lab: ${hw.run.length} hand-written (the concurrent ones ${o.repeat} times) and ${o.random} random scenarios (seed ${o.seed}), ${LAB_MOUNTS.length} mounts`);
    const r = spawnSync('bash', [join(root, 'lab', 'run.sh'), join(out, 'scenarios.txt'), out], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new LabFailed(`the lab run failed (exit ${r.status}); its stages and logs are in ${out}`);
    runDir = out;
  }
  const run = parseKernelRun(readFileSync(join(runDir, 'obs.jsonl'), 'utf8'));
  const kernel = existsSync(join(runDir, 'kernel.txt')) ? readFileSync(join(runDir, 'kernel.txt'), 'utf8').trim().split('\n') : [];
  const comparisons = o.variants.map((variant) => ({ variant, description: variantByName(variant)!.description, mounts: compareRun(scenarios, run, variant, o.repeat) }));
  const traceAudit = auditMounts(runDir, run);
  const unexplained = comparisons.reduce((n, c) => n + c.mounts.reduce((k, m) => k + m.differences.filter((d) => !d.explained).length + m.notRun.length, 0), 0)
    + run.malformed.length + traceAudit.filter((t) => !t.asExpected).length;
  return { kernel, seed: o.seed, scenarios: { handWritten: hw.run.length, random: o.random, repeat: o.repeat, skipped: hw.skipped }, comparisons, malformed: run.malformed, traceAudit, unexplained };
}

export class LabFailed extends Error {}

/**
 * The run's trace audited once per mount: its device (the guest's mounts.txt: NAME FSTYPE OPTS
 * DEV MAJ:MIN) declared DAX, and the workload's files (the inode numbers the executor printed)
 * audited. A DAX mount must show no finding; a dax=never mount must show page-cache copies.
 */
export function auditMounts(runDir: string, run: KernelRun): LabReport['traceAudit'] {
  const tracePath = join(runDir, 'trace.txt'), mountsPath = join(runDir, 'mounts.txt');
  if (!existsSync(tracePath) || !existsSync(mountsPath)) return [];
  const trace = readFileSync(tracePath, 'utf8');
  return readFileSync(mountsPath, 'utf8').trim().split('\n').flatMap((line) => {
    const [mount, , opts, , dev] = line.split(/\s+/);
    const lm = LAB_MOUNTS.find((m) => m.name === mount);
    if (!lm || !dev) return [];
    const inos = [...new Set(run.calls.filter((c) => c.mount === mount && c.ino !== undefined).map((c) => c.ino!))];
    const r = auditTrace(trace, { daxDevs: [dev], inos });
    const rules = [...new Set(r.findings.map((f) => f.rule))];
    const asExpected = lm.dax ? r.findings.length === 0 : rules.length === 1 && rules[0] === 'no-page-cache-copies';
    return [{ mount, dev, dax: opts === 'dax=always', findings: r.findings.length, rules, counts: r.counts, asExpected }];
  });
}

export function renderReport(r: LabReport): string {
  const lines = [`# xipcheck lab diff`, '', `kernel: ${r.kernel.join(', ') || 'unknown'}; scenarios: ${r.scenarios.handWritten} hand-written (the concurrent ones run ${r.scenarios.repeat} times), ${r.scenarios.random} random (seed ${r.seed})`];
  for (const c of r.comparisons) {
    lines.push('', `## against ${c.variant}`, '', c.description, '', '| mount | scenarios compared | differences | explained | unexplained | not run |', '|---|---|---|---|---|---|');
    for (const m of c.mounts) {
      const ex = m.differences.filter((d) => d.explained).length;
      lines.push(`| ${m.mount} | ${m.compared} | ${m.differences.length} | ${ex} | ${m.differences.length - ex} | ${m.notRun.length} |`);
    }
    const rep = c.mounts.filter((m) => m.repeated.length);
    if (rep.length) {
      lines.push('', `The hand-written concurrent scenarios, ${r.scenarios.repeat} runs each: the kernel's different answers to their concurrent steps / the model's outcomes there.`, '', `| scenario | ${rep.map((m) => m.mount).join(' | ')} |`, `|---|${rep.map(() => '---|').join('')}`);
      for (const [i, x] of rep[0].repeated.entries()) lines.push(`| ${x.scenario} | ${rep.map((m) => `${m.repeated[i].kernelOutcomes} of ${m.repeated[i].runs} runs / ${m.repeated[i].modelOutcomes}`).join(' | ')} |`);
    }
    for (const m of c.mounts) {
      if (!m.differences.length && !m.notRun.length) continue;
      lines.push('', `### ${m.mount}, against ${c.variant}`, '');
      for (const d of m.differences) lines.push(`- ${d.scenario} step ${d.step}${d.th ? ` T${d.th}` : ''}${d.k ? ` call ${d.k}` : ''} ${d.op}: ${d.field} kernel ${d.kernel}, model ${d.model}${d.explained ? ` — explained: ${d.explained}` : ' — UNEXPLAINED'}`);
      for (const n of m.notRun) lines.push(`- ${n}: did not run to its end on the kernel — UNEXPLAINED`);
    }
  }
  // the rows this run used, each with its reason: where ext4 and xfs differ from each other or
  // from a design, the row says which the model sides with and why
  const used = new Set(r.comparisons.flatMap((c) => c.mounts.flatMap((m) => m.differences.flatMap((d) => (d.explained ? [d.explained] : [])))));
  if (used.size) {
    lines.push('', '## the rows that explain them (docs/lab.md)', '');
    for (const e of EXPLAINED) if (used.has(e.id)) lines.push(`- **${e.id}** (${e.models === 'xip' ? 'against XIP only' : 'against either design'}): ${e.why}`);
  }
  if (r.traceAudit.length) {
    lines.push('', '## trace audit (fs_dax and filemap tracepoints)', '', '| mount | device | pte faults | NOPAGE | SIGBUS | dax_load_hole | page-cache copies of its files | page-cache insertions while a scenario had it mounted without DAX | findings | as expected |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const t of r.traceAudit) lines.push(`| ${t.mount} | ${t.dev} | ${t.counts.faults} | ${t.counts.nopage} | ${t.counts.sigbus} | ${t.counts.loadHole} | ${t.counts.pageCacheAddsOnDax} | ${t.counts.pageCacheAddsWhileNoDax ?? 0} | ${t.findings}${t.rules.length ? ` (${t.rules.join(', ')})` : ''} | ${t.asExpected ? 'yes' : 'NO'} |`);
  }
  if (r.malformed.length) lines.push('', '## malformed executor output', '', ...r.malformed.map((x) => `- line ${x.line}: ${x.message}`));
  if (r.scenarios.skipped.length) lines.push('', '## hand-written scenarios not run', '', ...r.scenarios.skipped.map((s) => `- ${s.name}: ${s.why}`));
  lines.push('', `${r.unexplained} unexplained`);
  return lines.join('\n') + '\n';
}
