/**
 * Calls into a plug-in (a driver or file system the user brought) under `xipcheck audit`: its
 * defects are findings, never crashes of the checker. Off by default — the reference plug-ins are
 * trusted and run at full speed; `audit` switches it on.
 */
export type FaultKind = 'threw' | 'malformed' | 'non-deterministic' | 'mutated' | 'livelock' | 'hung';

/** A plug-in broke its contract: the checker reports it as the violation `plugin-contract`. */
export class PluginFault extends Error {
  constructor(readonly plugin: string, readonly op: string, readonly kind: FaultKind, detail: string) {
    super(`${plugin} ${op}: ${detail}`);
  }
}

let on = false;

export function setPluginGuard(v: boolean): void {
  on = v;
}

export function pluginGuardOn(): boolean {
  return on;
}

/** Under the guard, what a plug-in is handed cannot be changed in place. */
export function maybeFrozen<T>(v: T): T {
  return on ? deepFreeze(v) : v;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/**
 * Run a plug-in operation. Guarded: an exception is a fault (a TypeError from writing a frozen
 * object is the plug-in mutating what it was only shown), a result `check` rejects is malformed,
 * and a second run on the same input must give the same result (the explorer replays steps, so a
 * plug-in must be a function of the state).
 */
export function guarded<T>(plugin: string, op: string, run: () => T, check: (r: T) => string | null): T {
  if (!on) return run();
  probe?.enter(plugin, op);
  try {
    return judged(plugin, op, run, check);
  } finally {
    probe?.exit();
  }
}

/** The audit watchdog's view: which plug-in call is running (a call that never returns is a hang). */
let probe: { enter: (plugin: string, op: string) => void; exit: () => void } | null = null;

export function setGuardProbe(p: typeof probe): void {
  probe = p;
}

function judged<T>(plugin: string, op: string, run: () => T, check: (r: T) => string | null): T {
  const r1 = attempt(plugin, op, run);
  const bad = check(r1);
  if (bad) throw new PluginFault(plugin, op, 'malformed', bad);
  const r2 = attempt(plugin, op, run);
  if (stable(r1) !== stable(r2)) throw new PluginFault(plugin, op, 'non-deterministic', `two calls on the same state returned ${stable(r1)} and ${stable(r2)}`);
  return r1;
}

function attempt<T>(plugin: string, op: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof PluginFault) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof TypeError && /read.only|not extensible|Cannot assign|Cannot add property|Cannot delete/i.test(msg)) {
      throw new PluginFault(plugin, op, 'mutated', `changed state it was only shown (${msg}); a driver changes its disk only through what it returns`);
    }
    throw new PluginFault(plugin, op, 'threw', `threw ${e instanceof Error ? e.name : typeof e}: ${msg}`);
  }
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x)) ?? 'undefined';
}
