import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKernelRun } from '../../checker/lab/observations.ts';
import { auditMounts, labDiff, type LabReport } from '../../checker/lab/session.ts';
import { LAB_MOUNTS } from '../../checker/lab/diff.ts';

/**
 * The committed results of the last `npm run lab` (lab/results/) as fixtures: the parsers read
 * them whole, and the trace audit says of them what it must say of any healthy kernel's run —
 * no finding on a DAX mount, page-cache copies (and nothing else) on a dax=never mount.
 */
const dir = 'lab/results';

describe('lab/results: the last lab run, read back', () => {
  it('every executor line parses; every mount ran every scenario to its end or says why not', () => {
    const run = parseKernelRun(readFileSync(`${dir}/obs.jsonl`, 'utf8'));
    expect(run.malformed).toEqual([]);
    expect(run.calls.length).toBeGreaterThan(1000);
    for (const m of LAB_MOUNTS) expect(run.calls.some((c) => c.mount === m.name)).toBe(true);
    const scenarios = new Set(run.calls.map((c) => `${c.mount}/${c.scenario}`));
    for (const s of scenarios) expect(run.done.has(s) || run.failed.some((f) => `${f.mount}/${f.scenario}` === s)).toBe(true);
  });

  it('the trace audit passes every DAX mount and flags every dax=never mount, from the committed trace excerpt', () => {
    expect(existsSync(`${dir}/trace.txt`)).toBe(true);
    const run = parseKernelRun(readFileSync(`${dir}/obs.jsonl`, 'utf8'));
    const audits = auditMounts(dir, run);
    expect(audits.map((a) => a.mount).sort()).toEqual(LAB_MOUNTS.map((m) => m.name).sort());
    for (const a of audits) {
      if (a.dax) { expect(a.findings).toBe(0); expect(a.counts.faults).toBeGreaterThan(0); }
      else expect(a.rules).toEqual(['no-page-cache-copies']);
    }
  });

  it('the committed report is the one the model gives today for these observations (lab diff --reuse agrees with diff.json)', () => {
    const report = JSON.parse(readFileSync(`${dir}/diff.json`, 'utf8')) as LabReport;
    expect(report.kernel[0]).toMatch(/^6\.1\./);
    const now = labDiff({ random: report.scenarios.random, seed: report.seed, repeat: report.scenarios.repeat, out: dir, variants: report.comparisons.map((c) => c.variant), reuse: dir }, () => {});
    const shape = (r: LabReport) => r.comparisons.map((c) => ({ variant: c.variant, mounts: c.mounts.map((m) => ({ mount: m.mount, compared: m.compared, notRun: m.notRun, differences: m.differences.map((d) => `${d.scenario}#${d.step}.${d.th}.${d.k} ${d.field} ${d.kernel}/${d.model} ${d.explained}`) })) }));
    expect(shape(now)).toEqual(shape(report));
    expect(now.unexplained).toBe(report.unexplained);
  }, 900_000);
});

describe('docs/lab.md: the documented rows are the ones the diff applies', () => {
  it('every row of EXPLAINED is in the table with its id, and the table has no other', async () => {
    const { EXPLAINED } = await import('../../checker/lab/explained.ts');
    const doc = readFileSync('docs/lab.md', 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| (XIP|both) \|/gm)].map((m) => `${m[1]} ${m[2] === 'XIP' ? 'xip' : 'any'}`);
    expect(rows.sort()).toEqual(EXPLAINED.map((e) => `${e.id} ${e.models}`).sort());
    for (const e of EXPLAINED) expect(e.cites.length).toBeGreaterThan(0);
  });
});
