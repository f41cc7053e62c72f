import type { CheckReport, Counterexample } from '../check.ts';
import type { ReplayResult } from '../replay.ts';
import { describeCall, describeObs } from '../describe.ts';
import { FINAL_NOTE } from '../sequence.ts';
import type { Action } from '../../model/actions.ts';
import type { Observation } from '../../model/state.ts';

type StoryStep = {
  threads: readonly (readonly Action[])[];
  schedule?: readonly number[];
  obs: readonly (readonly Observation[])[];
  interleaving?: readonly { readonly thread: number; readonly label: string }[];
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
      if (s.interleaving?.length) {
        out.push(`       interleaving (${s.interleaving.length} atomic steps; schedule ${JSON.stringify(s.schedule ?? [])}):`);
        s.interleaving.forEach((x, k) => out.push(`         ${String(k + 1).padStart(3)} T${x.thread}  ${x.label}`));
      }
    }
    for (const e of extra?.(i) ?? []) out.push(`       ${e}`);
  });
  return out;
}

export function counterexampleText(c: Counterexample, tracePath?: string): string {
  return [
    `VIOLATION of ${c.invariant} on ${c.system} (variant ${c.variant})`,
    `  ${c.message}${c.at ? `\n  seen after step: ${c.at}` : ''}`,
    `  minimal counterexample, ${c.steps.length} step${c.steps.length > 1 ? 's' : ''} (seed ${c.seed}, path "${c.path}"):`,
    ...storyLines(c.steps, c.failedStep),
    ...(tracePath ? [`  trace written to ${tracePath} — replay with: npx xipcheck run ${tracePath}`] : []),
  ].join('\n');
}

export function checkText(r: CheckReport, tracePath?: string): string {
  const lines: string[] = [];
  lines.push(`xipcheck check — seed ${r.seed}, variant ${r.variant}`);
  for (const s of r.systems) lines.push(`  system ${s.name.padEnd(18)} ${String(s.runs).padStart(6)} runs ${String(s.steps).padStart(9)} atomic steps${s.interrupted ? '  (stopped by the time budget)' : ''}`);
  lines.push('invariants (evaluations):');
  for (const i of r.invariants) lines.push(`  ${i.id.padEnd(22)} ${String(i.checks).padStart(9)}  ${i.title}`);
  const acts = Object.entries(r.actions);
  lines.push(`actions (${acts.length}): ${acts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const all = Object.keys(r.branches).length;
  const def = Object.keys(r.defensive).length;
  lines.push(`kernel branches: ${all - r.unreached.length - def} of ${all - def} reached${def ? `; ${def} declared unreachable in this design (xipcheck check --reporter json lists why)` : ''}`);
  if (r.unreached.length) lines.push(`  FINDING — never reached: ${r.unreached.join(', ')}`);
  if (r.counterexample) lines.push(counterexampleText(r.counterexample, tracePath));
  else lines.push(`no violation (${(r.elapsedMs / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}

export function replayText(r: ReplayResult): string {
  const lines = [`xipcheck run ${r.name} — variant ${r.variant}`];
  lines.push(...storyLines(r.steps, r.violation?.step, (i) => [...(r.steps[i].note ? [`# ${r.steps[i].note}`] : []), ...r.steps[i].mismatches.map((m) => `✗ observation: ${m}`)]));
  if (r.violation) lines.push(`✗ ${r.violation.invariant}: ${r.violation.message}${r.violation.at ? ` (after ${r.violation.at})` : ''}`);
  else lines.push('invariants: all hold');
  lines.push(`expected: ${r.expected} — ${r.verdictMatches ? 'as the trace expects' : 'NOT as the trace expects'}`);
  return lines.join('\n');
}
