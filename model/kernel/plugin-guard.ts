import type { Proc, Request } from './step.ts';
import type { State } from '../state.ts';
import { tablesChanged } from './generation.ts';

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
  tablesChanged();
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
  if (!sameData(r1, r2)) throw new PluginFault(plugin, op, 'non-deterministic', `two calls on the same state returned ${stable(r1)} and ${stable(r2)}`);
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

/**
 * Whether two values have one `stable` text, without writing either: parts the two share are
 * one object (a step returns the state it was given with a few parts replaced), so comparing
 * costs what the two runs built, where writing a whole state costs kilobytes.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || hasToJSON(a) || hasToJSON(b)) return stable(a) === stable(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    // inside an array, JSON writes what it cannot write (undefined, a function) as null
    for (let i = 0; i < a.length; i++) if (!sameData(writable(a[i]) ? a[i] : null, writable(y[i]) ? y[i] : null)) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => writable((a as Record<string, unknown>)[k]));
  const kb = Object.keys(b).filter((k) => writable((b as Record<string, unknown>)[k]));
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

const writable = (x: unknown) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol';
const hasToJSON = (x: object) => typeof (x as { toJSON?: unknown }).toJSON === 'function';

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x)) ?? 'undefined';
}

// ---- file-system plug-ins: generators of steps over the whole state -------------------------

/** A request from kernel code a plug-in called (mm's helpers): not the plug-in's to answer for. */
type Tagged = Request & { readonly kernel?: true; readonly owner?: string };

/**
 * Kernel helpers handed to file systems (model/fs/kernel_api.ts) mark their steps as the
 * kernel's, so that the guard judges only the steps a plug-in makes itself. Off the guard the
 * generator is returned as it is: no cost in a normal run.
 */
export function kernelProc<R>(g: Proc<R>): Proc<R> {
  return on ? tagKernel(g) : g;
}

function* tagKernel<R>(g: Proc<R>): Proc<R> {
  let r = g.next();
  while (!r.done) {
    const q = r.value as Tagged;
    r = g.next(yield (q.owner || q.kernel ? q : { ...q, kernel: true }) as Request);
  }
  return r.value;
}

/** Steps one plug-in call may take: more is a plug-in that never ends its call (livelock). */
export const MAX_PLUGIN_STEPS = 2_000;

/**
 * A plug-in's generator under the guard: each atomic step of its own is run on a frozen state,
 * twice (the same state and result both times), and may change only what the plug-in owns
 * (`foreign` says what else changed); its final value is checked by `checkRet`.
 */
export function guardedProc<R>(plugin: string, op: string, g: Proc<R>, checkRet: (r: R) => string | null, foreign: (pre: State, post: State) => string | null): Proc<R> {
  return on ? guardSteps(plugin, op, g, checkRet, foreign) : g;
}

function* guardSteps<R>(plugin: string, op: string, g: Proc<R>, checkRet: (r: R) => string | null, foreign: (pre: State, post: State) => string | null): Proc<R> {
  let steps = 0;
  let r = attempt(plugin, op, () => g.next());
  while (!r.done) {
    const q = r.value as Tagged;
    let out: Request = q;
    // only its own steps count: the kernel's, and those of a plug-in call nested in this one, are judged where they are made
    if (!q.kernel && !q.owner) {
      if (++steps > MAX_PLUGIN_STEPS) throw new PluginFault(plugin, op, 'livelock', `took more than ${MAX_PLUGIN_STEPS} steps in one call without returning`);
      if (q.kind === 'atomic') {
        const run = q.run;
        out = { ...q, owner: plugin, run: (s: State) => guardedStep(plugin, `${op}: ${q.label}`, s, run, foreign) } as Request;
      } else out = { ...(q as object), owner: plugin } as unknown as Request;
    }
    const input: unknown = yield out;
    r = attempt(plugin, op, () => g.next(input));
  }
  const bad = checkRet(r.value);
  if (bad) throw new PluginFault(plugin, op, 'malformed', bad);
  return r.value;
}

/** One state function of a plug-in (a step, or a member called inside the caller's step), guarded. */
export function guardedStep<T>(plugin: string, op: string, s: State, run: (s: State) => readonly [State, T], foreign: (pre: State, post: State) => string | null, checkRet: (r: T) => string | null = () => null): readonly [State, T] {
  if (!on) return run(s);
  deepFreeze(s);
  probe?.enter(plugin, op);
  try {
    const r1 = attempt(plugin, op, () => run(s));
    if (!Array.isArray(r1) || r1.length !== 2 || !r1[0] || typeof r1[0] !== 'object') throw new PluginFault(plugin, op, 'malformed', `a step returns [state, result], not ${stable(r1).slice(0, 80)}`);
    const bad = checkRet(r1[1]) ?? foreign(s, r1[0]);
    if (bad) throw new PluginFault(plugin, op, bad.startsWith('changed') ? 'mutated' : 'malformed', bad);
    const r2 = attempt(plugin, op, () => run(s));
    if (!sameData(r1[1], r2[1]) || !sameData(r1[0], r2[0])) throw new PluginFault(plugin, op, 'non-deterministic', 'two runs on the same state returned different states or results');
    return r1;
  } finally {
    probe?.exit();
  }
}
