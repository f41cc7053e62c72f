import type { AuditReport } from '../audit/audit.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { xmlEscape as esc } from './xml.ts';

/**
 * JUnit XML for `xipcheck audit`: one testcase per invariant (and for the plug-in contract), the
 * violated ones failing with the finding and the path of its trace.
 */
export function auditJunit(r: AuditReport, traces: readonly (string | null)[]): string {
  const cls = `xipcheck.audit.${esc(r.plugin.name)}`;
  const ids = [...INVARIANTS.map((i) => i.id), 'plugin-contract', 'model-error', 'deadlock'];
  for (const f of r.findings) if (!ids.includes(f.invariant)) ids.push(f.invariant);
  const cases = ids.map((id) => {
    const k = r.findings.findIndex((f) => f.invariant === id);
    if (k < 0) return `    <testcase classname="${cls}" name="${esc(id)}" time="0"></testcase>`;
    const f = r.findings[k];
    return `    <testcase classname="${cls}" name="${esc(id)}" time="0">\n      <failure message="${esc(f.message)}">${esc(`${f.phase}, ${f.system}: ${f.message}\ntrace: ${traces[k] ?? 'not written'}`)}</failure>\n    </testcase>`;
  });
  const secs = (r.elapsedMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xipcheck" tests="${cases.length}" failures="${r.findings.length}" time="${secs}">`,
    `  <testsuite name="xipcheck audit ${esc(r.plugin.name)} (in place of ${esc(r.plugin.role)}, variant ${esc(r.variant)})" tests="${cases.length}" failures="${r.findings.length}" errors="0" time="${secs}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
