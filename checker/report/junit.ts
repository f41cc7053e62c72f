import type { CheckReport } from '../check.ts';
import { xmlEscape as esc } from './xml.ts';
import { counterexampleText } from './text.ts';


/** JUnit XML: one testsuite for the check, one testcase per invariant (and one for coverage). */
export function checkJunit(r: CheckReport, tracePath?: string): string {
  const cex = r.counterexample;
  const cases = r.invariants.map((i) => {
    const failed = cex?.invariant === i.id;
    return `    <testcase classname="xipcheck.${esc(r.variant)}" name="${esc(i.id)}: ${esc(i.title)}" time="0">${failed ? `\n      <failure message="${esc(cex!.message)}">${esc(counterexampleText(cex!, tracePath))}</failure>\n    ` : ''}</testcase>`;
  });
  if (cex && !r.invariants.some((i) => i.id === cex.invariant)) {
    cases.push(`    <testcase classname="xipcheck.${esc(r.variant)}" name="${esc(cex.invariant)}" time="0">\n      <failure message="${esc(cex.message)}">${esc(counterexampleText(cex, tracePath))}</failure>\n    </testcase>`);
  }
  cases.push(`    <testcase classname="xipcheck.${esc(r.variant)}" name="coverage: every kernel branch reached" time="0">${r.unreached.length ? `\n      <failure message="${r.unreached.length} branches never reached">${esc(r.unreached.join('\n'))}</failure>\n    ` : ''}</testcase>`);
  // a run stopped by a signal did not check what it was asked to: that is a failure of its own
  if (r.interrupted) cases.push(`    <testcase classname="xipcheck.${esc(r.variant)}" name="the run completed" time="0">\n      <failure message="interrupted by a signal">${esc(`${r.systems.map((s) => `${s.name}: ${s.runs} runs`).join('\n')}`)}</failure>\n    </testcase>`);
  const dr = r.declaredReached, ud = r.undeclaredBranches;
  cases.push(`    <testcase classname="xipcheck.${esc(r.variant)}" name="coverage: no branch declared unreachable is reached" time="0">${dr.length ? `\n      <failure message="${dr.length} branches declared unreachable were reached">${esc(dr.map((d) => `${d.branch} (${d.hits}×; declared: ${d.why})`).join('\n'))}</failure>\n    ` : ''}</testcase>`);
  cases.push(`    <testcase classname="xipcheck.${esc(r.variant)}" name="coverage: every branch label hit is declared" time="0">${ud.length ? `\n      <failure message="${ud.length} branch labels are not in the catalogue">${esc(ud.join('\n'))}</failure>\n    ` : ''}</testcase>`);
  const failures = (cex ? 1 : 0) + (r.unreached.length ? 1 : 0) + (dr.length ? 1 : 0) + (ud.length ? 1 : 0) + (r.interrupted ? 1 : 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xipcheck" tests="${cases.length}" failures="${failures}" time="${(r.elapsedMs / 1000).toFixed(3)}">`,
    `  <testsuite name="xipcheck check (seed ${r.seed}, variant ${esc(r.variant)})" tests="${cases.length}" failures="${failures}" errors="0" time="${(r.elapsedMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
