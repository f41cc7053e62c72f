import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { readTraceExpected } from '../../checker/explore/trace-expected.ts';

async function run(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { write: (s) => { out += s; } }, { write: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'xipcheck-explore-trace-'));
const file = (name: string, content: unknown) => { const p = join(tmp, name); writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content)); return p; };

const HOLDS = 'counterexamples/explore/Explore+StoreHole+PrivLoadHole+Truncate+PrivLoad.trace.json';
const RACE = 'counterexamples/explore/ExploreRace1+PrivLoadHole+StoreHole.trace.json';
const row = (f: string, variant: string) => readTraceExpected().traces.find((r) => r.file === f && r.variant === variant)!;

describe('xipcheck explore TRACE.json', () => {
  it('exhausts the hand-written scenario on the reference: exit 0, the states recorded as expected data', async () => {
    const r = await run('explore', HOLDS);
    expect(r.code, r.out + r.err).toBe(0);
    const want = row(HOLDS, 'reference');
    expect(r.out).toContain(`  ${want.states} distinct states, ${want.transitions} transitions`);
    expect(r.out).toMatch(/^EXHAUSTED: /m);
    expect(r.out).toMatch(/1 pinned observation in and after the first group not judged/);
    expect(r.out.trim().split('\n').at(-1)).toBe('expected: holds — as the trace expects');
  });

  it('finds the race of the hand-written race scenario: exit 1, sparse-page, a trace run replays with the violation', async () => {
    const trace = join(tmp, 'race.trace.json');
    const r = await run('explore', RACE, '--trace-out', trace);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/^VIOLATION of sparse-page \(variant 2\.6\.26-sparse-race, scenario ExploreRace1\+PrivLoadHole\+StoreHole\) — the shortest: \d+ atomic steps/m);
    expect(r.out).toContain(`the shortest: ${row(RACE, '2.6.26-sparse-race').depth} atomic steps`);
    expect(r.out).toMatch(/interleaving \(\d+ atomic steps; schedule \[/);
    expect(r.out.trim().split('\n').at(-1)).toBe('expected: violates sparse-page — as the trace expects');
    const written = JSON.parse(readFileSync(trace, 'utf8'));
    expect(written.expect).toBe('violates sparse-page');
    expect(written.found).toMatchObject({ by: 'explore', scenario: 'ExploreRace1+PrivLoadHole+StoreHole', invariant: 'sparse-page' });
    const replay = await run('run', trace);
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/✗ sparse-page: /);
    expect(replay.out).not.toMatch(/✗ observation/);
    expect(replay.out.trim().split('\n').at(-1)).toBe('expected: violates sparse-page — as the trace expects');
  });

  it('--variant overrides the trace\'s: race 4 in the second group of the exhausted scenario on 3.19 (json, then junit)', async () => {
    const trace = join(tmp, 'race4.trace.json');
    const r = await run('explore', HOLDS, '--variant', '3.19', '--reporter', 'json', '--trace-out', trace);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.violation.invariant).toBe('no-stale-mapping');
    expect(j.verdictMatches).toBe(false);
    expect(j.tracePath).toBe(trace);
    expect(j.states).toBe(row(HOLDS, '3.19').states);
    expect((await run('run', trace)).out).toMatch(/✗ no-stale-mapping: /);
    const x = await run('explore', HOLDS, '--variant', '3.19', '--reporter', 'junit', '--trace-out', trace);
    expect(x.out).toMatch(/<failure message="no-stale-mapping: /);
  });

  it('--max-states: NOT exhausted, exit 0 (the user boxed it); 8 with --require-exhaustive', async () => {
    const r = await run('explore', HOLDS, '--max-states', '50');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/STOPPED — NOT exhausted: the --max-states limit was reached/);
    expect((await run('explore', HOLDS, '--max-states', '50', '--require-exhaustive')).code).toBe(8);
  });

  const trace = (o: object) => ({ schema: 'xipcheck/trace@1', name: 'x', config: { devices: [{ name: 'd', driver: 'brd', pages: 4 }], fs: { device: 'd' } }, steps: [{ op: 'umount', pid: 0 }], ...o });
  const bad: [string, string[], RegExp][] = [
    ['an unreadable trace', ['explore', join(tmp, 'absent.json')], /cannot read .*ENOENT/],
    ['not JSON', ['explore', file('a.json', '{ nope')], /not JSON/],
    ['an unknown action', ['explore', file('b.json', trace({ steps: [{ op: 'reed' }] }))], /steps\[0\]\.op: unknown action "reed"/],
    ['an unknown variant in the trace', ['explore', file('c.json', trace({ variant: 'nope' }))], /variant: unknown variant "nope"/],
    ['an unknown --variant', ['explore', HOLDS, '--variant', 'nope'], /--variant: unknown variant "nope"/],
    ['an impossible config', ['explore', file('d.json', trace({ config: { devices: [{ name: 'd', driver: 'brd', pages: 4 }], fs: { device: 'nope' } } }))], /fs\.device "nope" names no device/],
    ['a family option with a trace', ['explore', HOLDS, '--threads', '3'], /--threads is an option of explore's own family/],
    ['two traces', ['explore', HOLDS, RACE], /unexpected argument/],
  ];
  for (const [what, argv, msg] of bad) {
    it(`bad input: ${what} — one line, exit 2`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    });
  }
});

describe('xipcheck check --system FILE', () => {
  const mine = { pageSize: 4, devices: [{ name: 'ram0', driver: 'brd', pages: 8 }], fs: { device: 'ram0', files: [{ name: 'f0', data: [1, 2, 3, 4, 5] }], maxFilePages: 4 }, processes: 2, vpages: 8, heapPages: 2 };
  it('runs check on that one system instead of the reference suite', async () => {
    const r = await run('check', '--system', file('mine.json', mine), '--runs', '30');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^ {2}system mine +30 runs/m);
    expect(r.out).not.toMatch(/system ext2-xip-dcssblk/);
    expect(r.err).toBe('');
  });
  it('a broken model fails on it with a trace carrying the user\'s config, which run replays', async () => {
    const t = join(tmp, 'mine.trace.json');
    const r = await run('check', '--system', file('mine.json', mine), '--variant', 'broken-read-skips-data', '--runs', '100', '--trace-out', t);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/VIOLATION of coherence on mine/);
    const written = JSON.parse(readFileSync(t, 'utf8'));
    expect(written.config.devices).toEqual([expect.objectContaining({ name: 'ram0', driver: 'brd', pages: 8 })]);
    expect((await run('run', t)).out).toMatch(/✗ coherence/);
  });
  it('says, once, when a file of the config is one the generated runs never open', async () => {
    const r = await run('check', '--system', file('named.json', { ...mine, fs: { ...mine.fs, files: [{ name: 'data', data: [1] }] } }), '--runs', '5');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^xipcheck: note: the generated runs open files named f0, f1, f2; "data" is read only by the final reads/);
  });
  const bad: [string, string[], RegExp][] = [
    ['an unreadable file', ['check', '--system', join(tmp, 'absent.json')], /cannot read .*ENOENT/],
    ['not JSON', ['check', '--system', file('e.json', '{')], /not JSON/],
    ['a duplicate key', ['check', '--system', file('f.json', '{"pageSize": 4, "pageSize": 8}')], /the key "pageSize" appears twice/],
    ['no devices', ['check', '--system', file('g.json', { fs: { device: 'd' } })], /devices: .*model\/config\.ts/],
    ['an unknown driver', ['check', '--system', file('h.json', { devices: [{ name: 'd', driver: 'nvdimm', pages: 4 }], fs: { device: 'd' } })], /devices\[0\]\.driver: /],
    ['fs on no device', ['check', '--system', file('i.json', { devices: [{ name: 'd', driver: 'brd', pages: 4 }], fs: { device: 'x' } })], /fs\.device "x" names no device/],
    ['files that do not fit', ['check', '--system', file('j.json', { devices: [{ name: 'd', driver: 'brd', pages: 2 }], fs: { device: 'd', files: [{ name: 'f0', data: new Array(40).fill(1) }] } })], /does not fit on device "d"/],
    ['an empty name', ['check', '--system', ''], /--system needs a file name/],
  ];
  for (const [what, argv, msg] of bad) {
    it(`bad input: ${what} — one line, exit 2`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('help', () => {
  it('explore --help and check --help describe the new forms', async () => {
    expect((await run('explore', '--help')).out).toMatch(/xipcheck explore TRACE\.json/);
    expect((await run('check', '--help')).out).toMatch(/--system FILE/);
    expect((await run('--help')).out).toMatch(/xipcheck explore TRACE\.json/);
  });
});
