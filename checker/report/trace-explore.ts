import { type TraceExploreReport } from '../explore/trace-explore-run.ts';
import { xmlEscape as esc } from './xml.ts';
import { declaredReachedLines, invariantLines, storyLines } from './text.ts';
import { oneLine } from '../quote.ts';
import { BORROWED } from '../../properties/reference/borrowed.ts';

const STOPPED: Record<NonNullable<TraceExploreReport['stoppedBy']>, string> = {
  states: 'the --max-states limit was reached',
  time: 'the --time-budget ran out',
  memory: 'memory (the heap was nearly full; --max-states, or more heap with NODE_OPTIONS=--max-old-space-size=MB)',
  signal: 'interrupted by a signal',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What `explore TRACE.json` ran: the set-up, the groups interleaved, what it did with the pinned observations. */
function scopeLines(r: TraceExploreReport): string[] {
  const out: string[] = [];
  const g = r.groups;
  out.push(`  set-up: ${plural(r.setupSteps, 'step')} before the first concurrent group, run once${r.pinned.judged ? `, ${plural(r.pinned.judged, 'pinned observation')} judged${r.pinned.mismatches.length ? '' : ' (all as pinned)'}` : ''}`);
  for (const m of r.pinned.mismatches) out.push(`    ✗ set-up observation: ${oneLine(m)}`);
  if (g.length) {
    out.push(`  every interleaving of ${plural(g.length, 'concurrent group')} (${g.map((x) => `step ${x.step + 1}: ${x.calls.length} threads of ${x.calls.join('+')} calls`).join('; ')}), each state the groups leave carried through the steps after them, then the final reads`);
  } else out.push('  no concurrent group: the trace has one schedule, run with the final reads');
  if (r.pinned.ignored) out.push(`  ${plural(r.pinned.ignored, 'pinned observation')} in and after the first group not judged: another interleaving may return something else; the reference judges every call instead (xipcheck run judges them on the trace's own schedules)`);
  out.push('  nothing is left out by name: the unfixed races are explored like any other (docs/races.md)');
  return out;
}

export function traceExploreText(r: TraceExploreReport, tracePath?: string): string {
  const secs = r.elapsedMs / 1000;
  const lines = [`xipcheck explore ${oneLine(r.file)} — scenario ${oneLine(r.name)}, variant ${r.variant}, symmetry ${r.symmetry ? 'on' : 'off'}`];
  lines.push(...scopeLines(r));
  lines.push(`  ${r.states} distinct states, ${r.transitions} transitions, deepest ${r.depth} atomic steps after the set-up, ${secs.toFixed(1)} s (${Math.round(r.states / Math.max(secs, 1e-3))} states/s)`);
  lines.push(...invariantLines(r.invariants, r.notEvaluated).map((l) => `  ${l}`));
  const dr = declaredReachedLines(r.declaredReached, r.reachedByVariant, r.undeclaredBranches);
  if (dr.length) lines.push('  kernel branches:', ...dr.map((l) => `  ${l}`));
  lines.push('  the reference derives every return itself, but borrows from the machine:');
  for (const b of BORROWED) lines.push(`    - ${b.what}`);
  if (r.verdict === 'exhausted') lines.push(`EXHAUSTED: no evaluated invariant fails in any interleaving of the trace's concurrent groups${r.notEvaluated.length ? ` (not evaluated: ${r.notEvaluated.map((n) => n.id).join(', ')})` : ''}.`);
  if (r.stoppedBy) lines.push(`STOPPED — NOT exhausted: ${STOPPED[r.stoppedBy]}; no violation in the ${r.states} states explored.`);
  const v = r.violation;
  if (v) {
    lines.push(`VIOLATION of ${v.invariant} (variant ${r.variant}, scenario ${oneLine(r.name)})${v.inSetup ? ' in the set-up, before any interleaving' : ` — the shortest: ${v.depth} atomic steps after the set-up`}`);
    lines.push(`  ${oneLine(v.message)}${v.at ? `\n  seen after step: ${v.at}` : ''}`);
    for (const l of storyLines(v.steps, v.step, (i) => (r.notes[i] && !v.steps[i]?.observer ? [`# ${oneLine(r.notes[i]!)}`] : []))) lines.push(l);
    if (tracePath) lines.push(`  trace written to ${oneLine(tracePath)} — replay with: npx xipcheck run ${oneLine(tracePath)}`);
  }
  lines.push(`expected: ${r.expected} — ${r.verdictMatches ? 'as the trace expects' : 'NOT as the trace expects'}`);
  return lines.join('\n');
}

/** One testcase for the trace; a search stopped short is judged as exploreJunit judges it. */
export function traceExploreJunit(r: TraceExploreReport, tracePath?: string, requireExhaustive = false): string {
  const v = r.violation;
  const otherwise = !!v || r.pinned.mismatches.length > 0 || r.declaredReached.length > 0 || r.undeclaredBranches.length > 0;
  const short = r.verdict !== 'exhausted' && !otherwise;
  const fails = otherwise || (short && (requireExhaustive || r.stoppedBy === 'memory'));
  const skip = short && !fails;
  const why = v ? `${v.invariant}: ${v.message}` : short ? `not exhausted (stopped by ${r.stoppedBy ?? 'a limit'}); no violation in what was explored` : r.pinned.mismatches.length ? 'the set-up did not go as pinned' : 'branches declared unreachable were reached';
  const body = fails ? `\n      <failure message="${esc(why)}">${esc(traceExploreText(r, tracePath))}</failure>\n    ` : skip ? `\n      <skipped message="${esc(why)}"/>\n    ` : '';
  const time = (r.elapsedMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xipcheck" tests="1" failures="${fails ? 1 : 0}" skipped="${skip ? 1 : 0}" time="${time}">`,
    `  <testsuite name="xipcheck explore ${esc(r.name)} (variant ${esc(r.variant)})" tests="1" failures="${fails ? 1 : 0}" errors="0" skipped="${skip ? 1 : 0}" time="${time}">`,
    `    <testcase classname="xipcheck.explore" name="every interleaving of ${esc(r.name)} without violation" time="${time}">${body}</testcase>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
