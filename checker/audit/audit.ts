import { check } from '../check.ts';
import { counterexampleTrace, exploreTrace, traceExploreTrace } from '../write-trace.ts';
import { exploreFamily } from '../explore/family-run.ts';
import type { StopReason } from '../explore/explore.ts';
import { FAMILY_SYSTEMS } from '../explore/family.ts';
import { variantByName } from '../../model/variants.ts';
import { ConfigError, initialState } from '../../model/init.ts';
import { PluginLoadError } from './load.ts';
import { PluginFault } from '../../model/kernel/plugin-guard.ts';
import { installPlugin } from './install.ts';
import { violationOfError } from '../sequence.ts';
import { parseTrace, TRACE_SCHEMA, TraceError, type ParsedTrace } from '../trace.ts';
import { readFileSync } from 'node:fs';
import { exploreTraceReport } from '../explore/trace-explore-run.ts';
import type { ConfigInput } from '../../model/config.ts';
import type { Cmd } from '../../properties/arbitraries.ts';
import type { Plugin } from './plugin-shape.ts';
import { auditSystems, fsAuditSystems } from './systems.ts';
import { bootMessage } from '../system.ts';
import { defensiveBranches } from '../../model/kernel/coverage.ts';
import { INVARIANTS } from '../../properties/registry.ts';

export interface AuditOptions {
  readonly module: string;
  readonly seed: number;
  readonly runs: number;
  readonly timeBudgetMs: number;
  /**
   * A limit on distinct states for the explore phase (--max-states): each --scenario's search
   * and the explore family's, over all its scenarios. Unlike the time budget it makes the
   * explore phase the same on every machine; whichever limit comes first ends it.
   */
  readonly maxStates?: number;
  /** The design of the rest of the kernel (--variant): the reference, or a historical kernel. */
  readonly variant?: string;
  /** The auditor's own scenarios (--scenario TRACE.json): every interleaving of each, with the plug-in in place. */
  readonly scenarios?: readonly string[];
  /** The auditor's own systems (--system). */
  readonly own?: readonly { name: string; config: ConfigInput }[];
  /** Polled between runs; the watchdog's view of where the audit is. */
  readonly onRun?: (where: { phase: 'check'; system: string; config: unknown; cmds: readonly Cmd[] }) => void;
  readonly onPhase?: (msg: string) => void;
  /** Branch catalogues declared while the plug-in's module loaded (its own `branches` calls). */
  readonly declaredByPlugin?: readonly string[];
}

export interface Finding {
  readonly invariant: string;
  readonly message: string;
  readonly phase: 'add_disk' | 'scenario' | 'check' | 'explore' | 'watchdog';
  readonly system: string;
  /** A replayable trace (xipcheck run TRACE --plugin MODULE). */
  readonly trace: Record<string, unknown>;
}

export interface AuditReport {
  readonly plugin: { readonly name: string; readonly role: string; readonly cites: string; readonly module: string };
  /** The design of the rest of the kernel it ran on. */
  readonly variant: string;
  readonly systems: readonly string[];
  readonly checkRuns: number;
  readonly exploreStates: number;
  readonly exploreScenarios: number;
  readonly skipped: readonly string[];
  /** The branches of the audited plug-in's own code (its `coverage` catalogues and those its module declared) the check runs reached, and those they did not. */
  readonly coverage: { readonly reached: readonly string[]; readonly unreached: readonly string[] };
  readonly findings: readonly Finding[];
  readonly elapsedMs: number;
}

/** The trace's config names the audited driver, so `run --plugin` replays it on the plug-in. */
function onPlugin(config: unknown, p: { kind: string; name: string; role: string }): unknown {
  const c = config as { devices: { driver: string }[]; fs: { type?: string } | { type?: string }[] };
  // every file system of the role (a list's `<role>:reference` entry stays the model's own)
  const named = (f: { type?: string }) => ((f.type ?? 'ext2') === p.role ? { ...f, type: p.name } : f);
  if (p.kind === 'fs') return p.name === p.role ? c : { ...c, fs: Array.isArray(c.fs) ? c.fs.map(named) : { ...c.fs, type: p.name } };
  return { ...c, devices: c.devices.map((d) => (d.driver === p.role ? { ...d, driver: p.name } : d)) };
}

export function withPlugin(trace: object, p: { kind: string; name: string; role: string }, module: string): Record<string, unknown> {
  const t = trace as Record<string, unknown> & { config: unknown; found: Record<string, unknown> };
  return { ...t, config: onPlugin(t.config, p), found: { ...t.found, plugin: { kind: p.kind, name: p.name, role: p.role, module } } };
}

/**
 * `xipcheck audit`: the plug-in in place of the reference driver of its role, under the guard,
 * on every system where it fits: check with every invariant (the driver-contract probes of every
 * sector run after every step), then the explore family where the role has one. Every violated
 * invariant is a finding with its minimal trace; the reference design is the variant.
 */
export async function audit(p: Plugin, o: AuditOptions): Promise<AuditReport> {
  const t0 = Date.now();
  const findings: Finding[] = [];
  const skipped: string[] = [];
  const uninstall = installPlugin(p);
  const reference = variantByName(o.variant ?? 'reference')!;
  let checkRuns = 0, exploreStates = 0, exploreScenarios = 0;
  const own = new Set([...(p.coverage ?? []).map((b) => b.fn), ...(o.declaredByPlugin ?? [])]);
  const hits = new Map<string, number>();
  try {
    const systems = p.kind === 'fs' ? fsAuditSystems(p.role, o.own) : auditSystems(p.role, o.own);
    const usable = systems.filter((sys) => {
      try {
        initialState(sys.config, { variant: reference, pageSize: 4 });
        return true;
      } catch (e) {
        // the auditor's own config describes an impossible machine: their input, not a finding; one
        // of ours that the reference boots and this design (plug-in or variant) cannot is a finding
        if (e instanceof ConfigError && (sys.name.startsWith('system:') || (o.own ?? []).some((x) => x.name === sys.name))) throw new PluginLoadError(`--system ${sys.name.replace(/^system:/, '')}: ${e.message}`);
        if (e instanceof ConfigError) {
          const v = { invariant: 'posix-returns', message: bootMessage(e) };
          findings.push({ invariant: v.invariant, message: v.message, phase: 'add_disk', system: sys.name, trace: withPlugin(bootTrace(sys.name, sys.config, v, reference.name), p, o.module) });
          return false;
        }
        if (!(e instanceof PluginFault)) throw e;
        const v = violationOfError(e);
        findings.push({ invariant: v.invariant, message: v.message, phase: 'add_disk', system: sys.name, trace: withPlugin(bootTrace(sys.name, sys.config, v, reference.name), p, o.module) });
        return false;
      }
    });
    for (const file of o.scenarios ?? []) {
      let t: ParsedTrace;
      try { t = parseTrace(JSON.parse(readFileSync(file, 'utf8'))); } catch (e) {
        throw new PluginLoadError(`--scenario ${file}: ${e instanceof TraceError || e instanceof SyntaxError ? e.message : (e as Error).message}`);
      }
      const r = await exploreTraceReport(file, t, { variant: reference, timeBudgetMs: Math.max(1000, o.timeBudgetMs / 4), maxStates: o.maxStates });
      o.onPhase?.(`scenario ${t.name}: ${r.states} states${r.violation ? `, violates ${r.violation.invariant}` : ''}`);
      const v = r.violation;
      if (v && !findings.some((f) => f.invariant === v.invariant)) findings.push({ invariant: v.invariant, message: v.message, phase: 'scenario', system: t.name, trace: withPlugin(traceExploreTrace(t, r), p, o.module) });
      if (r.verdict === 'limit') skipped.push(`scenario ${t.name}: stopped by ${limitName(r.stoppedBy, o)} before every interleaving was visited`);
    }
    // the explore family's systems: an audited file system is on all of them, a driver on its role's
    const family = p.kind === 'fs' ? [...FAMILY_SYSTEMS] : FAMILY_SYSTEMS.filter((x) => x === p.role);
    const checkBudget = family.length ? o.timeBudgetMs * 0.6 : o.timeBudgetMs;
    for (let k = 0; k < usable.length; k++) {
      const sys = usable[k];
      const left = Math.max(1000, (checkBudget - (Date.now() - t0)) / (usable.length - k));
      // an invariant already found is not looked for again: a second finding of it would be
      // dropped (one finding per invariant), and shrinking it took the system's whole share of
      // the budget, which another invariant's search can use
      const r = check({
        seed: o.seed, runs: o.runs, variant: reference, systems: [sys], timeBudgetMs: left,
        invariants: INVARIANTS.filter((i) => !findings.some((f) => f.invariant === i.id)),
        onRun: (system, config, cmds) => o.onRun?.({ phase: 'check', system, config, cmds }),
      });
      checkRuns += r.systems.reduce((n, x) => n + x.runs, 0);
      for (const [b, n] of Object.entries(r.branches)) if (own.has(b.slice(0, b.indexOf(':')))) hits.set(b, (hits.get(b) ?? 0) + n);
      o.onPhase?.(`check ${sys.name}: ${r.systems[0]?.runs ?? 0} runs${r.counterexample ? `, violates ${r.counterexample.invariant}` : ''}`);
      if (r.counterexample) {
        const c = r.counterexample;
        if (!findings.some((f) => f.invariant === c.invariant)) findings.push({ invariant: c.invariant, message: c.message, phase: 'check', system: sys.name, trace: withPlugin(counterexampleTrace(c), p, o.module) });
      }
    }
    if (family.length) {
      const r = await exploreFamily({ variant: reference.name, timeBudgetMs: Math.max(1000, o.timeBudgetMs - (Date.now() - t0)), maxStates: o.maxStates, workers: 1, systems: family });
      exploreStates = r.states;
      exploreScenarios = r.scenarios;
      o.onPhase?.(`explore: ${r.scenarios} scenarios, ${r.states} states${r.counterexample ? `, violates ${r.counterexample.invariant}` : ''}`);
      const c = r.counterexample;
      if (c && !findings.some((f) => f.invariant === c.invariant)) findings.push({ invariant: c.invariant, message: c.message, phase: 'explore', system: c.scenario, trace: withPlugin(exploreTrace(r), p, o.module) });
      if (r.limited) skipped.push(`explore stopped by ${limitName(r.stoppedBy, o)} after ${r.scenarios} scenarios`);
    } else skipped.push(`explore: the explore family has no ${p.role} system (it has ${FAMILY_SYSTEMS.join(' and ')})`);
    return {
      plugin: { name: p.name, role: p.role, cites: p.cites, module: o.module }, variant: reference.name,
      // a branch the design declares unreachable (a defensive check, or one only another variant
      // takes: ext2's 6.1 DAX tables under the reference) counts only if reached, as check counts it
      coverage: { reached: [...hits].filter(([, n]) => n > 0).map(([b]) => b).sort(), unreached: [...hits].filter(([b, n]) => n === 0 && !defensiveBranches().has(b)).map(([b]) => b).sort() },
      systems: usable.map((s) => s.name), checkRuns, exploreStates, exploreScenarios, skipped, findings, elapsedMs: Date.now() - t0,
    };
  } finally {
    uninstall();
  }
}

/** Which limit stopped a search, as the auditor set it. */
function limitName(why: StopReason | undefined, o: AuditOptions): string {
  return why === 'states' ? `--max-states ${o.maxStates}` : why === 'time' ? 'the time budget' : why === 'memory' ? 'memory' : why === 'signal' ? 'a signal' : 'a limit';
}

/** A finding at boot (add_disk threw or misbehaved): the trace is the config with no step. */
function bootTrace(system: string, config: unknown, v: { invariant: string; message: string }, variant: string): object {
  return {
    schema: TRACE_SCHEMA, name: `${system}-${v.invariant}-boot`, question: `Found by xipcheck audit while adding the disks: ${v.message}`,
    expect: `violates ${v.invariant}`, variant, system, config,
    found: { by: 'audit', invariant: v.invariant, message: v.message, step: 0 }, steps: [],
  };
}
