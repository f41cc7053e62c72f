import type { CheckReport, Counterexample } from '../check.ts';
import type { DeclaredReached } from '../coverage.ts';
import type { InvariantRow, NotEvaluated } from '../invariant-rows.ts';
import type { ReplayResult } from '../replay.ts';
import { describeCall, describeObs } from '../describe.ts';
import { FINAL_NOTE } from '../sequence.ts';
import type { Action } from '../../model/actions.ts';
import type { Observation } from '../../model/state.ts';
import { oneLine } from '../quote.ts';
import type { AtomicStep } from '../execute.ts';

type StoryStep = {
  threads: readonly (readonly Action[])[];
  schedule?: readonly number[];
  obs: readonly (readonly Observation[])[];
  interleaving?: readonly { readonly thread: number; readonly label: string }[];
  atoms?: readonly AtomicStep[];
  observer?: true;
};

const obsText = (c: Action, o: Observation | undefined): string => (o ? describeObs(c, o) : '(still running)');

/**
 * Numbered steps with observations. A concurrent step lists its threads, then the
 * interleaving atomic step by atomic step — the part of a race a reviewer needs to see.
 */
export function storyLines(steps: readonly StoryStep[], failed?: number, extra?: (i: number) => string[]): string[] {
  const out: string[] = [];
  steps.forEach((s, i) => {
    const n = `${String(i + 1).padStart(3)}.`;
    const mark = i === failed ? '   ✗' : '';
    if (s.observer && !steps[i - 1]?.observer) out.push(`     ${FINAL_NOTE}:`);
    if (s.threads.length === 1 && s.threads[0].length === 1) out.push(`${n} ${describeCall(s.threads[0][0]).padEnd(58)} ${obsText(s.threads[0][0], s.obs[0]?.[0])}${mark}`);
    else {
      out.push(`${n} concurrently:${mark}`);
      s.threads.forEach((p, t) => p.forEach((c, k) => out.push(`       T${t}${p.length > 1 ? `.${k}` : ''} ${describeCall(c).padEnd(54)} ${obsText(c, s.obs[t]?.[k])}`)));
      if (s.interleaving?.length && !s.atoms) {
        out.push(`       interleaving (${s.interleaving.length} atomic steps; schedule ${JSON.stringify(s.schedule ?? [])}):`);
        s.interleaving.forEach((x, k) => out.push(`         ${String(k + 1).padStart(3)} T${x.thread}  ${x.label}`));
      }
    }
    if (s.atoms?.length && (i === failed || s.threads.length > 1 || s.threads[0].length > 1)) {
      out.push(`       atomic steps (${s.atoms.length}${s.schedule ? `; schedule ${JSON.stringify(s.schedule)}` : ''}), each with what it returned and [what it changed]:`);
      s.atoms.forEach((a, k) => out.push(`         ${String(k + 1).padStart(3)} T${a.thread}  ${a.label}${a.value !== null ? ` → ${a.value}` : ''}${a.effects.length ? `   [${a.effects.map((x) => x.text).join('; ')}]` : ''}`));
    }
    for (const e of extra?.(i) ?? []) out.push(`       ${e}`);
  });
  return out;
}

export function counterexampleText(c: Counterexample, tracePath?: string): string {
  return [
    `VIOLATION of ${c.invariant} on ${c.system} (variant ${c.variant})`,
    `  ${c.message}${c.at ? `\n  seen after step: ${c.at}` : ''}`,
    `  ${c.partlyShrunk ? 'counterexample (shrinking interrupted: a shorter one may exist)' : 'minimal counterexample'}, ${c.steps.length} step${c.steps.length === 1 ? '' : 's'} (seed ${c.seed}, path "${c.path}"):`,
    ...storyLines(c.steps, c.failedStep),
    ...(tracePath ? [`  trace written to ${oneLine(tracePath)} — replay with: npx xipcheck run ${oneLine(tracePath)}`] : []),
  ].join('\n');
}

export function checkText(r: CheckReport, tracePath?: string): string {
  const lines: string[] = [];
  lines.push(`xipcheck check — seed ${r.seed}, variant ${r.variant}`);
  const nameWidth = Math.max(18, ...r.systems.map((s) => s.name.length));
  for (const s of r.systems) lines.push(`  system ${s.name.padEnd(nameWidth)} ${String(s.runs).padStart(6)} runs ${String(s.steps).padStart(9)} atomic steps${s.interrupted ? '  (stopped by the time budget)' : ''}`);
  lines.push(...invariantLines(r.invariants, r.notEvaluated));
  lines.push('excluded by construction (what the runs never do, or never judge):');
  for (const e of r.exclusions) lines.push(`  ${e.name}: ${e.what} — ${e.why}`);
  lines.push('the reference derives every return itself, but borrows from the machine:');
  for (const x of r.borrowed) lines.push(`  - ${x.what}`);
  const acts = Object.entries(r.actions);
  lines.push(`actions (${acts.length}, calls started): ${acts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const all = Object.keys(r.branches).length;
  const def = Object.keys(r.defensive).length;
  lines.push(`kernel branches: ${all - r.unreached.length - def} of ${all - def} reached${def ? `; ${def} declared unreachable in this design (xipcheck check --reporter json lists why)` : ''}`);
  if (r.unreached.length) lines.push(`  FINDING — never reached: ${r.unreached.join(', ')}`);
  lines.push(...declaredReachedLines(r.declaredReached, r.reachedByVariant, r.undeclaredBranches));
  if (r.counterexample) lines.push(counterexampleText(r.counterexample, tracePath));
  else if (r.interrupted) lines.push(`INTERRUPTED after ${(r.elapsedMs / 1000).toFixed(1)} s: no violation in the runs above, the rest not run`);
  else lines.push(`no violation (${(r.elapsedMs / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}

/** The invariant table: each count with what it counts, then what was not evaluated and why. */
export function invariantLines(rows: readonly InvariantRow[], notEvaluated: readonly NotEvaluated[]): string[] {
  const lines = ['invariants (times evaluated, and on what):'];
  for (const i of rows) lines.push(`  ${i.id.padEnd(22)} ${String(i.checks).padStart(9)} ${i.unit.padEnd(34)} ${i.title}`);
  if (notEvaluated.length) {
    lines.push('not evaluated:');
    for (const n of notEvaluated) lines.push(`  ${n.id}: ${n.reason}`);
  }
  return lines;
}

/** A reached declared-unreachable branch: a failure on the reference design, a note on a variant. */
export function declaredReachedLines(failing: readonly DeclaredReached[], byVariant: readonly DeclaredReached[], undeclared: readonly string[] = []): string[] {
  return [
    ...(undeclared.length ? [`  FINDING (fails the run) — branch labels the catalogue does not declare: ${undeclared.join(', ')}`] : []),
    ...failing.map((d) => `  FINDING (fails the run) — declared unreachable but reached ${d.hits}×: ${d.branch} (declared: ${d.why})`),
    ...byVariant.map((d) => `  reached by this variant, declared unreachable in the reference design: ${d.branch} ${d.hits}×`),
  ];
}

/** What a replay expects and whether it happened: the last line of `run` and of `replay`. */
export function expectedLine(r: { expected: string; verdictMatches: boolean }): string {
  return `expected: ${r.expected} — ${r.verdictMatches ? 'as the trace expects' : 'NOT as the trace expects'}`;
}

/** The steps (with each one's note and mismatches) and the verdict of a replayed trace, as lines. */
export function replayedLines(
  steps: readonly (StoryStep & { note?: string; mismatches?: readonly string[] })[],
  violation: { invariant: string; message: string; at?: string; step: number } | null, showNote: (note: string) => boolean = () => true,
): string[] {
  const out: string[] = [];
  const extra = (i: number) => [...(steps[i].note && showNote(steps[i].note!) ? [`# ${oneLine(steps[i].note!)}`] : []), ...(steps[i].mismatches ?? []).map((m) => `✗ observation: ${m}`)];
  // a loop, not push(...lines): a trace of 100,000 steps would overflow the argument stack
  for (const l of storyLines(steps, violation?.step, extra)) out.push(l);
  out.push(violation ? `✗ ${violation.invariant}: ${violation.message}${violation.at ? ` (after ${violation.at})` : ''}` : 'invariants: all hold');
  return out;
}

export function replayText(r: ReplayResult): string {
  const lines = [`xipcheck run ${oneLine(r.name)} — variant ${r.variant}`];
  for (const l of replayedLines(r.steps, r.violation)) lines.push(l);
  lines.push(expectedLine(r));
  return lines.join('\n');
}
