import { z } from 'zod';
import { Action } from '../model/actions.ts';
import { Config } from '../model/config.ts';
import { errnoValue } from '../model/kernel/errno.ts';
import { MAX_PREFIXES, prefixCount } from './group.ts';
import { quote } from './quote.ts';
import { INVARIANTS } from '../properties/registry.ts';

/**
 * The trace format, version 1: one JSON file for counterexamples, hand-written scenarios and
 * regression tests. A step is one call, or a group of calls run as concurrent threads under a
 * schedule. `expect` on a step pins its observation; `expect` on the trace says whether the
 * scenario should hold or violate a named invariant (the LKMM litmus `Result:` line).
 */
export const TRACE_SCHEMA = 'xipcheck/trace@1';

const Errno = z.union([z.number().int(), z.string().regex(/^-?E[A-Z]+$/, 'an errno name such as "-EINVAL"')]);

export const ExpectedObs = z.strictObject({
  ret: Errno.optional(),
  data: z.array(z.number().int().min(0).max(255).nullable()).optional(),
  signal: z.enum(['SIGBUS', 'SIGSEGV', 'SIGKILL']).nullable().optional(),
  /** fstat's fields to pin (any subset): how many blocks a file owns is allocation policy the reference leaves open. */
  stat: z.strictObject({ size: z.number().int().min(0), blocks: z.number().int().min(0), xip: z.boolean() }).partial().optional(),
  /** statfs's fields to pin (any subset). */
  statfs: z.strictObject({ blocks: z.number().int().min(0), bfree: z.number().int().min(0), ro: z.boolean(), xip: z.boolean() }).partial().optional(),
});
export type ExpectedObs = z.infer<typeof ExpectedObs>;

const StepMeta = z.object({ expect: ExpectedObs.optional(), note: z.string().optional() }).loose();
const GroupStep = z.strictObject({
  /** Threads: each a call, or a program of calls run in order. */
  par: z.array(z.union([Action, z.array(Action).min(1)])).min(1).max(4),
  schedule: z.array(z.number().int().min(0)).default([]),
  expect: z.array(ExpectedObs.nullable()).optional(),
  note: z.string().optional(),
});

export const Trace = z.strictObject({
  schema: z.literal(TRACE_SCHEMA),
  name: z.string().min(1),
  question: z.string().optional(),
  expect: z.string().regex(/^(holds|violates [a-z0-9-]+)$/, '"holds" or "violates <invariant-id>"').default('holds'),
  cites: z.array(z.string()).default([]),
  variant: z.string().default('reference'),
  system: z.string().optional(),
  config: Config,
  /** Empty only for a finding made before any step: an audited driver failing while its disks are added. */
  steps: z.array(z.unknown()),
  /** How a generated counterexample was found: by `check` (seed, path), `explore` (bound, scenario) or `audit` (plug-in). */
  found: z.strictObject({
    by: z.enum(['check', 'explore', 'audit']).default('check'),
    /** The audited plug-in: replay with `xipcheck run TRACE --plugin MODULE`. */
    plugin: z.strictObject({ kind: z.enum(['driver', 'fs']), name: z.string(), role: z.string(), module: z.string() }).optional(),
    seed: z.number().int().optional(), path: z.string().optional(),
    bound: z.strictObject({ threads: z.number().int(), ops: z.number().int(), pages: z.number().int() }).optional(),
    scenario: z.string().optional(), depth: z.number().int().optional(),
    invariant: z.string(), message: z.string(), at: z.string().optional(), step: z.number().int(),
  }).optional(),
});

export interface TraceStep {
  readonly threads: readonly (readonly Action[])[];
  readonly schedule?: readonly number[];
  /** Per call, in thread order then program order. */
  readonly expect?: readonly (ExpectedObs | null)[];
  readonly note?: string;
}

export interface ParsedTrace extends Omit<z.infer<typeof Trace>, 'steps'> {
  readonly steps: readonly TraceStep[];
}

/** Thrown with a one-line message saying what is wrong and where. */
export class TraceError extends Error {}

function where(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

export function firstIssue(e: z.ZodError, prefix: string): string {
  const i = e.issues[0];
  const at = where([...(prefix ? [prefix] : []), ...i.path] as PropertyKey[]);
  return `${at || 'top level'}: ${i.message}`;
}

const OPS = Action.options.map((o) => (o.shape.op as z.ZodLiteral<string>).value);

function parseAction(raw: unknown, at: string): z.infer<typeof Action> {
  if (raw && typeof raw === 'object' && 'op' in raw && !OPS.includes(String((raw as { op: unknown }).op))) {
    throw new TraceError(`${at}.op: unknown action ${quote(String((raw as { op: unknown }).op))} (one of: ${OPS.join(', ')})`);
  }
  const r = Action.safeParse(raw);
  if (!r.success) throw new TraceError(firstIssue(r.error, at));
  return r.data;
}

/**
 * Indexes that name a part of the configured machine must exist in it: a pid beyond
 * `processes` or a device index beyond `devices` is a mistake in the trace, not a system call
 * the model could answer (the kernel has no such process, no such sysfs file). Descriptors and
 * addresses are data: a bad one is an error the kernel returns (-EBADF, SIGSEGV).
 */
function checkRanges(a: z.infer<typeof Action>, cfg: z.infer<typeof Config>, at: string): void {
  if (a.pid >= cfg.processes) {
    throw new TraceError(`${at}.pid: process ${a.pid} does not exist — the config has ${cfg.processes} process${cfg.processes > 1 ? 'es' : ''} (pids 0..${cfg.processes - 1}); use a pid in range or raise config.processes (at most 4)`);
  }
  if ('dev' in a && a.dev >= cfg.devices.length) {
    throw new TraceError(`${at}.dev: device ${a.dev} does not exist — the config has ${cfg.devices.length} device${cfg.devices.length > 1 ? 's' : ''} (indexes 0..${cfg.devices.length - 1} into config.devices)`);
  }
}

/** A group whose judgement (linearize) would walk too many prefixes is refused up front. */
function checkGroupSize(threads: readonly (readonly unknown[])[], at: string): void {
  const n = prefixCount(threads.map((p) => p.length));
  if (n > MAX_PREFIXES) {
    throw new TraceError(`${at}.par: a concurrent group of ${threads.map((p) => p.length).join('+')} calls is too large to judge — coherence is checked over every order of its calls, and its ${threads.map((p) => p.length + 1).join('×')} = ${n} prefixes exceed the limit of ${MAX_PREFIXES}; split it into smaller groups`);
  }
}

/** What a trace may expect to be violated: the invariants, and the two the runner itself reports. */
const VIOLATION_IDS = [...INVARIANTS.map((i) => i.id), 'deadlock', 'model-error', 'plugin-contract'];

/** Parse and validate a trace; every error is a TraceError with one line of text. */
export function parseTrace(json: unknown): ParsedTrace {
  const t = Trace.refine((x) => x.steps.length > 0 || x.expect !== 'holds', { path: ['steps'], message: 'a trace needs at least one step (only a finding at boot, "violates …", has none)' }).safeParse(json);
  if (!t.success) throw new TraceError(firstIssue(t.error, ''));
  const cfg = t.data.config;
  const want = /^violates (.*)$/.exec(t.data.expect)?.[1];
  if (want !== undefined && !VIOLATION_IDS.includes(want)) {
    throw new TraceError(`expect: "violates ${want}" names no invariant — use "holds" or "violates <id>" with one of: ${VIOLATION_IDS.join(', ')} (xipcheck invariants lists them)`);
  }
  const steps: TraceStep[] = t.data.steps.map((raw, i) => {
    const at = `steps[${i}]`;
    if (raw && typeof raw === 'object' && 'par' in raw) {
      const g = GroupStep.safeParse(raw);
      if (!g.success) throw new TraceError(firstIssue(g.error, at));
      const threads = g.data.par.map((p) => (Array.isArray(p) ? p : [p]));
      g.data.par.forEach((p, th) => (Array.isArray(p) ? p : [p]).forEach((a, k) => checkRanges(a, cfg, `${at}.par[${th}]${Array.isArray(p) ? `[${k}]` : ''}`)));
      checkGroupSize(threads, at);
      const n = threads.reduce((k, p) => k + p.length, 0);
      if (g.data.expect && g.data.expect.length !== n) throw new TraceError(`${at}.expect: ${n} calls but ${g.data.expect.length} expectations`);
      return { threads, schedule: g.data.schedule, expect: g.data.expect, note: g.data.note };
    }
    const m = StepMeta.safeParse(raw);
    if (!m.success) throw new TraceError(firstIssue(m.error, at));
    const { expect, note, ...rest } = m.data as { expect?: ExpectedObs; note?: string };
    const action = parseAction(rest, at);
    checkRanges(action, cfg, at);
    return { threads: [[action]], expect: expect ? [expect] : undefined, note };
  });
  return { ...t.data, steps };
}

/** Normalise an expected return value (a number or an errno name) to a number. */
export function expectedRet(r: number | string): number {
  if (typeof r === 'number') return r;
  const v = errnoValue(r);
  if (v === undefined) throw new TraceError(`unknown errno name ${quote(r)}`);
  return v;
}
