import { PluginFault } from '../model/kernel/plugin-guard.ts';
import { violationOfError } from './sequence.ts';
import type { Action } from '../model/actions.ts';
import type { Observation } from '../model/state.ts';
import { variantByName } from '../model/variants.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { runSteps } from './sequence.ts';
import { bootFailure, makeSystem } from './system.ts';
import { expectedRet, TraceError, type ExpectedObs, type ParsedTrace } from './trace.ts';
import type { AtomicStep, Violation } from './execute.ts';
import { quote } from './quote.ts';
import { snapshot } from './effects.ts';

export interface ReplayedStep {
  readonly threads: readonly (readonly Action[])[];
  readonly schedule?: readonly number[];
  readonly obs: readonly (readonly Observation[])[];
  readonly interleaving?: readonly { readonly thread: number; readonly label: string }[];
  /** With detail: every atomic step, what it returned and what it changed. */
  readonly atoms?: readonly AtomicStep[];
  readonly observer?: true;
  /** Where an observation differs from the trace's `expect`, one message per call. */
  readonly mismatches: readonly string[];
  readonly note?: string;
}

export interface ReplayResult {
  readonly name: string;
  readonly variant: string;
  readonly steps: readonly ReplayedStep[];
  readonly violation: (Violation & { step: number }) | null;
  /** What the trace says should happen, and whether it did. */
  readonly expected: string;
  readonly verdictMatches: boolean;
  readonly ok: boolean;
  /** With detail: the state where the run ended (after the failed step, or after the final reads), as snapshot lines. */
  readonly snapshot?: readonly string[];
}

function diff(e: ExpectedObs, o: Observation): string | null {
  if (e.ret !== undefined && expectedRet(e.ret) !== o.ret) return `ret ${o.ret}, trace expects ${e.ret}`;
  if (e.signal !== undefined && (e.signal ?? undefined) !== o.signal) return `signal ${o.signal ?? 'none'}, trace expects ${e.signal ?? 'none'}`;
  for (const [k, want] of Object.entries(e.stat ?? {})) {
    const got = o.stat?.[k as keyof NonNullable<Observation['stat']>];
    if (got !== want) return `fstat ${k} ${got}, trace expects ${want}`;
  }
  for (const [k, want] of Object.entries(e.statfs ?? {})) {
    const got = o.statfs?.[k as keyof NonNullable<Observation['statfs']>];
    if (got !== want) return `statfs ${k} ${got}, trace expects ${want}`;
  }
  if (e.data) {
    const got = o.data ?? [];
    if (got.length !== e.data.length || e.data.some((b, k) => b !== null && b !== got[k])) return `data [${got.join(' ')}], trace expects [${e.data.map((b) => b ?? '?').join(' ')}]`;
  }
  return null;
}

/** `xipcheck run`: replay a trace on its own config and variant, checking every invariant. */
export function replayTrace(t: ParsedTrace, o: { detail?: boolean } = {}): ReplayResult {
  const v = variantByName(t.variant);
  if (!v) throw new TraceError(`variant: unknown variant ${quote(t.variant)} (xipcheck variants lists them)`);
  const sys = makeSystem(t.system ?? t.name, t.config, v);
  const boot = bootFailure(sys);
  if (boot) {
    const violation = { invariant: 'posix-returns', message: boot, step: 0 };
    return { name: t.name, variant: v.name, steps: [], violation, expected: t.expect, verdictMatches: t.expect === 'violates posix-returns', ok: false };
  }
  let r: ReturnType<typeof runSteps>;
  try {
    r = runSteps(sys, t.steps, INVARIANTS, undefined, { finalReads: true, detail: o.detail });
  } catch (e) {
    // an audited driver failing while its disks are added: no step ran
    if (!(e instanceof PluginFault)) throw e;
    const violation = { ...violationOfError(e), step: 0 };
    return { name: t.name, variant: v.name, steps: [], violation, expected: t.expect, verdictMatches: t.expect === `violates ${violation.invariant}`, ok: false };
  }
  const steps: ReplayedStep[] = r.steps.map((s, i) => {
    // the final observer's reads come after the trace's own steps
    if (i >= t.steps.length) return { ...s, mismatches: [] };
    const exp = t.steps[i].expect;
    const flat = s.threads.flatMap((p, th) => p.map((_, k) => ({ th, o: s.obs[th]?.[k] })));
    const mismatches = exp ? flat.flatMap(({ th, o }, k) => {
      const e = exp[k];
      const m = e ? (o ? diff(e, o) : 'did not finish') : null;
      return m ? [`${s.threads.length > 1 ? `T${th} ` : ''}${m}`] : [];
    }) : [];
    return { ...s, mismatches, note: t.steps[i].note };
  });
  const want = t.expect;
  const got = r.violation ? `violates ${r.violation.invariant}` : 'holds';
  const verdictMatches = want === got;
  const ok = !r.violation && steps.every((s) => !s.mismatches.length) && verdictMatches;
  return { name: t.name, variant: v.name, steps, violation: r.violation, expected: want, verdictMatches, ok, ...(o.detail ? { snapshot: snapshot(r.state) } : {}) };
}

/** How an observation differs from what a trace pins (null: as pinned), for callers other than `run`. */
export { diff as expectationDiff };
