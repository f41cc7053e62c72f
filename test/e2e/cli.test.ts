import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

async function run(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { write: (s) => { out += s; } }, { write: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'xipcheck-cli-'));
const bad = (name: string, content: string) => { const p = join(tmp, name); writeFileSync(p, content); return p; };

describe('xipcheck CLI: bad input is one line and exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown option', ['check', '--bogus'], /Unknown option '--bogus'/],
    ['unknown command', ['frob'], /unknown command "frob"/],
    ['bad number', ['check', '--runs', 'many'], /--runs takes a whole number/],
    ['unknown reporter', ['check', '--reporter', 'xml'], /--reporter takes text, json, junit/],
    ['unknown variant', ['check', '--variant', 'nope'], /unknown variant "nope"/],
    ['bad shard', ['check', '--shard', '3/2'], /--shard takes I\/N/],
    ['explore: unknown unfixed race', ['explore', '--include-unfixed', 'nope'], /--include-unfixed takes read-vs-truncate/],
    ['explore: bound too large', ['explore', '--threads', '9'], /the bound is at most/],
    ['missing trace', ['run'], /run needs a trace file/],
    ['unreadable trace', ['run', join(tmp, 'absent.json')], /cannot read .*ENOENT/],
    ['not JSON', ['run', bad('a.json', '{ nope')], /not JSON/],
    ['wrong schema', ['run', bad('b.json', '{"schema":"x"}')], /schema/],
    ['unknown action', ['run', bad('c.json', JSON.stringify({ schema: 'xipcheck/trace@1', name: 'c', config: { devices: [{ name: 'd', driver: 'brd', pages: 4 }], fs: { device: 'd' } }, steps: [{ op: 'reed', fd: 0 }] }))], /steps\[0\]\.op: unknown action "reed"/],
    ['bad argument', ['run', bad('d.json', JSON.stringify({ schema: 'xipcheck/trace@1', name: 'd', config: { devices: [{ name: 'd', driver: 'brd', pages: 4 }], fs: { device: 'd' } }, steps: [{ op: 'read', fd: -1, buf: 0, len: 1 }] }))], /steps\[0\]\.fd/],
    ['impossible config', ['run', bad('e.json', JSON.stringify({ schema: 'xipcheck/trace@1', name: 'e', config: { devices: [{ name: 'd', driver: 'brd', pages: 4 }], fs: { device: 'nope' } }, steps: [{ op: 'umount' }] }))], /fs\.device "nope" names no device/],
  ];
  for (const [what, argv, msg] of cases) {
    it(what, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});

describe('xipcheck CLI: commands', () => {
  it('invariants --reporter json lists id, title and source for every invariant', async () => {
    const r = await run('invariants', '--reporter', 'json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { id: string; title: string; source: string }[];
    expect(list.length).toBeGreaterThanOrEqual(12);
    for (const i of list) expect(i.id && i.title && i.source).toBeTruthy();
  });

  it('run replays the seed story and exits 0', async () => {
    const r = await run('run', 'counterexamples/scenarios/SeedStory+write+mmap+hole+truncate.trace.json');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/invariants: all hold/);
  });

  it('check on a broken model exits 1, prints the story and writes a trace that run replays', async () => {
    const trace = join(tmp, 'cex.trace.json');
    const r = await run('check', '--variant', 'broken-read-skips-data', '--runs', '500', '--trace-out', trace);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/VIOLATION of coherence/);
    expect(r.out).toMatch(/ {2}1\. P\d /);
    const replay = await run('run', trace);
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/✗ coherence/);
    expect(JSON.parse(readFileSync(trace, 'utf8')).expect).toBe('violates coherence');
  });

  it('check --reporter junit writes JUnit XML with a failure for the violated invariant', async () => {
    const out = join(tmp, 'report.xml');
    const r = await run('check', '--variant', 'broken-sparse-writable', '--runs', '500', '--reporter', 'junit', '--out', out, '--trace-out', join(tmp, 'x.trace.json'));
    expect(r.code).toBe(1);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/<testsuites name="xipcheck"/);
    expect(xml).toMatch(/<failure message=/);
  });

  it('explore: the reference exhausts the default bound (exit 0); 3.19 fails with the shortest race-4 story and a replayable trace (exit 1)', async () => {
    const ok = await run('explore');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/BOUND EXHAUSTED/);
    expect(ok.out).toMatch(/excluded by name: read-vs-truncate/);
    const trace = join(tmp, 'race4.trace.json');
    const bad = await run('explore', '--variant', '3.19', '--trace-out', trace);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/VIOLATION of no-stale-mapping/);
    expect(bad.out).toMatch(/vm_insert_mixed/);
    const replay = await run('run', trace);
    expect(replay.out).toMatch(/violates no-stale-mapping — as the trace expects/);
  });

  it('explore stopped by --max-states says the bound was NOT exhausted: exit 0 (a box the user set), 8 with --require-exhaustive', async () => {
    const r = await run('explore', '--max-states', '500');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bound NOT exhausted/);
    const q = await run('explore', '--max-states', '500', '--require-exhaustive', '--reporter', 'junit');
    expect(q.code).toBe(8);
    expect(q.out).toMatch(/<failure message="bound not exhausted: the --max-states limit was reached/);
    const j = await run('explore', '--max-states', '500', '--reporter', 'junit');
    expect(j.code).toBe(0);
    expect(j.out).toMatch(/<skipped message="bound not exhausted/);
    expect(j.out).not.toMatch(/<failure/);
  });

  it('same seed, same report (timings aside)', async () => {
    const a = JSON.parse((await run('check', '--runs', '60', '--seed', '5', '--reporter', 'json')).out);
    const b = JSON.parse((await run('check', '--runs', '60', '--seed', '5', '--reporter', 'json')).out);
    for (const r of [a, b]) { delete r.elapsedMs; for (const x of r.systems) delete x.elapsedMs; }
    expect(a).toEqual(b);
  });
});

describe('README "Command line" is the CLI\'s own help', () => {
  it('the usage block matches xipcheck --help', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /```\n(usage:\n[\s\S]*?xipcheck COMMAND --help describes a command's options\.)\n/.exec(readme)![1];
    const r = await run('--help');
    expect(r.out).toContain(block);
  });
});

describe('README "An example session" is a real run', () => {
  it('every line it shows is the output of its command, in order ("…" marks what was cut)', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const shown = /```\n\$ node bin\/xipcheck\.mjs check --runs 200\n([\s\S]*?)```/.exec(readme)![1].trimEnd().split('\n');
    const got = (await run('check', '--runs', '200')).out.trimEnd().split('\n');
    let at = 0;
    for (const line of shown) {
      if (line.trim() === '…') continue;
      // "…" inside a line stands for what was cut from it (the rest of a list, a time)
      const re = new RegExp(`^${line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      const k = got.findIndex((g, i) => i >= at && re.test(g));
      expect(k, `README line not in the output (in order): ${line}`).toBeGreaterThanOrEqual(0);
      at = k + 1;
    }
  }, 300_000);
});

describe('README counts the reference suite as it is', () => {
  it('the number of reference systems, in words and in figures', async () => {
    const { REFERENCE_SUITE } = await import('../../properties/suites/reference.ts');
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    expect(readme).toContain(`on ${words[REFERENCE_SUITE.length]} reference systems`);
    expect(readme).toContain(`1000 runs on each of ${REFERENCE_SUITE.length} systems`);
  });
});
