import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

/**
 * What CI people and readers get: shards merged into the unsharded run's counts, replay's
 * story with what each atomic step returned, the Markdown summary, a summary on stdout when
 * the report goes to a file, and colour that NO_COLOR turns off.
 */
const tmp = mkdtempSync(join(tmpdir(), 'xipcheck-reports-'));
const root = resolve(import.meta.dirname, '../..');
const RACE4 = join(root, 'counterexamples/races/Race4+Fault+Truncate.trace.json');

async function run(argv: string[], tty = false) {
  let out = '', err = '';
  const code = await main(argv, { write: (s: string) => { out += s; }, isTTY: tty } as { write(s: string): void }, { write: (s) => { err += s; } });
  return { code, out, err };
}

const counts = (r: { systems: { name: string; runs: number; steps: number }[]; invariants: { id: string; checks: number; skipped: number }[]; notEvaluated: unknown; actions: unknown; branches: unknown; unreached: unknown }) =>
  ({ systems: r.systems.map((s) => [s.name, s.runs, s.steps]), invariants: r.invariants.map((i) => [i.id, i.checks, i.skipped]), notEvaluated: r.notEvaluated, actions: r.actions, branches: r.branches, unreached: r.unreached });

describe('xipcheck merge', () => {
  const file = (n: string) => join(tmp, n);
  it('two shards merged count exactly what the unsharded check counts', async () => {
    expect((await run(['check', '--runs', '16', '--seed', '3', '--reporter', 'json', '--out', file('all.json')])).code).toBe(0);
    for (const i of [1, 2]) expect((await run(['check', '--runs', '16', '--seed', '3', '--shard', `${i}/2`, '--reporter', 'json', '--out', file(`s${i}.json`)])).code).toBe(0);
    const m = await run(['merge', file('s2.json'), file('s1.json'), '--reporter', 'json', '--out', file('m.json')]);
    expect(m.code).toBe(0);
    expect(m.out).toMatch(/^xipcheck merge: no violation in 112 runs on 7 systems/);
    const all = JSON.parse(readFileSync(file('all.json'), 'utf8')), merged = JSON.parse(readFileSync(file('m.json'), 'utf8'));
    const s1 = JSON.parse(readFileSync(file('s1.json'), 'utf8'));
    expect(counts(merged)).toEqual(counts(all));
    // and a shard alone did only part of it
    expect(counts(s1)).not.toEqual(counts(all));
    expect(s1.systems[0].runs).toBe(8);
  });
  it('two explore shards merged count what the unsharded explore counts, and keep its counterexample', async () => {
    const ecounts = (r: Record<string, unknown> & { invariants: { id: string; checks: number }[]; counterexample: { scenario: string; depth: number } | null }) =>
      ({ ...Object.fromEntries(['scenarios', 'exhausted', 'violations', 'limited', 'states', 'transitions', 'maxDepth', 'verdict', 'excluded', 'notEvaluated', 'declaredReached', 'reachedByVariant'].map((k) => [k, r[k]])),
        invariants: r.invariants.map((i) => [i.id, i.checks]), cex: r.counterexample && [r.counterexample.scenario, r.counterexample.depth] });
    for (const variant of ['reference', '3.19']) {
      const base = ['explore', '--pages', '1', '--variant', variant, '--reporter', 'json', '--trace-out', file('e.trace.json')];
      await run([...base, '--out', file('eall.json')]);
      for (const i of [1, 2]) await run([...base, '--shard', `${i}/2`, '--out', file(`e${i}.json`)]);
      const m = await run(['merge', file('e1.json'), file('e2.json'), '--reporter', 'json', '--out', file('em.json')]);
      expect(m.code).toBe(variant === 'reference' ? 0 : 1);
      const all = JSON.parse(readFileSync(file('eall.json'), 'utf8')), merged = JSON.parse(readFileSync(file('em.json'), 'utf8'));
      expect(ecounts(merged)).toEqual(ecounts(all));
      expect(JSON.parse(readFileSync(file('e1.json'), 'utf8')).scenarios).toBeLessThan(all.scenarios);
    }
  });
  it('JUnit of shards: unique testcase names, merged into one file', async () => {
    for (const i of [1, 2]) await run(['check', '--runs', '4', '--shard', `${i}/2`, '--reporter', 'junit', '--out', file(`j${i}.xml`)]);
    const m = await run(['merge', file('j1.xml'), file('j2.xml'), '--out', file('j.xml')]);
    expect(m.code).toBe(0);
    const x = readFileSync(file('j.xml'), 'utf8');
    const names = [...x.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((g) => `${g[1]}/${g[2]}`);
    expect(names.length).toBeGreaterThan(40);
    expect(new Set(names).size).toBe(names.length);
    expect(x.match(/<testsuite /g)).toHaveLength(2);
    // a declared branch no run reached is not a failure: the exit code ignores it
    expect(x).not.toMatch(/<failure/);
    expect(x).toMatch(/<system-out>FINDING \(does not fail the run\)/);
  });
  it('refuses what cannot be merged, in one line', async () => {
    await run(['check', '--runs', '4', '--seed', '9', '--shard', '1/2', '--reporter', 'json', '--out', file('o1.json')]);
    const cases: [string[], RegExp][] = [
      [[file('s1.json')], /shard 2\/2 missing/],
      [[file('s1.json'), file('s1.json')], /shard 1\/2 is also/],
      [[file('s2.json'), file('o1.json')], /merge only the shards of one check/],
      [[file('s1.json'), file('j1.xml')], /not a mix of both/],
      [[writeBad('{"x":1}')], /not a report of xipcheck check --reporter json/],
      [[], /merge needs the shards' reports/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(['merge', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
  function writeBad(text: string): string { const p = file('bad.json'); writeFileSync(p, text); return p; }
});

describe('xipcheck replay', () => {
  it('tells race 4 with what each atomic step returned and changed', async () => {
    const r = await run(['replay', RACE4]);
    expect(r.code).toBe(1); // as run: an invariant fails, even where the trace expects it
    expect(r.out).toMatch(/as the trace expects/);
    // the fault's lookup before the truncate, the pte it installed after i_size went to 0, the block freed under it
    expect(r.out).toMatch(/T0 {2}i_size_read → 8\n/);
    expect(r.out).toMatch(/T1 {2}i_size_write → null {3}\[ino 1 i_size 8 → 0\]/);
    expect(r.out).toMatch(/T0 {2}vm_insert_mixed → 0 {3}\[P0 pte 1 ← pfn 257 ro\]/);
    expect(r.out).toMatch(/__ext2_truncate_blocks → null {3}\[fs0 block 1 freed; ino 1 page 0 → hole \(was block 1\)\]/);
    expect(r.out).toMatch(/✗ no-stale-mapping/);
  });
  it('on the fixed design, the recheck\'s value explains the SIGBUS', async () => {
    const t = JSON.parse(readFileSync(RACE4, 'utf8'));
    const p = join(tmp, 'race4-fixed.trace.json');
    writeFileSync(p, JSON.stringify({ ...t, variant: 'reference', expect: 'holds', steps: t.steps.map((s: { expect?: unknown }) => { const { expect: _e, ...rest } = s; return rest; }) }));
    const r = await run(['replay', p]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/T0 {2}i_size recheck \+ vm_insert_mixed → "beyond i_size"\n/);
    expect(r.out).toMatch(/T0 P0 load 1 byte at 0x5 +→ \[\] SIGBUS/);
  });
  it('markdown carries a mermaid block and the steps\' table; html is one page; unknown format is exit 2', async () => {
    const md = await run(['replay', RACE4, '--format', 'markdown']);
    expect(md.out).toMatch(/```mermaid\nsequenceDiagram\n/);
    expect(md.out).toMatch(/\| 18 \| T0 \| `vm_insert_mixed` \| `0` \| P0 pte 1 ← pfn 257 ro \|/);
    const html = await run(['replay', RACE4, '--format', 'html']);
    expect(html.out).toMatch(/^<!doctype html>[\s\S]*<svg [\s\S]*<\/html>\n$/);
    const bad = await run(['replay', RACE4, '--format', 'svg']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format takes text, markdown, mermaid or html/);
  });
});

describe('reports for CI', () => {
  it('markdown for $GITHUB_STEP_SUMMARY: the verdict first, the counterexample drawn', async () => {
    const r = await run(['check', '--variant', 'broken-truncate-no-unmap', '--runs', '200', '--reporter', 'markdown', '--trace-out', join(tmp, 'md.trace.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^## ❌ xipcheck check: violation of no-stale-mapping/);
    expect(r.out).toMatch(/```mermaid\nsequenceDiagram/);
    expect(r.out).toMatch(/<details><summary>full report<\/summary>/);
  });
  it('audit: markdown with the finding, and a pointer to draw it with the plug-in', async () => {
    const out = join(tmp, 'audit.md');
    const r = await run(['audit', join(root, 'examples/audit/ramdisk.mjs'), '--time-budget', '3', '--max-states', '2000', '--reporter', 'markdown', '--out', out, '--trace-out', join(tmp, 'aud')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^xipcheck audit ramdisk: 1 finding: driver-contract\n  report written to /);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^## ❌ xipcheck audit ramdisk: 1 finding: driver-contract/);
    expect(md).toMatch(/draw it with: npx xipcheck replay \S+xipcheck-audit-ramdisk-driver-contract\.trace\.json --format html --plugin \S+ramdisk\.mjs/);
  });
  it('--out still prints a summary on stdout', async () => {
    const r = await run(['check', '--runs', '3', '--out', join(tmp, 'r.txt')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^xipcheck check: no violation in 21 runs on 7 systems/);
    expect(r.out).toMatch(/report written to /);
    expect(readFileSync(join(tmp, 'r.txt'), 'utf8')).toMatch(/^xipcheck check — seed 1/);
  });
  it('colour on a terminal, none with NO_COLOR or in a pipe', async () => {
    const esc = '\x1b[';
    expect((await run(['check', '--runs', '2'], true)).out).toContain(esc);
    expect((await run(['check', '--runs', '2'], false)).out).not.toContain(esc);
    process.env.NO_COLOR = '1';
    try { expect((await run(['check', '--runs', '2'], true)).out).not.toContain(esc); } finally { delete process.env.NO_COLOR; }
  });
});
