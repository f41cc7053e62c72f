import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary, type LibraryEntry } from '../../counterexamples/history/library.ts';
import { fopsFor } from '../../model/block/direct_access.ts';
import { HISTORICAL_DRIVERS } from '../../model/block/drivers/builtin.ts';
import { variantByName } from '../../model/variants.ts';

/**
 * Every entry of the historical-bug library, audited as an auditor would meet it: a driver bug is
 * the historical driver itself, audited as a plug-in on the reference kernel; a bug of ext2 or mm
 * is the reference ext2 audited on that historical kernel (--variant). Each audit is given the
 * entry's trace as its own scenario, and must report the entry's invariant among its findings.
 */
const repo = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'xipcheck-audit-library-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(repo, join(dir, 'node_modules/xipcheck'), 'dir');

function xipcheck(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(repo, 'bin/xipcheck.mjs'), ...args], { cwd: dir, timeout: 120_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : 99) : 0, out, err }));
  });
}

/** The historical driver table the entry's variant installs, if its bug is a driver's. */
function driverOf(e: LibraryEntry): string | null {
  const v = variantByName(e.variant)!;
  const devices = (e.scenario.config as { devices: { driver: string }[] }).devices;
  return devices.map((d) => fopsFor(d.driver, v)).find((t) => t in HISTORICAL_DRIVERS) ?? null;
}

describe('xipcheck audit on every entry of the historical-bug library', () => {
  for (const e of loadLibrary()) {
    const table = driverOf(e);
    it(`${e.id}: ${table ? `the historical driver ${table}` : `ext2 on ${e.variant}`} violates ${e.invariant}`, async () => {
      const m = join(dir, `${e.id}.mjs`);
      writeFileSync(m, table
        ? `import { HISTORICAL_DRIVERS } from 'xipcheck';\nexport default { ...HISTORICAL_DRIVERS['${table}'], name: '${e.id}' };\n`
        : "export { ext2 as default } from 'xipcheck';\n");
      const out = join(dir, `out-${e.id}`);
      // the entry's finding comes from its own scenario: the check phase (5 runs a system) and the
      // explore phase (2000 states) are gone through, not relied on
      const r = await xipcheck('audit', m, ...(table ? [] : ['--variant', e.variant]), '--scenario', join(repo, 'counterexamples/history', e.trace),
        '--runs', '5', '--time-budget', '2', '--max-states', '2000', '--reporter', 'json', '--trace-out', out);
      expect(r.err).not.toMatch(/\n\s+at |internal error/);
      expect(r.code, r.err).toBe(1);
      const report = JSON.parse(r.out) as { findings: { invariant: string; phase: string }[]; traces: string[] };
      const k = report.findings.findIndex((f) => f.invariant === e.invariant);
      expect(k, JSON.stringify(report.findings)).toBeGreaterThanOrEqual(0);
      expect(JSON.parse(readFileSync(report.traces[k], 'utf8')).expect).toBe(`violates ${e.invariant}`);
    });
  }
});
