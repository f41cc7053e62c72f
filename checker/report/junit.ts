import type { CheckReport } from '../check.ts';
import { xmlEscape as esc } from './xml.ts';
import { counterexampleText } from './text.ts';

const secs = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/**
 * JUnit XML: one testsuite for the check; a testcase per system (its runs, timed), one per
 * invariant, and the coverage testcases. Each testcase is a failure exactly when the exit code
 * counts it as one: a branch no run reached is a finding about the search, reported in
 * <system-out>, not a failure. A shard's names carry the shard, so that the reports of all
 * shards merged (xipcheck merge) have no duplicate testcase.
 */
export function checkJunit(r: CheckReport, tracePath?: string): string {
  const cex = r.counterexample;
  const sh = r.shard ? ` [shard ${r.shard.index}/${r.shard.count}]` : '';
  const cls = `xipcheck.${esc(r.variant)}${r.shard ? `.shard${r.shard.index}of${r.shard.count}` : ''}`;
  const failure = (message: string, text: string) => `\n      <failure message="${esc(message)}">${esc(text)}</failure>\n    `;
  const tc = (name: string, time: string, body = '') => `    <testcase classname="${cls}" name="${esc(name)}${sh}" time="${time}">${body}</testcase>`;
  const cases = r.systems.map((x) => tc(`system ${x.name}: ${x.runs} runs`, secs(x.elapsedMs),
    cex?.system === x.name ? failure(`${cex.invariant}: ${cex.message}`, counterexampleText(cex, tracePath)) : ''));
  for (const i of r.invariants) {
    const failed = cex?.invariant === i.id;
    cases.push(tc(`${i.id}: ${i.title}`, '0', failed ? failure(cex!.message, counterexampleText(cex!, tracePath)) : ''));
  }
  if (cex && !r.invariants.some((i) => i.id === cex.invariant)) cases.push(tc(cex.invariant, '0', failure(cex.message, counterexampleText(cex, tracePath))));
  cases.push(tc('coverage: declared kernel branches reached', '0', r.unreached.length
    ? `\n      <system-out>${esc(`FINDING (does not fail the run) — ${r.unreached.length} declared branches never reached:\n${r.unreached.join('\n')}`)}</system-out>\n    ` : ''));
  // a run stopped by a signal did not check what it was asked to: that is a failure of its own
  if (r.interrupted) cases.push(tc('the run completed', '0', failure('interrupted by a signal', r.systems.map((s) => `${s.name}: ${s.runs} runs`).join('\n'))));
  const dr = r.declaredReached, ud = r.undeclaredBranches;
  cases.push(tc('coverage: no branch declared unreachable is reached', '0', dr.length ? failure(`${dr.length} branches declared unreachable were reached`, dr.map((d) => `${d.branch} (${d.hits}×; declared: ${d.why})`).join('\n')) : ''));
  cases.push(tc('coverage: every branch label hit is declared', '0', ud.length ? failure(`${ud.length} branch labels are not in the catalogue`, ud.join('\n')) : ''));
  const failures = cases.filter((c) => c.includes('<failure')).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xipcheck" tests="${cases.length}" failures="${failures}" time="${secs(r.elapsedMs)}">`,
    `  <testsuite name="xipcheck check (seed ${r.seed}, variant ${esc(r.variant)})${sh}" tests="${cases.length}" failures="${failures}" errors="0" time="${secs(r.elapsedMs)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
