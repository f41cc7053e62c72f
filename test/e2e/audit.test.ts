import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allBranches, defensiveBranches } from '../../model/kernel/coverage.ts';
import '../../model/init.ts';

/**
 * `xipcheck audit` as an auditor uses it: plug-ins written in a folder outside the repository,
 * importing only 'xipcheck' (a node_modules link to this package), audited by the real CLI.
 */
const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin/xipcheck.mjs');
const dir = mkdtempSync(join(tmpdir(), 'xipcheck-audit-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(repo, join(dir, 'node_modules/xipcheck'), 'dir');

function plugin(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

function xipcheck(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, timeout: 180_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : 99) : 0, out, err }));
  });
}

/** A dcssblk-like driver, correct except for what `bug` changes in direct_access. */
function dcss(name: string, bug: string, extra = ''): string {
  return plugin(`${name}.mjs`, `import { pfnOf, PAGE_SECTORS, errno } from 'xipcheck';
${extra}
export default {
  kind: 'driver', name: '${name}', role: 'dcssblk', cites: 'test',
  add_disk: (c) => ({ priv: { segmentType: c.segmentType, shared: c.shared, savePending: false, saves: 0 }, backed: true, readOnly: c.readOnly || (c.shared && ['SR', 'ER', 'SC'].includes(c.segmentType)) }),
  fops: {
    direct_access(ctx, disk, sector) {
      if (!disk.present) return { ret: { err: -errno.ENODEV } };
      if (sector % PAGE_SECTORS) return { ret: { err: -errno.EINVAL } };
      const pg = sector / PAGE_SECTORS;
      if (pg >= disk.pages) return { ret: { err: -errno.ERANGE } };
      ${bug}
      return { ret: { kaddr: pfnOf(disk.index, pg) * disk.pageSize, pfn: pfnOf(disk.index, pg) } };
    },
  },
};
`);
}

const traces = (out: string): string[] => readdirSync(out).filter((f) => f.endsWith('.trace.json')).map((f) => join(out, f));

describe('xipcheck audit: the reference drivers, imported through the public entry only, exit 0', () => {
  for (const d of ['dcssblk', 'brd', 'axonram', 'disk']) {
    it(d, async () => {
      const m = plugin(`ref-${d}.mjs`, `export { ${d}_driver as default } from 'xipcheck';\n`);
      const r = await xipcheck('audit', m, '--runs', '40', '--time-budget', '2', '--trace-out', join(dir, `out-ref-${d}`));
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toMatch(/no violation within these bounds/);
      expect(r.code).toBe(0);
    });
  }
});

describe('xipcheck audit: the reference ext2, imported through the public entry only, exits 0', () => {
  it('ext2', async () => {
    const m = plugin('ref-ext2.mjs', "export { ext2 as default } from 'xipcheck';\n");
    const r = await xipcheck('audit', m, '--runs', '40', '--time-budget', '4', '--trace-out', join(dir, 'out-ref-ext2'));
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toMatch(/^audit of ext2 \(.*\), in place of the reference ext2\n {2}systems: ext2-xip-dcssblk, ext2-xip-brd, ext2-xip-ro, ext2-pagecache, ext2-bs8-brd, ext2-two-mounts, ext2-two-partitions, audit-ext2-twice, audit-ext2-beside-reference$/m);
    // coverage lists the branches of the audited file system only: ext2's catalogues, none of mm's
    const cov = /coverage of its own branches \(check runs\): (\d+) of (\d+) reached(?:; not reached: (.*))?$/m.exec(r.out)!;
    const ext2Branches = [...allBranches().keys()].filter((b) => /^ext2_(super|get_xip_mem|get_blocks|setsize|aops|iomap_begin):/.test(b));
    // every branch the design can take counts; one declared unreachable only if the runs reached it
    const takeable = ext2Branches.filter((b) => !defensiveBranches().has(b));
    expect(Number(cov[2])).toBeGreaterThanOrEqual(takeable.length);
    expect(Number(cov[2])).toBeLessThanOrEqual(ext2Branches.length);
    for (const b of (cov[3] ?? '').split(', ').filter(Boolean)) expect(takeable).toContain(b);
    expect(r.out).toMatch(/no violation within these bounds/);
    expect(r.code).toBe(0);
  });
});

/** ext2 with one misdeed in get_xip_mem for file page 1 (the steps it takes itself are judged, mm's are not). */
function evilFs(name: string, misdeed: string): string {
  return plugin(`${name}.mjs`, `import { ext2, kernel } from 'xipcheck';
export default {
  ...ext2, name: '${name}',
  a_ops: ext2.a_ops.map((a) => (a.get_xip_mem ? { ...a, *get_xip_mem(ctx, ino, pgoff, create) {
    if (pgoff === 1) { ${misdeed} }
    return yield* a.get_xip_mem(ctx, ino, pgoff, create);
  } } : a)),
};
`);
}

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
      const r = await xipcheck('audit', evilFs(name, misdeed), '--kind', 'fs', '--runs', '50', '--time-budget', '2', '--trace-out', out);
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

describe('xipcheck audit: the worked example of docs/auditing.md', () => {
  it('the buggy ramdisk is caught by driver-contract, its trace replays, the fixed one passes', async () => {
    for (const f of ['ramdisk.mjs', 'ramdisk-fixed.mjs']) copyFileSync(join(repo, 'examples/audit', f), join(dir, f));
    const out = join(dir, 'out-ramdisk');
    const bad = await xipcheck('audit', join(dir, 'ramdisk.mjs'), '--runs', '100', '--time-budget', '4', '--trace-out', out);
    expect(bad.code).toBe(1);
    // docs/auditing.md quotes the finding: it must be what the audit prints
    const doc = readFileSync(join(repo, 'docs/auditing.md'), 'utf8');
    const quoted = /```\n(FINDING 1: [^\n]*\n {2}[^\n]*)\n```/.exec(doc)![1];
    expect(bad.out).toContain(quoted);
    const t = join(out, 'xipcheck-audit-ramdisk-driver-contract.trace.json');
    expect(JSON.parse(readFileSync(t, 'utf8')).found.plugin).toMatchObject({ kind: 'driver', name: 'ramdisk', role: 'brd' });
    const replay = await xipcheck('run', t, '--plugin', join(dir, 'ramdisk.mjs'));
    expect(replay.out).toMatch(/✗ driver-contract: ram0 sector \d+[^\n]*\nexpected: violates driver-contract — as the trace expects/);
    // and the story's last step as docs/auditing.md quotes it
    expect(replay.out).toContain(/```\n( 10\. [^\n]*\n✗ [^\n]*)\n```/.exec(doc)![1]);
    expect(replay.code).toBe(1); // run exits 1 on a violation, expected or not
    // without the plug-in the trace names a driver nobody registered: one line, exit 2
    const alone = await xipcheck('run', t);
    expect(alone.code).toBe(2);
    expect(alone.err).toMatch(/no driver named "ramdisk".*--plugin/);
    const good = await xipcheck('audit', join(dir, 'ramdisk-fixed.mjs'), '--runs', '100', '--time-budget', '4', '--trace-out', join(dir, 'out-fixed'));
    expect(good.out).toMatch(/no violation within these bounds/);
    expect(good.code).toBe(0);
  });
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
      const r = await xipcheck('audit', dcss(`h-${name}`, bug, extra), '--runs', '50', '--time-budget', '8', '--call-timeout', '1', '--trace-out', out);
      expect(r.err).not.toMatch(/\n\s+at |internal error/);
      expect(r.out).toMatch(msg);
      expect(r.code).toBe(1);
      if (name === 'throws') {
        const x = await xipcheck('audit', join(dir, 'h-throws.mjs'), '--runs', '20', '--time-budget', '4', '--reporter', 'junit', '--trace-out', join(dir, 'out-junit'));
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
    const r = await xipcheck('audit', m, '--runs', '50', '--time-budget', '8', '--call-timeout', '1', '--trace-out', out);
    expect(r.out).toMatch(/plugin-contract \(watchdog, .*\)\n {2}hung: h-late direct_access did not return within 1 s/);
    const t = JSON.parse(readFileSync(traces(out)[0], 'utf8'));
    const [, from, to] = /shrunk from (\d+) to (\d+) steps \((\d+) candidate replays\)/.exec(t.question)!.map(Number);
    expect(to).toBeLessThan(from);
    expect(t.steps).toHaveLength(to);
    expect(t.found.step).toBe(to - 1);
  });
});

describe('xipcheck audit: a module of the wrong shape is one line and exit 2', () => {
  const cases: [string, string | null, RegExp][] = [
    ['no-export.mjs', 'export const x = 1;\n', /exports no plug-in — export default a driver/],
    ['no-add-disk.mjs', "export default { kind: 'driver', name: 'x', role: 'brd', fops: {} };\n", /not a driver plug-in: add_disk: missing/],
    ['bad-role.mjs', "export default { kind: 'driver', name: 'x', role: 'nvme', add_disk: () => ({}), fops: {} };\n", /role: role must name the reference driver/],
    ['syntax.mjs', 'export default {\n', /cannot load the module/],
    ['absent.mjs', null, /no such file/],
  ];
  for (const [file, body, msg] of cases) {
    it(file, async () => {
      const m = body === null ? join(dir, file) : plugin(file, body);
      const r = await xipcheck('audit', m, '--time-budget', '2');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }
  it('a file system missing a member, and a driver given as --kind fs: one line each', async () => {
    const fs = await xipcheck('audit', plugin('fs-no-sop.mjs', "import { ext2 } from 'xipcheck';\nexport default { ...ext2, name: 'nosop', s_op: undefined };\n"));
    expect(fs.code).toBe(2);
    expect(fs.err).toMatch(/not a file-system plug-in: s_op: missing/);
    expect(fs.err.trim().split('\n')).toHaveLength(1);
    const wrong = await xipcheck('audit', plugin('ref-brd3.mjs', "export { brd_driver as default } from 'xipcheck';\n"), '--kind', 'fs');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/exports a driver, not a file system/);
  });
  it('a bad --system file is one line', async () => {
    const m = plugin('ref-brd2.mjs', "export { brd_driver as default } from 'xipcheck';\n");
    writeFileSync(join(dir, 'sys.json'), JSON.stringify({ devices: [] }));
    const r = await xipcheck('audit', m, '--system', join(dir, 'sys.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--system .*devices/);
    expect(existsSync(join(dir, 'sys.json'))).toBe(true);
  });
});
