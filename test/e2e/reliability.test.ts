import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { parseTrace } from '../../checker/trace.ts';
import { replayTrace } from '../../checker/replay.ts';
import { checkText, replayText } from '../../checker/report/text.ts';
import { checkJunit } from '../../checker/report/junit.ts';
import { checkAsync } from '../../checker/check.ts';
import { variantByName } from '../../model/variants.ts';
import { duplicateKey } from '../../checker/json-keys.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { MAX_PREFIXES, MAX_REF_STEPS } from '../../checker/group.ts';
import { HEAP_FRACTION } from '../../checker/explore/limits.ts';

/**
 * Hostile and careless input, limits and interruption: each case builds its own input in a
 * temporary directory, and checks the wanted behaviour — bad input is one escaped line and
 * exit 2, limits stop a run with a partial report, nothing found is ever lost.
 */
const tmp = mkdtempSync(join(tmpdir(), 'xipcheck-rel-'));
const BIN = join(import.meta.dirname, '../../bin/xipcheck.mjs');

async function run(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { write: (s) => { out += s; } }, { write: (s) => { err += s; } });
  return { code, out, err };
}

/** The CLI as a process: for stdout errors and signals. */
function proc(argv: string[], o: { stdout?: number | 'pipe'; env?: Record<string, string>; signal?: { name: NodeJS.Signals; afterMs: number }; onFirstData?: 'destroy' } = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', o.stdout ?? 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
    let out = '', err = '';
    p.stdout?.on('data', (d) => { out += d; if (o.onFirstData === 'destroy') p.stdout!.destroy(); });
    p.stderr!.on('data', (d) => { err += d; });
    if (o.signal) setTimeout(() => p.kill(o.signal!.name), o.signal.afterMs);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/**
 * A signal after `afterMs`; if it came before the CLI installed its handlers (a slow start on
 * a loaded machine: the process dies of the signal itself), again with twice the delay.
 */
async function signalled(argv: string[], name: NodeJS.Signals, afterMs: number) {
  for (let ms = afterMs; ; ms *= 2) {
    const r = await proc(argv, { signal: { name, afterMs: ms } });
    if (r.code !== null || ms > 4 * afterMs) return r;
  }
}

let n = 0;
const file = (content: string) => { const p = join(tmp, `t${n++}.json`); writeFileSync(p, content); return p; };

const CONFIG = { pageSize: 4, devices: [{ name: 'dcssblk0', driver: 'dcssblk', pages: 8 }], fs: { device: 'dcssblk0' }, processes: 2 };
const PROLOGUE = [
  { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true, creat: true }, expect: { ret: 0 } },
  { op: 'store', pid: 0, addr: 0, bytes: [1, 2, 3, 4] },
  { op: 'write', pid: 0, fd: 0, buf: 0, len: 4 },
  { op: 'pread', pid: 0, fd: 0, buf: 4, len: 4, pos: 0 },
];
const trace = (steps: unknown[], over: Record<string, unknown> = {}) =>
  file(JSON.stringify({ schema: 'xipcheck/trace@1', name: 'rel', expect: 'holds', config: CONFIG, steps: [...PROLOGUE, ...steps], ...over }));

/** Exit 2, one line on stderr, no stack, no raw control character. */
function oneBadLine(r: { code: number | null; err: string }, msg: RegExp) {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toMatch(msg);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at |✗ model-error|Cannot read properties/);
  expect(r.err.trimEnd()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
}

describe('D1: pids and device indexes beyond the config are bad input, named by step and field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['pid beyond processes', { op: 'read', pid: 2, fd: 0, buf: 0, len: 4 }, /steps\[4\]\.pid: process 2 does not exist .*2 processes/],
    ['pid 3 of 2', { op: 'open', pid: 3, name: 'g', flags: { read: true, creat: true } }, /steps\[4\]\.pid: process 3/],
    ['pid beyond, in a group', { par: [{ op: 'load', pid: 0, addr: 0, len: 1 }, { op: 'load', pid: 3, addr: 0, len: 1 }] }, /steps\[4\]\.par\[1\]\.pid: process 3/],
    ['pid beyond, in a thread program', { par: [[{ op: 'load', pid: 0, addr: 0, len: 1 }, { op: 'load', pid: 2, addr: 0, len: 1 }], { op: 'load', pid: 0, addr: 0, len: 1 }] }, /steps\[4\]\.par\[0\]\[1\]\.pid/],
    ['brd_discard device', { op: 'brd_discard', pid: 0, dev: 3, page: 99 }, /steps\[4\]\.dev: device 3 does not exist .*1 device/],
    ['brd_blkflsbuf device', { op: 'brd_blkflsbuf', pid: 0, dev: 1 }, /steps\[4\]\.dev: device 1/],
    ['dcssblk_remove device', { op: 'dcssblk_remove', pid: 0, dev: 4 }, /steps\[4\]\.dev: device 4/],
    ['dcssblk_save device', { op: 'dcssblk_save', pid: 0, dev: 2, on: true }, /steps\[4\]\.dev/],
    ['dcssblk_shared device', { op: 'dcssblk_shared', pid: 0, dev: 2, shared: true }, /steps\[4\]\.dev/],
  ];
  for (const [what, step, msg] of cases) it(what, async () => oneBadLine(await run('run', trace([step])), msg));
  it('a duplicated key is refused (JSON would keep the last, pid 7, silently)', async () => {
    const raw = JSON.stringify({ schema: 'xipcheck/trace@1', name: 'dup', config: CONFIG, steps: [PROLOGUE[0]] }, null, 1).replace('"pid": 0', '"pid": 0, "pid": 7');
    oneBadLine(await run('run', file(raw)), /line \d+: the key "pid" appears twice in one object/);
    const nested = '{"a": {"k": 1}, "b": {"k": "x\\"\\u0022", "k2": [{"k": 1}, {"k": 2}]}}';
    expect(JSON.parse(nested)).toBeTruthy();
    expect(duplicateKey(nested)).toBeNull();
    expect(duplicateKey('{"a": 1,\n "b": {"c": [1, {"d": 2, "d": 3}]}}')).toEqual({ key: 'd', line: 2 });
  });
});

describe('D2: file names are data, never object keys', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    it(`"${name}" is created, read back, unlinked and then absent`, async () => {
      const r = await run('run', trace([
        { op: 'open', pid: 1, name, flags: { read: true }, expect: { ret: -2 } },
        { op: 'open', pid: 0, name, flags: { read: true, write: true, creat: true }, expect: { ret: 1 } },
        { op: 'pwrite', pid: 0, fd: 1, buf: 0, len: 2, pos: 0, expect: { ret: 2 } },
        { op: 'open', pid: 1, name, flags: { read: true }, expect: { ret: 0 } },
        { op: 'pread', pid: 1, fd: 0, buf: 0, len: 4, pos: 0, expect: { ret: 2, data: [1, 2] } },
        { op: 'unlink', pid: 0, name, expect: { ret: 0 } },
        { op: 'unlink', pid: 0, name, expect: { ret: -2 } },
      ]));
      expect(r.code, r.out + r.err).toBe(0);
    });
  }
  it('a config file named "__proto__" exists', async () => {
    const r = await run('run', trace([
      { op: 'open', pid: 1, name: '__proto__', flags: { read: true }, expect: { ret: 0 } },
      { op: 'read', pid: 1, fd: 0, buf: 0, len: 4, expect: { ret: 2, data: [7, 8] } },
    ], { config: { ...CONFIG, fs: { device: 'dcssblk0', files: [{ name: '__proto__', data: [7, 8] }] } } }));
    expect(r.code, r.out + r.err).toBe(0);
  });
});

describe('D3: very long traces', () => {
  it('the text report of 200,000 steps does not overflow the stack', () => {
    const t = parseTrace(JSON.parse(readFileSync(trace([]), 'utf8')));
    const r = replayTrace(t);
    const steps = Array.from({ length: 200_000 }, (_, i) => r.steps[i % r.steps.length]);
    expect(replayText({ ...r, steps }).split('\n').length).toBeGreaterThan(200_000);
  });
  it('a replay of 20,000 steps works end to end', async () => {
    const r = await run('run', trace(Array.from({ length: 20_000 }, () => ({ op: 'lseek', pid: 0, fd: 0, pos: 0 }))));
    expect(r.code, r.err).toBe(0);
  });
});

describe('D4: concurrent groups too large to judge', () => {
  const pread = { op: 'pread', pid: 0, fd: 0, buf: 4, len: 4, pos: 0 };
  const group = (threads: number, calls: number) => ({ par: Array.from({ length: threads }, () => Array.from({ length: calls }, () => pread)) });
  it('2×12 and 4×4 groups are judged, quickly', async () => {
    const t0 = Date.now();
    expect((await run('run', trace([group(2, 12)]))).code).toBe(0);
    expect((await run('run', trace([group(4, 4)]))).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
  it('a group beyond the prefix limit is refused before it runs', async () => {
    oneBadLine(await run('run', trace([group(4, 100)])), /steps\[4\]\.par: a concurrent group of 100\+100\+100\+100 calls is too large to judge .* limit of 10000; split it/);
  });
  it('a group whose orders leave too many different file contents is refused, not hung', async () => {
    // every thread writes its own byte over the same positions: the contents depend on the order
    const writes = { par: [0, 1, 2, 3].map((th) => Array.from({ length: 9 }, (_, k) => ({ op: 'pwrite', pid: 0, fd: 0, buf: 4 + th, len: 1, pos: k % 8 }))) };
    const t = trace([{ op: 'store', pid: 0, addr: 4, bytes: [5, 6, 7, 8] }, writes], { config: { ...CONFIG, devices: [{ name: 'dcssblk0', driver: 'dcssblk', pages: 16 }] } });
    oneBadLine(await run('run', t), /too many different file contents .* split it into smaller groups/);
  });
});

describe('D5, D7: report and trace files', () => {
  const dir = join(tmp, 'adir');
  mkdirSync(dir, { recursive: true });
  const aFile = file('{}');
  const cases: [string, string[], RegExp][] = [
    ['--out a directory', ['check', '--runs', '3', '--out', dir], /--out ".*adir" is a directory/],
    ['--out under a file', ['check', '--runs', '3', '--out', join(aFile, 'report.txt')], /cannot be created: ".*" is a file, not a directory/],
    ['--trace-out a directory', ['check', '--variant', 'broken-read-skips-data', '--trace-out', dir], /--trace-out ".*adir" is a directory/],
    ['explore --trace-out a directory', ['explore', '--variant', '3.19', '--trace-out', dir], /--trace-out .* is a directory/],
    ['--out = --trace-out', ['check', '--out', join(tmp, 'same.txt'), '--trace-out', join(tmp, '.', 'same.txt')], /--out and --trace-out name the same file/],
  ];
  for (const [what, argv, msg] of cases) it(`${what}: refused before the run`, async () => oneBadLine(await run(...argv), msg));
  it('a report that cannot be written late (/dev/full) goes to stdout, exit 4', async () => {
    const r = await run('check', '--runs', '3', '--out', '/dev/full');
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/no violation/);
    expect(r.err).toMatch(/could not write the report to "\/dev\/full" \(ENOSPC\); it follows on stdout/);
  });
  it('a trace that cannot be written: the counterexample is still printed, exit 5', async () => {
    const r = await run('check', '--variant', 'broken-read-skips-data', '--runs', '300', '--trace-out', '/dev/full');
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/VIOLATION of coherence/);
    expect(r.out).toMatch(/trace NOT written to \/dev\/full \(ENOSPC\)/);
  });
});

describe('D6: stdout errors', () => {
  it('stdout on a full device: one line, exit 4, no stack', async () => {
    const fd = openSync('/dev/full', 'w');
    const r = await proc(['check', '--runs', '3'], { stdout: fd });
    closeSync(fd);
    expect(r.code).toBe(4);
    expect(r.err.trim()).toBe('xipcheck: cannot write to stdout (ENOSPC)');
  });
  it('stdout to a pipe closed by its reader: a quiet exit', async () => {
    const r = await proc(['run', trace(Array.from({ length: 3000 }, () => ({ op: 'lseek', pid: 0, fd: 0, pos: 0 })))], { onFirstData: 'destroy' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('D8: SIGINT and SIGTERM keep what was found', () => {
  it('SIGINT while check searches or shrinks: the report so far, the trace if a violation was found, exit 130', async () => {
    const cex = join(tmp, 'sigint.trace.json');
    // the reference: nothing to find, so the signal always lands in the search (the in-process
    // test below interrupts a shrinking)
    const r = await signalled(['check', '--runs', '100000', '--trace-out', cex], 'SIGINT', 1500);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/SIGINT: stopping/);
    expect(r.out).toMatch(/^xipcheck check — seed 1/);
    if (/VIOLATION/.test(r.out)) {
      expect(existsSync(cex)).toBe(true);
      expect((await run('run', cex)).out).toMatch(/— as the trace expects/);
    } else expect(r.out).toMatch(/INTERRUPTED/);
  });
  it('SIGTERM while explore runs: a partial report, exit 143', async () => {
    const r = await signalled(['explore', '--threads', '3'], 'SIGTERM', 1500);
    expect(r.code).toBe(143);
    expect(r.out).toMatch(/bound NOT exhausted: interrupted by a signal/);
  });
});

describe('D8 in process: shouldStop', () => {
  it('stopping the search: an interrupted report (text and JUnit say so)', async () => {
    let calls = 0;
    const r = await checkAsync({ seed: 1, runs: 1000, variant: variantByName('reference')!, shouldStop: () => ++calls > 50 });
    expect(r.interrupted).toBe(true);
    expect(r.counterexample).toBeNull();
    expect(checkText(r)).toMatch(/INTERRUPTED after/);
    expect(checkJunit(r)).toMatch(/name="the run completed"[^]*interrupted by a signal/);
  });
  it('stopping while shrinking: the counterexample found so far, marked as partly shrunk', async () => {
    let calls = 0;
    const r = await checkAsync({ seed: 1, runs: 300, variant: variantByName('broken-read-skips-data')!, shouldStop: () => ++calls > 2 }); // found at run 1 (the final reads see it): stop 1 shrinking step in
    expect(r.counterexample?.invariant).toBe('coherence');
    expect(r.counterexample?.partlyShrunk).toBe(true);
    expect(checkText(r)).toMatch(/shrinking interrupted: a shorter one may exist/);
  });
});

describe('D9, D10: explore limits are honoured at large bounds', () => {
  it('--max-states at the largest bound stops at once', async () => {
    const r = await run('explore', '--threads', '4', '--ops', '3', '--pages', '4', '--max-states', '10');
    expect(r.code).toBe(0); // a box the user set; --require-exhaustive makes it 8
    expect(r.out).not.toMatch(/^VIOLATION/m);
    expect(r.out).toMatch(/bound NOT exhausted: the --max-states limit was reached/);
  });
  it('--time-budget at a big bound stops within seconds', async () => {
    const t0 = Date.now();
    const r = await run('explore', '--threads', '3', '--ops', '2', '--time-budget', '1');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.out).toMatch(/the --time-budget ran out/);
  });
  it('a small heap gives a partial report ("memory"), not a V8 abort', async () => {
    const r = await proc(['explore', '--threads', '4', '--pages', '1', '--time-budget', '30'], { env: { NODE_OPTIONS: '--max-old-space-size=32' } });
    expect(r.code, r.err).toBe(8); // not exhausted, and no limit the user asked for: distinct from a violation (1)
    expect(r.out).toMatch(/bound NOT exhausted: memory/);
  });
});

describe('D11, D20: the report does not depend on --workers', () => {
  const strip = (s: string) => JSON.stringify({ ...JSON.parse(s), elapsedMs: 0, tracePath: null });
  it('same counts and counterexample with 1 and 2 workers (a violation, and a --max-states cut)', async () => {
    for (const args of [['--variant', '3.19', '--max-states', '6000'], ['--max-states', '1500']]) {
      const [a, b] = [await run('explore', ...args, '--workers', '1', '--reporter', 'json', '--trace-out', join(tmp, 'w1.json')),
        await run('explore', ...args, '--workers', '2', '--reporter', 'json', '--trace-out', join(tmp, 'w2.json'))];
      expect(strip(a.out)).toBe(strip(b.out));
      if (args[1] === '3.19') expect(JSON.parse(a.out).counterexample.invariant).toBe('no-stale-mapping');
    }
  });
  it('--workers beyond the cores is capped, with a note', async () => {
    const r = await run('explore', '--workers', '64', '--max-states', '10');
    expect(r.err).toMatch(/--workers 64 capped to \d+, the number of cores/);
  });
});

describe('D12, D13, D18: numbers are parsed strictly', () => {
  const nines = '9'.repeat(400);
  const cases: [string, string[], RegExp][] = [
    ['a seed beyond 32 bits', ['check', '--seed', '4294967296'], /--seed takes a whole number from 0 to 2147483647, not "4294967296"/],
    ['a seed beyond 2^53', ['check', '--seed', '9007199254740993'], /--seed takes/],
    ['a 400-digit seed', ['check', '--seed', nines], /--seed takes .*\(400 characters\)/],
    ['a 400-digit run count', ['check', '--runs', nines], /--runs takes a whole number from 1 to/],
    ['a huge shard count', ['check', '--shard', `1/${nines}`], /--shard takes I\/N with 1 ≤ I ≤ N ≤ 1000/],
    ['more shards than runs', ['check', '--runs', '5', '--shard', '1/10'], /10 shards of 5 runs would leave shards without work/],
    ['--runs -1', ['check', '--runs', '-1'], /--runs takes a whole number from 1 to 10000000, not "-1"/],
    ['--seed -1', ['check', '--seed', '-1'], /--seed takes a whole number from 0/],
    ['--max-states 0', ['explore', '--max-states', '0'], /--max-states takes a whole number from 1/],
  ];
  for (const [what, argv, msg] of cases) it(what, async () => oneBadLine(await run(...argv), msg));
  it('the largest seed is kept exactly', async () => {
    const r = await run('check', '--seed', '2147483647', '--runs', '2', '--reporter', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).seed).toBe(2147483647);
  });
});

describe('D14: per-command help', () => {
  for (const cmd of ['check', 'explore', 'run', 'invariants', 'variants']) {
    it(`xipcheck ${cmd} --help`, async () => {
      const r = await run(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`usage:\\n  xipcheck ${cmd}`));
      expect(r.err).toBe('');
    });
  }
});

describe('D15, D16: input text is escaped', () => {
  it('not JSON: the parser\'s quote of the input keeps to one line', async () => oneBadLine(await run('run', file('hello\nworld\n')), /not JSON/));
  it('an unknown op with a newline', async () => oneBadLine(await run('run', trace([{ op: 'evil\nsecond line', pid: 0 }])), /unknown action "evil\\nsecond line"/));
  it('a variant with terminal escapes', async () => oneBadLine(await run('run', trace([], { variant: '\u001b[2J\u001b[31mpwned' })), /unknown variant "\\u001b\[2J\\u001b\[31mpwned"/));
  it('an unknown command, a bad option value', async () => {
    oneBadLine(await run('fr\u001bob'), /unknown command "fr\\u001bob"/);
    oneBadLine(await run('check', '--reporter', 'x\ny'), /--reporter takes .* not "x\\ny"/);
  });
  it('names, notes and the trace name in the story are escaped', async () => {
    const r = await run('run', trace([{ op: 'open', pid: 0, name: '\u001b[31mRED\u202e', flags: { read: true, creat: true }, note: 'two\nlines' }], { name: 'n\u001b[2J' }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(/[\u001b\u202e]/);
    expect(r.out).toMatch(/open\("\\u001b\[31mRED\\u202e"/);
    expect(r.out).toMatch(/# two\\nlines/);
  });
  it('JUnit stays well-formed XML when the trace path has a control character', async () => {
    const xml = join(tmp, 'ctrl.xml');
    const r = await run('check', '--variant', 'broken-read-skips-data', '--runs', '300', '--reporter', 'junit', '--out', xml, '--trace-out', join(tmp, 'a\u0001b.json'));
    expect(r.code).toBe(1);
    const text = readFileSync(xml, 'utf8');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(text).toMatch(/a\\u0001b\.json/);
  });
});

describe('D17, D19: names checked against their lists', () => {
  for (const u of ['__proto__', 'constructor', 'toString', '']) {
    it(`--include-unfixed ${JSON.stringify(u)}`, async () => oneBadLine(await run('explore', '--include-unfixed', u), /--include-unfixed takes read-vs-truncate, sparse-window, truncate-aba/));
  }
  it('"expect": "violates no-such-invariant" lists the invariant ids', async () => {
    const r = await run('run', trace([], { expect: 'violates no-such-invariant' }));
    oneBadLine(r, /expect: "violates no-such-invariant" names no invariant/);
    for (const i of INVARIANTS) expect(r.err).toContain(i.id);
  });
});

describe('the limits the docs state are the code\'s', () => {
  it('docs/limitations.md and counterexamples/README.md', () => {
    const fmt = (n: number) => n.toLocaleString('en-US');
    for (const doc of ['docs/limitations.md', 'counterexamples/README.md']) {
      const text = readFileSync(join(import.meta.dirname, '../..', doc), 'utf8');
      expect(text).toContain(`${fmt(MAX_PREFIXES)} (\`MAX_PREFIXES`);
      expect(text).toContain(fmt(MAX_REF_STEPS));
    }
    expect(readFileSync(join(import.meta.dirname, '../../docs/limitations.md'), 'utf8')).toContain(`${HEAP_FRACTION * 100}% of its old-space`);
  });
});
