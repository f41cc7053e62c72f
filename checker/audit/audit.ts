import { check } from '../check.ts';
import { counterexampleTrace, exploreTrace } from '../write-trace.ts';
import { exploreFamily } from '../explore/family-run.ts';
import { FAMILY_SYSTEMS } from '../explore/family.ts';
import { variantByName } from '../../model/variants.ts';
import { ConfigError, initialState } from '../../model/init.ts';
import { PluginLoadError } from './load.ts';
import { registerDriver, substituteDriver, unregisterDriver } from '../../model/block/driver.ts';
import { PluginFault, setPluginGuard } from '../../model/kernel/plugin-guard.ts';
import { violationOfError } from '../sequence.ts';
import { TRACE_SCHEMA } from '../trace.ts';
import type { ConfigInput } from '../../model/config.ts';
import type { Cmd } from '../../properties/arbitraries.ts';
import type { DriverPlugin } from './plugin-shape.ts';
import { auditSystems } from './systems.ts';

export interface AuditOptions {
  readonly module: string;
  readonly seed: number;
  readonly runs: number;
  readonly timeBudgetMs: number;
  /** The auditor's own systems (--system). */
  readonly own?: readonly { name: string; config: ConfigInput }[];
  /** Polled between runs; the watchdog's view of where the audit is. */
  readonly onRun?: (where: { phase: 'check'; system: string; config: unknown; cmds: readonly Cmd[] }) => void;
  readonly onPhase?: (msg: string) => void;
}

export interface Finding {
  readonly invariant: string;
  readonly message: string;
  readonly phase: 'add_disk' | 'check' | 'explore' | 'watchdog';
  readonly system: string;
  /** A replayable trace (xipcheck run TRACE --plugin MODULE). */
  readonly trace: Record<string, unknown>;
}

export interface AuditReport {
  readonly plugin: { readonly name: string; readonly role: string; readonly cites: string; readonly module: string };
  readonly systems: readonly string[];
  readonly checkRuns: number;
  readonly exploreStates: number;
  readonly exploreScenarios: number;
  readonly skipped: readonly string[];
  readonly findings: readonly Finding[];
  readonly elapsedMs: number;
}

/** The trace's config names the audited driver, so `run --plugin` replays it on the plug-in. */
function onPlugin(config: unknown, role: string, name: string): unknown {
  const c = config as { devices: { driver: string }[] };
  return { ...c, devices: c.devices.map((d) => (d.driver === role ? { ...d, driver: name } : d)) };
}

export function withPlugin(trace: object, p: DriverPlugin, module: string): Record<string, unknown> {
  const t = trace as Record<string, unknown> & { config: unknown; found: Record<string, unknown> };
  return { ...t, config: onPlugin(t.config, p.role, p.name), found: { ...t.found, plugin: { kind: p.kind, name: p.name, role: p.role, module } } };
}

/**
 * `xipcheck audit`: the plug-in in place of the reference driver of its role, under the guard,
 * on every system where it fits: check with every invariant (the driver-contract probes of every
 * sector run after every step), then the explore family where the role has one. Every violated
 * invariant is a finding with its minimal trace; the reference design is the variant.
 */
export async function audit(p: DriverPlugin, o: AuditOptions): Promise<AuditReport> {
  const t0 = Date.now();
  const findings: Finding[] = [];
  const skipped: string[] = [];
  registerDriver(p);
  if (p.name !== p.role) substituteDriver(p.role, p.name);
  setPluginGuard(true);
  const reference = variantByName('reference')!;
  let checkRuns = 0, exploreStates = 0, exploreScenarios = 0;
  try {
    const systems = auditSystems(p.role, o.own);
    const usable = systems.filter((sys) => {
      try {
        initialState(sys.config, { variant: reference, pageSize: 4 });
        return true;
      } catch (e) {
        // the auditor's own config describes an impossible machine: their input, not a finding
        if (e instanceof ConfigError) throw new PluginLoadError(`--system ${sys.name.replace(/^system:/, '')}: ${e.message}`);
        if (!(e instanceof PluginFault)) throw e;
        const v = violationOfError(e);
        findings.push({ invariant: v.invariant, message: v.message, phase: 'add_disk', system: sys.name, trace: withPlugin(bootTrace(sys.name, sys.config, v), p, o.module) });
        return false;
      }
    });
    const checkBudget = FAMILY_SYSTEMS.includes(p.role as never) ? o.timeBudgetMs * 0.6 : o.timeBudgetMs;
    for (let k = 0; k < usable.length; k++) {
      const sys = usable[k];
      const left = Math.max(1000, (checkBudget - (Date.now() - t0)) / (usable.length - k));
      const r = check({
        seed: o.seed, runs: o.runs, variant: reference, systems: [sys], timeBudgetMs: left,
        onRun: (system, config, cmds) => o.onRun?.({ phase: 'check', system, config, cmds }),
      });
      checkRuns += r.systems.reduce((n, x) => n + x.runs, 0);
      o.onPhase?.(`check ${sys.name}: ${r.systems[0]?.runs ?? 0} runs${r.counterexample ? `, violates ${r.counterexample.invariant}` : ''}`);
      if (r.counterexample) {
        const c = r.counterexample;
        if (!findings.some((f) => f.invariant === c.invariant)) findings.push({ invariant: c.invariant, message: c.message, phase: 'check', system: sys.name, trace: withPlugin(counterexampleTrace(c), p, o.module) });
      }
    }
    if (FAMILY_SYSTEMS.includes(p.role as never)) {
      const r = await exploreFamily({ variant: 'reference', timeBudgetMs: Math.max(1000, o.timeBudgetMs - (Date.now() - t0)), workers: 1, systems: [p.role] });
      exploreStates = r.states;
      exploreScenarios = r.scenarios;
      o.onPhase?.(`explore: ${r.scenarios} scenarios, ${r.states} states${r.counterexample ? `, violates ${r.counterexample.invariant}` : ''}`);
      const c = r.counterexample;
      if (c && !findings.some((f) => f.invariant === c.invariant)) findings.push({ invariant: c.invariant, message: c.message, phase: 'explore', system: c.scenario, trace: withPlugin(exploreTrace(r), p, o.module) });
      if (r.limited) skipped.push(`explore stopped by the time budget after ${r.scenarios} scenarios`);
    } else skipped.push(`explore: the explore family has no ${p.role} system (it has ${FAMILY_SYSTEMS.join(' and ')})`);
    return {
      plugin: { name: p.name, role: p.role, cites: p.cites, module: o.module },
      systems: usable.map((s) => s.name), checkRuns, exploreStates, exploreScenarios, skipped, findings, elapsedMs: Date.now() - t0,
    };
  } finally {
    setPluginGuard(false);
    substituteDriver(p.role, null);
    unregisterDriver(p.name);
  }
}

/** A finding at boot (add_disk threw or misbehaved): the trace is the config with no step. */
function bootTrace(system: string, config: unknown, v: { invariant: string; message: string }): object {
  return {
    schema: TRACE_SCHEMA, name: `${system}-${v.invariant}-boot`, question: `Found by xipcheck audit while adding the disks: ${v.message}`,
    expect: `violates ${v.invariant}`, variant: 'reference', system, config,
    found: { by: 'audit', invariant: v.invariant, message: v.message, step: 0 }, steps: [],
  };
}
