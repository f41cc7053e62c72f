import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traces, workspace } from './audit-workspace.ts';

/**
 * `xipcheck audit` as an auditor uses it (./audit-workspace.ts), on hostile plug-ins: a driver
 * or a file system that throws, answers junk, changes what it was shown, answers at random,
 * spins or hangs is a finding with a trace, never a crash of the checker.
 */
const { dir, plugin, xipcheck, dcss, evilFs } = workspace();

describe('xipcheck audit --kind fs: a hostile file system is a finding with a trace, never a crash', () => {
  const hostile: [string, string, RegExp][] = [
    ['fs-throws', "throw new RangeError('no such block');", /threw: fs-throws ext2_aops_xip\.get_xip_mem: threw RangeError: no such block/],
    ['fs-foreign', "yield* kernel.atomic('evil', (s) => [{ ...s, sparseSeq: s.sparseSeq + 2 }, null]);", /mutated: fs-foreign ext2_aops_xip\.get_xip_mem: evil: changed sparseSeq, which belongs to mm/],
    ['fs-inplace', "yield* kernel.atomic('evil', (s) => { s.procs[0].ptes[0] = null; return [s, null]; });", /mutated: fs-inplace ext2_aops_xip\.get_xip_mem: evil: changed state it was only shown/],
    ['fs-livelock', "for (;;) yield* kernel.read('spin', () => 0);", /livelock: fs-livelock ext2_aops_xip\.get_xip_mem: took more than 2000 steps/],
    ['fs-junk', "return { kaddr: 'x' };", /malformed: fs-junk ext2_aops_xip\.get_xip_mem: get_xip_mem returned \{"kaddr":"x"\}/],
  ];
  for (const [name, misdeed, msg] of hostile) {
    it(name, async () => {
      const out = join(dir, `out-${name}`);
      const r = await xipcheck('audit', evilFs(name, misdeed), '--kind', 'fs', '--runs', '10', '--time-budget', '2', '--max-states', '2000', '--trace-out', out);
      expect(r.err).not.toMatch(/\n\s+at |internal error/);
      expect(r.out).toMatch(/FINDING 1: plugin-contract \(check, ext2-xip-dcssblk\)/);
      expect(r.out).toMatch(msg);
      expect(r.code).toBe(1);
      const [t] = traces(out);
      expect(JSON.parse(readFileSync(t, 'utf8')).config.fs.type).toBe(name);
      const replay = await xipcheck('run', t, '--plugin', join(dir, `${name}.mjs`));
      expect(replay.out).toMatch(/expected: violates plugin-contract — as the trace expects/);
    });
  }
});

describe('xipcheck audit: a hostile plug-in is a finding with a trace, never a crash', () => {
  const hostile: [string, string, string, RegExp][] = [
    ['throws', 'if (pg === 1) throw new Error(\'boom\');', '', /plugin-contract \(check, [^)]*\)\n {2}threw: h-throws direct_access: threw Error: boom/],
    ['junk', 'if (pg === 1) return { ret: { kaddr: \'here\', pfn: -1 } };', '', /plugin-contract \(check, [^)]*\)\n {2}malformed: h-junk direct_access: direct_access returned .*kaddr and pfn must be non-negative integers/],
    ['mutates', 'if (pg === 1) disk.backed[0] = false;', '', /plugin-contract \(check, [^)]*\)\n {2}mutated: h-mutates direct_access: changed state it was only shown/],
    ['mutates-config', 'if (pg === 1) disk.config.pages = 99;', '', /plugin-contract \(check, [^)]*\)\n {2}mutated: h-mutates-config direct_access: changed state it was only shown/],
    ['random', 'if (pg === 1) { calls++; return { ret: { err: -(calls % 2 ? errno.EIO : errno.ERANGE) } }; }', 'let calls = 0;', /plugin-contract \(check, [^)]*\)\n {2}non-deterministic: h-random direct_access: two calls on the same state returned/],
    ['hangs', 'if (pg === 1) for (;;) {}', '', /plugin-contract \(watchdog, .*\)\n {2}hung: .* direct_access did not return within 1 s/],
  ];
  for (const [name, bug, extra, msg] of hostile) {
    it(name, async () => {
      const out = join(dir, `out-${name}`);
      const r = await xipcheck('audit', dcss(`h-${name}`, bug, extra), '--runs', '50', '--time-budget', '8', '--max-states', '2000', '--call-timeout', '1', '--trace-out', out);
      expect(r.err).not.toMatch(/\n\s+at |internal error/);
      expect(r.out).toMatch(msg);
      expect(r.code).toBe(1);
      if (name === 'throws') {
        const x = await xipcheck('audit', join(dir, 'h-throws.mjs'), '--runs', '20', '--time-budget', '4', '--max-states', '2000', '--reporter', 'junit', '--trace-out', join(dir, 'out-junit'));
        expect(x.out).toMatch(/<testcase classname="xipcheck\.audit\.h-throws" name="plugin-contract" time="0">\n {6}<failure message="threw: h-throws direct_access: threw Error: boom">/);
        expect(x.out).toMatch(/<testsuite name="xipcheck audit h-throws \(in place of dcssblk, variant reference\)" tests="\d+" failures="1"/);
      }
      const ts = traces(out);
      expect(ts.length).toBeGreaterThan(0);
      const t = JSON.parse(readFileSync(ts[0], 'utf8'));
      expect(t.expect).toBe('violates plugin-contract');
      if (name !== 'hangs') {
        // the trace reproduces the fault on replay (a hang's would hang again: its last step is the call)
        const replay = await xipcheck('run', ts[0], '--plugin', join(dir, `h-${name}.mjs`));
        expect(replay.out).toMatch(/✗ plugin-contract: [^\n]*\nexpected: violates plugin-contract — as the trace expects/);
        expect(replay.code).toBe(1);
      } else expect(t.steps.length).toBeGreaterThan(0);
    });
  }
});

describe('xipcheck audit: a hang\'s trace is shrunk like any counterexample', () => {
  it('a brd that hangs once five pages are backed: the steps the hang does not need are dropped', async () => {
    const m = plugin('h-late.mjs', `import { brd_driver as d } from 'xipcheck';
export default { ...d, name: 'h-late', fops: { ...d.fops, direct_access(ctx, disk, sector) { if (disk.backed.filter(Boolean).length >= 5) for (;;) {} return d.fops.direct_access(ctx, disk, sector); } } };
`);
    const out = join(dir, 'out-h-late');
    const r = await xipcheck('audit', m, '--runs', '50', '--time-budget', '8', '--max-states', '2000', '--call-timeout', '1', '--trace-out', out);
    expect(r.out).toMatch(/plugin-contract \(watchdog, .*\)\n {2}hung: h-late direct_access did not return within 1 s/);
    const t = JSON.parse(readFileSync(traces(out)[0], 'utf8'));
    const [, from, to] = /shrunk from (\d+) to (\d+) steps \((\d+) candidate replays\)/.exec(t.question)!.map(Number);
    expect(to).toBeLessThan(from);
    expect(t.steps).toHaveLength(to);
    expect(t.found.step).toBe(to - 1);
  });
});
