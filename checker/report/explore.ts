import { exploreFailed, type FamilyReport } from '../explore/family-run.ts';
import { xmlEscape as esc } from './xml.ts';
import { declaredReachedLines, invariantLines, storyLines } from './text.ts';
import { oneLine } from '../quote.ts';
import { BORROWED } from '../../properties/reference/borrowed.ts';

const STOPPED: Record<NonNullable<FamilyReport['stoppedBy']>, string> = {
  states: 'the --max-states limit was reached',
  time: 'the --time-budget ran out',
  memory: 'memory (the heap was nearly full; a smaller bound, --max-states, or more heap with NODE_OPTIONS=--max-old-space-size=MB)',
  signal: 'interrupted by a signal',
};

export function exploreText(r: FamilyReport, tracePath?: string): string {
  const b = r.bound;
  const secs = r.elapsedMs / 1000;
  const lines = [
    `xipcheck explore — variant ${r.variant}${r.shard ? `, shard ${r.shard.index}/${r.shard.count} (every ${r.shard.count}th scenario)` : ''}, bound: ${b.threads} threads × ${b.ops} op${b.ops > 1 ? 's' : ''} each × ${b.pages} pages, symmetry ${r.symmetry ? 'on' : 'off'}`,
  ];
  for (const e of r.excluded) if (e.scenarios) lines.push(`  excluded by name: ${e.name} (${e.scenarios} scenarios) — ${e.reason}; --include-unfixed ${e.name} puts them back`);
  lines.push('  the family never does (at any bound):');
  for (const l of r.limits) lines.push(`    - ${l}`);
  lines.push(`  ${r.scenarios} scenarios: ${r.exhausted} exhausted, ${r.violations} with a violation, ${r.limited} stopped at a limit`);
  lines.push(`  ${r.states} distinct states, ${r.transitions} transitions, deepest interleaving ${r.maxDepth} atomic steps, ${secs.toFixed(1)} s (${Math.round(r.states / Math.max(secs, 1e-3))} states/s)`);
  if (r.por) lines.push(r.por.on ? `  partial-order reduction (sleep sets): ${r.por.pruned} transitions not taken, each to a state an equivalent interleaving reaches${r.por.fallbacks ? `; ${r.por.fallbacks} scenario${r.por.fallbacks === 1 ? '' : 's'} searched again without it` : ''}; --no-por takes them` : '  partial-order reduction off (--no-por)');
  if (r.visited) lines.push(r.visited.kind === 'exact' ? '  visited states kept by their exact keys (--exact-keys): no state can be mistaken for another'
    : `  visited states kept as 64-bit fingerprints: the probability that two distinct states shared one (and one went unsearched) is at most ${r.visited.collisionBound.toExponential(1)}; --exact-keys removes it`);
  lines.push(...invariantLines(r.invariants, r.notEvaluated).map((l) => `  ${l}`));
  const dr = declaredReachedLines(r.declaredReached, r.reachedByVariant, r.undeclaredBranches);
  if (dr.length) lines.push('  kernel branches:', ...dr.map((l) => `  ${l}`));
  lines.push('  the reference derives every return itself, but borrows from the machine:');
  for (const b of BORROWED) lines.push(`    - ${b.what}`);
  if (r.verdict === 'exhausted') lines.push(`BOUND EXHAUSTED: no evaluated invariant fails in any interleaving of any scenario within the bound${r.notEvaluated.length ? ` (not evaluated: ${r.notEvaluated.map((n) => n.id).join(', ')})` : ''}.`);
  if (r.stoppedBy) {
    lines.push(`STOPPED — bound NOT exhausted: ${STOPPED[r.stoppedBy]}; ${r.scenarios} scenario${r.scenarios === 1 ? '' : 's'} explored, the rest of the family not started${r.violations ? '' : ' (no violation in what was explored)'}.`);
  }
  const c = r.counterexample;
  if (c) {
    lines.push(`VIOLATION of ${c.invariant} (variant ${r.variant}, scenario ${c.scenario}) — the shortest${r.stoppedBy ? ' found before the stop' : ''}: ${c.depth} atomic steps`);
    lines.push(`  ${c.message}${c.at ? `\n  seen after step: ${c.at}` : ''}`);
    for (const l of storyLines(c.steps, c.steps.length - 1)) lines.push(l);
    if (tracePath) lines.push(`  trace written to ${oneLine(tracePath)} — replay with: npx xipcheck run ${oneLine(tracePath)}`);
  }
  return lines.join('\n');
}


/**
 * One testcase for the bound. A search stopped by a limit the user set, with no violation, is
 * <skipped> (the run exits 0) unless `requireExhaustive`, when it is a <failure> (exit 8), as
 * the exit code treats it; stopped by memory it is always a failure.
 */
export function exploreJunit(r: FamilyReport, tracePath?: string, requireExhaustive = false): string {
  const c = r.counterexample;
  const short = r.verdict === 'limit' && !c;
  const fails = c ? true : short ? requireExhaustive || r.stoppedBy === 'memory' : exploreFailed(r);
  const skip = short && !fails;
  const body = c ? `\n      <failure message="${esc(`${c.invariant}: ${c.message}`)}">${esc(exploreText(r, tracePath))}</failure>\n    `
    : short ? `\n      <${fails ? 'failure' : 'skipped'} message="bound not exhausted: ${esc(r.stoppedBy ? STOPPED[r.stoppedBy] : 'a limit')}; no violation in what was explored">${fails ? esc(exploreText(r)) : ''}</${fails ? 'failure' : 'skipped'}>\n    `
    : fails ? `\n      <failure message="branches declared unreachable were reached">${esc(exploreText(r))}</failure>\n    ` : '';
  const time = (r.elapsedMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xipcheck" tests="1" failures="${fails ? 1 : 0}" skipped="${skip ? 1 : 0}" time="${time}">`,
    `  <testsuite name="xipcheck explore (variant ${esc(r.variant)})" tests="1" failures="${fails ? 1 : 0}" errors="0" skipped="${skip ? 1 : 0}" time="${time}">`,
    `    <testcase classname="xipcheck.explore${r.shard ? `.shard${r.shard.index}of${r.shard.count}` : ''}" name="bound ${r.bound.threads}x${r.bound.ops}x${r.bound.pages} exhausted without violation${r.shard ? ` [shard ${r.shard.index}/${r.shard.count}]` : ''}" time="${time}">${body}</testcase>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
