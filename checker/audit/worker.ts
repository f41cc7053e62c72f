import { parentPort, workerData } from 'node:worker_threads';
import { setGuardProbe } from '../../model/kernel/plugin-guard.ts';
import { allBranches } from '../../model/kernel/coverage.ts';
import { installPlugin } from './install.ts';
import { variantByName } from '../../model/variants.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { makeSystem } from '../system.ts';
import { runCommands, runSteps } from '../sequence.ts';
import type { Action } from '../../model/actions.ts';
import { audit, type AuditOptions } from './audit.ts';
import { loadPlugin, PluginLoadError } from './load.ts';
import type { Cmd } from '../../properties/arbitraries.ts';

/**
 * The audit runs here, so that a plug-in stuck in a loop can be stopped from outside: the
 * watchdog (watchdog.ts) sees through `calls` whether a plug-in call is running and whether
 * calls still return. [0] = a call is running, [1] = calls returned so far, [2] = which call
 * runs (the number its 'call' message gave it).
 */
const { module, kind, options, calls, replay } = workerData as {
  module: string; kind?: 'driver' | 'fs'; options: Omit<AuditOptions, 'onRun' | 'onPhase' | 'module'>; calls: Int32Array;
  replay?: { system: string; config: unknown; cmds: readonly Cmd[] } | { system: string; config: unknown; steps: readonly { threads: readonly (readonly Action[])[]; schedule: readonly number[] }[] };
};
const post = (m: object): void => parentPort!.postMessage(m);

// each distinct call is posted once, with a number; entering a call stores its number in
// calls[2], where the watchdog reads which call hangs (a message per call cost a fifth of an audit)
const callIds = new Map<string, number>();
setGuardProbe({
  enter: (plugin, op) => {
    const name = `${plugin} ${op}`;
    let id = callIds.get(name);
    if (id === undefined) { id = callIds.size; callIds.set(name, id); post({ kind: 'call', id, plugin, op }); }
    Atomics.store(calls, 2, id);
    Atomics.store(calls, 0, 1);
  },
  exit: () => { Atomics.store(calls, 0, 0); Atomics.add(calls, 1, 1); },
});

try {
  const before = new Set([...allBranches().keys()].map((b) => b.slice(0, b.indexOf(':'))));
  const p = await loadPlugin(module, kind);
  const declaredByPlugin = [...new Set([...allBranches().keys()].map((b) => b.slice(0, b.indexOf(':'))))].filter((fn) => !before.has(fn));
  post({ kind: 'loaded', name: p.name, role: p.role, cites: p.cites, pluginKind: p.kind });
  if (replay) {
    // the run a plug-in hung in, again, posting each step before it runs: the last one posted is where it hangs
    installPlugin(p);
    const sys = makeSystem(replay.system, replay.config as never, variantByName(options.variant ?? 'reference')!);
    const beforeStep = (threads: readonly (readonly Action[])[], schedule: readonly number[]) => post({ kind: 'step', threads, schedule });
    // a generated run (the one that hung), or concrete steps (a candidate while the hang is shrunk)
    if ('cmds' in replay) runCommands(sys, replay.cmds, INVARIANTS, undefined, { finalReads: false, beforeStep });
    else runSteps(sys, replay.steps, INVARIANTS, undefined, { finalReads: false, beforeStep });
    post({ kind: 'done' });
  } else {
    const report = await audit(p, {
      ...options, module, declaredByPlugin,
      onRun: (w) => post({ kind: 'run', ...w }),
      onPhase: (msg) => post({ kind: 'phase', msg }),
    });
    post({ kind: 'report', report });
  }
} catch (e) {
  post({ kind: e instanceof PluginLoadError ? 'load-error' : 'error', message: e instanceof Error ? e.message : String(e) });
}
