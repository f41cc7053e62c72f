import { describe, expect, it } from 'vitest';
import { spawn, step, threadOf, enabled, runCall, type Programs } from './runtime.ts';
import { cover, read } from './step.ts';
import { program } from '../actions.ts';
import { initialState } from '../init.ts';
import { variantByName } from '../variants.ts';

const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = { devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 8 }], fs: { device: 'd', files: [{ name: 'f', data: [1, 2, 3, 4, 5], holes: [] }] } };

describe('the runtime: a thread is (call, step results), resumable by replay', () => {
  it('stepping a thread record twice from the same state gives the same successor (replay = live)', () => {
    let s = initialState(config, ctx);
    s = runCall(s, { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } }, ctx, program).state;
    const [s1, tid] = spawn(s, { op: 'write', pid: 0, fd: 0, buf: 0, len: 6 }, ctx, program);
    let a = s1;
    const states = [a];
    while (!threadOf(a, tid).obs) { a = step(a, tid, ctx, program); states.push(a); }
    // branch again from every intermediate state: the same result, so the very thread built before
    for (let i = 0; i < states.length - 1; i++) {
      const again = step(states[i], tid, ctx, program);
      expect(JSON.stringify(again)).toBe(JSON.stringify(states[i + 1]));
      expect(threadOf(again, tid)).toBe(threadOf(states[i + 1], tid));
    }
    // a copy of each state (its threads remember nothing: slot.ts's properties are not copied) replays
    for (let i = 0; i < states.length - 1; i++) {
      const again = step(structuredClone(states[i]), tid, ctx, program);
      expect(JSON.stringify(again)).toBe(JSON.stringify(states[i + 1]));
    }
  });

  it('a step returning something else makes another successor, whose continuation is the one a fresh run takes', () => {
    // a toy call: reads sparseSeq, marks a branch, and returns what it read
    const toy: Programs = function* () {
      const seq = yield* read('peek', (s) => s.sparseSeq);
      yield* cover({ fn: 'toy' }, seq ? 'odd' : 'even');
      return { ret: seq as number };
    };
    const s0 = initialState(config, ctx);
    const [a, tid] = spawn(s0, { op: 'toy', pid: 0 }, ctx, toy);
    const b = { ...a, sparseSeq: 1 };
    const taken: string[] = [];
    const hooks = { onBranch: (x: string) => taken.push(x) };
    const fromA = step(a, tid, ctx, toy, hooks), fromB = step(b, tid, ctx, toy, hooks);
    expect([threadOf(fromA, tid).obs, threadOf(fromB, tid).obs]).toEqual([{ ret: 0 }, { ret: 1 }]);
    // again from a: the first successor, shared, and its branch reported again as a live step reports it
    const again = step(a, tid, ctx, toy, hooks);
    expect(threadOf(again, tid)).toBe(threadOf(fromA, tid));
    expect(taken).toEqual(['toy:even', 'toy:odd', 'toy:even']);
    // and from a fresh thread of the same call: the same continuation, by text
    const [c, tid2] = spawn(s0, { op: 'toy', pid: 0 }, ctx, toy);
    expect(JSON.stringify(threadOf(step({ ...c, sparseSeq: 1 }, tid2, ctx, toy), tid2))).toBe(JSON.stringify(threadOf(fromB, tid)));
  });

  it('a thread sleeping on a held lock is not enabled', () => {
    let s = initialState(config, ctx);
    s = runCall(s, { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } }, ctx, program).state;
    let [s1, t1] = spawn(s, { op: 'write', pid: 0, fd: 0, buf: 0, len: 1 }, ctx, program);
    const [s2, t2] = spawn(s1, { op: 'ftruncate', pid: 0, fd: 0, len: 0 }, ctx, program);
    s1 = s2;
    // T1 takes i_mutex
    while (!s1.locks['i_mutex:1']) s1 = step(s1, t1, ctx, program);
    // T2 runs until it needs i_mutex
    while (threadOf(s1, t2).at !== 'lock(i_mutex:1)') s1 = step(s1, t2, ctx, program);
    expect(enabled(s1, t2, ctx, program)).toBe(false);
    expect(enabled(s1, t1, ctx, program)).toBe(true);
  });

  it('lock tables are kept in name order, whatever order the locks were taken and dropped in, with every shared holder', () => {
    // toy calls taking and dropping locks in a given order: the explorer's key reads the table in order without sorting it
    const prog = (ops: readonly (readonly [string, string, 'excl' | 'shared'])[]): Programs => function* () {
      for (const [kind, lock, mode] of ops) yield kind === 'lock' ? { kind: 'lock', label: `lock(${lock})`, lock, mode } : { kind: 'unlock', label: `unlock(${lock})`, lock };
      return { ret: 0 };
    };
    const p1 = prog([['lock', 'm', 'shared'], ['lock', 'z', 'excl'], ['unlock', 'm', 'shared'], ['lock', 'a', 'excl'], ['unlock', 'z', 'excl']]);
    const p2 = prog([['lock', 'm', 'shared'], ['lock', 'b', 'shared'], ['unlock', 'm', 'shared']]);
    const s0 = initialState(config, ctx);
    const [a, t1] = spawn(s0, { op: 'p1', pid: 0 }, ctx, p1);
    const [b, t2] = spawn(a, { op: 'p2', pid: 0 }, ctx, p2);
    const run = (k: number) => (k === 1 ? p1 : p2);
    let s = b;
    const seen: string[] = [];
    for (const [tid, k] of [[t1, 1], [t2, 2], [t1, 1], [t2, 2], [t1, 1], [t1, 1]] as const) {
      s = step(s, tid, ctx, run(k));
      const names = Object.keys(s.locks);
      expect(names).toEqual([...names].sort());
      seen.push(JSON.stringify(s.locks));
    }
    expect(seen).toEqual([
      '{"m":{"mode":"shared","holders":[' + t1 + ']}}',
      '{"m":{"mode":"shared","holders":[' + t1 + ',' + t2 + ']}}',
      '{"m":{"mode":"shared","holders":[' + t1 + ',' + t2 + ']},"z":{"mode":"excl","holder":' + t1 + '}}',
      '{"b":{"mode":"shared","holders":[' + t2 + ']},"m":{"mode":"shared","holders":[' + t1 + ',' + t2 + ']},"z":{"mode":"excl","holder":' + t1 + '}}',
      '{"b":{"mode":"shared","holders":[' + t2 + ']},"m":{"mode":"shared","holders":[' + t2 + ']},"z":{"mode":"excl","holder":' + t1 + '}}',
      '{"a":{"mode":"excl","holder":' + t1 + '},"b":{"mode":"shared","holders":[' + t2 + ']},"m":{"mode":"shared","holders":[' + t2 + ']},"z":{"mode":"excl","holder":' + t1 + '}}',
    ]);
  });
});
