import { Worker } from 'node:worker_threads';
import type { Action } from '../../model/actions.ts';
import type { Cmd } from '../../properties/arbitraries.ts';
import { TRACE_SCHEMA } from '../trace.ts';
import { withPlugin, type AuditOptions, type AuditReport, type Finding } from './audit.ts';
import { PluginLoadError } from './load.ts';

type Msg =
  | { kind: 'call'; id: number; plugin: string; op: string }
  | { kind: 'run'; phase: 'check'; system: string; config: unknown; cmds: readonly Cmd[] }
  | { kind: 'step'; threads: readonly (readonly Action[])[]; schedule: readonly number[] }
  | { kind: 'phase'; msg: string }
  | { kind: 'report'; report: AuditReport }
  | { kind: 'done' }
  | { kind: 'loaded'; name: string; role: string; cites: string; pluginKind: 'driver' | 'fs' }
  | { kind: 'load-error' | 'error'; message: string };

export interface WatchdogOptions extends Omit<AuditOptions, 'onRun' | 'onPhase'> {
  readonly kind?: 'driver' | 'fs';
  /** A plug-in call running longer than this is a hang (a finding), ms. */
  readonly callTimeoutMs: number;
  readonly onPhase?: (msg: string) => void;
}

function spawn(workerData: object, onMessage: (m: Msg) => void): { w: Worker; calls: Int32Array } {
  const calls = new Int32Array(new SharedArrayBuffer(12));
  // compiled, the worker is JavaScript beside this file; from the sources, a boot file registers
  // the TypeScript loader first (worker threads do not inherit it)
  const fromSource = import.meta.url.endsWith('.ts');
  const w = new Worker(new URL(fromSource ? '../explore/worker-boot.mjs' : './worker.js', import.meta.url), {
    workerData: { entry: new URL('./worker.ts', import.meta.url).href, calls, ...workerData },
  });
  w.on('message', onMessage);
  return { w, calls };
}

/** Wait until the worker ends or a plug-in call has been running for `timeoutMs` (then stop it). */
function watch(w: Worker, calls: Int32Array, timeoutMs: number): Promise<'ended' | 'hung' | Error> {
  return new Promise((done) => {
    let since = Date.now(), returned = -1;
    const tick = setInterval(() => {
      const running = Atomics.load(calls, 0), n = Atomics.load(calls, 1);
      if (!running || n !== returned) { returned = n; since = Date.now(); return; }
      if (Date.now() - since > timeoutMs) { clearInterval(tick); void w.terminate(); done('hung'); }
    }, Math.min(200, timeoutMs / 4));
    w.on('error', (e) => { clearInterval(tick); done(e); });
    w.on('exit', () => { clearInterval(tick); done('ended'); });
  });
}

/**
 * `xipcheck audit` from the outside: the audit in a worker thread under a watchdog. A plug-in
 * call that does not return in time is a finding: the run it hung in is replayed in a fresh
 * worker, step by step, to name the step it hangs in; that prefix is the finding's trace.
 */
export async function auditWatched(o: WatchdogOptions): Promise<AuditReport> {
  const t0 = Date.now();
  let report: AuditReport | null = null, lastRun: Extract<Msg, { kind: 'run' }> | null = null;
  const callNames = new Map<number, Extract<Msg, { kind: 'call' }>>();
  let failure: Extract<Msg, { kind: 'load-error' | 'error' }> | null = null;
  let loaded: Extract<Msg, { kind: 'loaded' }> | null = null;
  const { module, kind, seed, runs, timeBudgetMs, maxStates, own, variant, scenarios } = o;
  const { w, calls } = spawn({ module, kind, options: { seed, runs, timeBudgetMs, maxStates, own, variant, scenarios } }, (m) => {
    if (m.kind === 'report') report = m.report;
    else if (m.kind === 'loaded') loaded = m;
    else if (m.kind === 'run') lastRun = m;
    else if (m.kind === 'call') callNames.set(m.id, m);
    else if (m.kind === 'phase') o.onPhase?.(m.msg);
    else if (m.kind === 'load-error' || m.kind === 'error') failure = m;
  });
  const end = await watch(w, calls, o.callTimeoutMs);
  if (end instanceof Error) throw end;
  const f = failure as Extract<Msg, { kind: 'load-error' | 'error' }> | null;
  if (f) throw f.kind === 'load-error' ? new PluginLoadError(f.message) : new Error(f.message);
  if (end === 'ended' && report) return report;
  // the call entered last (the one that hangs): its number is in calls[2], its name came before it
  const call = callNames.get(Atomics.load(calls, 2)) ?? null;
  const run = lastRun as Extract<Msg, { kind: 'run' }> | null;
  const what = call ? `${call.plugin} ${call.op}` : 'a plug-in call';
  const message = `hung: ${what} did not return within ${o.callTimeoutMs / 1000} s`;
  const l = loaded as Extract<Msg, { kind: 'loaded' }> | null;
  const plugin = l ? { ...l, kind: l.pluginKind } : { name: call?.plugin ?? '?', role: '?', cites: '', kind: undefined };
  const trace = run ? withPlugin(await hangTrace(o, run, message), { kind: plugin.kind ?? 'driver', name: plugin.name, role: plugin.role }, module) : null;
  const finding: Finding = {
    invariant: 'plugin-contract', message, phase: 'watchdog', system: run?.system ?? '(loading)',
    trace: trace ?? { note: 'the plug-in hung before any run started' },
  };
  return {
    plugin: { name: plugin.name, role: plugin.role, cites: plugin.cites, module }, variant: o.variant ?? 'reference', systems: run ? [run.system] : [], checkRuns: 0, exploreStates: 0, exploreScenarios: 0, coverage: { reached: [], unreached: [] },
    skipped: ['the rest of the audit: the plug-in hung, and a hung call cannot be resumed'], findings: [finding], elapsedMs: Date.now() - t0,
  };
}

type Step = Extract<Msg, { kind: 'step' }>;

/** Replay a run or concrete steps in a fresh worker: the steps it started, and whether the last of them hung. */
async function replay(o: WatchdogOptions, what: { system: string; config: unknown; cmds: readonly Cmd[] } | { system: string; config: unknown; steps: readonly Step[] }): Promise<{ steps: Step[]; hung: boolean }> {
  const steps: Step[] = [];
  const { w, calls } = spawn({ module: o.module, kind: o.kind, options: { variant: o.variant }, replay: what }, (m) => { if (m.kind === 'step') steps.push(m); });
  const end = await watch(w, calls, o.callTimeoutMs);
  return { steps, hung: end === 'hung' };
}

/**
 * The hang's trace: the run replayed up to the step that hangs, then shrunk as fast-check shrinks
 * a failing run — delta debugging over the steps before the hanging one, each candidate replayed
 * in a fresh worker (a candidate that hangs costs the call timeout; one that does not, a
 * replay). Shrinking stops after `SHRINK_REPLAYS` candidates; the trace says how far it got.
 */
const SHRINK_REPLAYS = 40;

async function hangTrace(o: WatchdogOptions, run: { system: string; config: unknown; cmds: readonly Cmd[] }, message: string): Promise<Record<string, unknown>> {
  const first = await replay(o, run);
  let cur = first.steps;
  let tried = 0, n = 2;
  // the candidate must still hang; if an earlier step now hangs, the trace ends there
  while (first.hung && cur.length > 1 && tried < SHRINK_REPLAYS) {
    const head = cur.slice(0, -1), last = cur[cur.length - 1];
    const chunk = Math.ceil(head.length / n);
    let reduced = false;
    for (let i = 0; i < head.length && tried < SHRINK_REPLAYS; i += chunk) {
      const cand = [...head.slice(0, i), ...head.slice(i + chunk), last];
      tried++;
      const r = await replay(o, { system: run.system, config: run.config, steps: cand });
      if (r.hung) { cur = r.steps; n = Math.max(n - 1, 2); reduced = true; break; }
    }
    if (!reduced) {
      if (chunk === 1) break;
      n = Math.min(n * 2, head.length);
    }
  }
  const shrunk = !first.hung ? 'the replay did not hang again: the trace is the whole run up to the last step started'
    : first.steps.length <= 1 ? 'one step: nothing to shrink'
    : tried >= SHRINK_REPLAYS && cur.length > 1 ? `shrunk from ${first.steps.length} to ${cur.length} steps; stopped after ${SHRINK_REPLAYS} candidate replays`
      : `shrunk from ${first.steps.length} to ${cur.length} steps (${tried} candidate replays)`;
  return {
    schema: TRACE_SCHEMA, name: `${run.system}-plugin-contract-hang`, question: `Found by xipcheck audit: ${message} (${shrunk})`,
    expect: 'violates plugin-contract', variant: o.variant ?? 'reference', system: run.system, config: run.config,
    found: { by: 'audit', invariant: 'plugin-contract', message, step: Math.max(0, cur.length - 1) },
    steps: cur.map((s) => (s.threads.length === 1 && s.threads[0].length === 1 ? s.threads[0][0] : { par: s.threads.map((p) => (p.length === 1 ? p[0] : p)), schedule: s.schedule })),
  };
}
