import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allBranches, defensiveBranches } from '../../model/kernel/coverage.ts';
import '../../model/init.ts';
import { repo, workspace } from './audit-workspace.ts';

/**
 * `xipcheck audit` as an auditor uses it (./audit-workspace.ts): the reference plug-ins pass, the
 * worked example of docs/auditing.md is caught and its fix passes, a module of the wrong shape is
 * one line. The hostile plug-ins are audit-hostile.test.ts's (two files, so that vitest runs them
 * side by side).
 */
const { dir, plugin, xipcheck } = workspace();

describe('xipcheck audit: the reference drivers, imported through the public entry only, exit 0', () => {
  for (const d of ['dcssblk', 'brd', 'axonram', 'disk']) {
    it(d, async () => {
      const m = plugin(`ref-${d}.mjs`, `export { ${d}_driver as default } from 'xipcheck';\n`);
      const r = await xipcheck('audit', m, '--runs', '40', '--time-budget', '2', '--max-states', '2000', '--trace-out', join(dir, `out-ref-${d}`));
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toMatch(/no violation within these bounds/);
      // --max-states bounds the explore phase by work, not time: the report says which limit ended
      // it (the explore family has systems for dcssblk and brd only)
      if (d === 'dcssblk' || d === 'brd') {
        expect(r.out).toMatch(/explore: \d+ scenarios, 2000 states; /);
        expect(r.out).toMatch(/^ {2}not done: explore stopped by --max-states 2000 after \d+ scenarios$/m);
      }
      expect(r.code).toBe(0);
    });
  }
  it('--max-states out of range is one line, exit 2', async () => {
    const r = await xipcheck('audit', plugin('ref-brd4.mjs', "export { brd_driver as default } from 'xipcheck';\n"), '--max-states', '0');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/--max-states/)]);
  });
});

describe('xipcheck audit: the reference ext2, imported through the public entry only, exits 0', () => {
  it('ext2', async () => {
    const m = plugin('ref-ext2.mjs', "export { ext2 as default } from 'xipcheck';\n");
    const r = await xipcheck('audit', m, '--runs', '40', '--time-budget', '4', '--max-states', '2000', '--trace-out', join(dir, 'out-ref-ext2'));
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

describe('xipcheck audit: the worked example of docs/auditing.md', () => {
  it('the buggy ramdisk is caught by driver-contract, its trace replays, the fixed one passes', async () => {
    for (const f of ['ramdisk.mjs', 'ramdisk-fixed.mjs']) copyFileSync(join(repo, 'examples/audit', f), join(dir, f));
    const out = join(dir, 'out-ramdisk');
    const bad = await xipcheck('audit', join(dir, 'ramdisk.mjs'), '--runs', '100', '--time-budget', '4', '--max-states', '2000', '--trace-out', out);
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
    const good = await xipcheck('audit', join(dir, 'ramdisk-fixed.mjs'), '--runs', '100', '--time-budget', '4', '--max-states', '2000', '--trace-out', join(dir, 'out-fixed'));
    expect(good.out).toMatch(/no violation within these bounds/);
    expect(good.code).toBe(0);
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
      const r = await xipcheck('audit', m, '--time-budget', '2', '--max-states', '2000');
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
