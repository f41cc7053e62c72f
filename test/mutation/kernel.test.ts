import { describe, expect, it } from 'vitest';
import { addressValid, isZero, pfnOf, pfnToDevPage, PFN_STRIDE, readPfn, SPARSE_PFN, writePfn, zeros } from '../../model/kernel/physmem.ts';
import { Deadlock, enabled, removeThread, runCall, spawn, step, threadOf, waitingFor, type Programs } from '../../model/kernel/runtime.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc, type Request } from '../../model/kernel/step.ts';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import type { Call, Observation, State } from '../../model/state.ts';
import { updateDevice } from '../../model/state.ts';
import { guarded, guardedProc, guardedStep, maybeFrozen, MAX_PLUGIN_STEPS, PluginFault, pluginGuardOn, setGuardProbe, setPluginGuard } from '../../model/kernel/plugin-guard.ts';
import { tableRegistry } from '../../model/kernel/tables.ts';
import { hit, withSink } from '../../model/kernel/coverage.ts';
import { errnoName, errnoValue } from '../../model/kernel/errno.ts';

/**
 * model/kernel's machinery held to account directly (docs/mutation.md): the physical-memory
 * numbering every pfn check trusts, and the step runtime's locks and thread bookkeeping that
 * every interleaving rests on. Written against Stryker's survivors in model/kernel.
 */
const ctx: Ctx = { variant: variantByName('reference')!, pageSize: 4 };
const base = (): State => initialState({ pageSize: 4, devices: [{ name: 'd', driver: 'axonram', pages: 4 }, { name: 'r', driver: 'brd', pages: 4 }], fs: { device: 'd', mount: { xip: true, ro: false } } }, ctx);

describe('physmem: page frame numbers and what they name', () => {
  it('pfnToDevPage inverts pfnOf, and names no device below the first stride', () => {
    expect(pfnToDevPage(pfnOf(1, 3))).toEqual({ dev: 1, page: 3 });
    expect(pfnToDevPage(PFN_STRIDE)).toEqual({ dev: 0, page: 0 });
    expect(pfnToDevPage(PFN_STRIDE - 1)).toBeNull();
    expect(pfnToDevPage(SPARSE_PFN)).toBeNull();
  });
  it('addressValid: each condition on its own', () => {
    const s = base(); // d is mounted: present, held, every page backed
    expect(addressValid(s, pfnOf(0, 3))).toBe(true);
    expect(addressValid(s, pfnOf(0, 4))).toBe(false); // past the last page
    expect(addressValid(s, PFN_STRIDE - 1)).toBe(false); // not device memory
    expect(addressValid(s, pfnOf(5, 0))).toBe(false); // no such device
    expect(addressValid(s, pfnOf(1, 0))).toBe(false); // r: nobody holds it
    const held = updateDevice(s, 1, (d) => ({ ...d, openers: 1 }));
    expect(addressValid(held, pfnOf(1, 0))).toBe(false); // brd page not backed yet
    const backed = updateDevice(held, 1, (d) => ({ ...d, data: d.data.map(() => zeros(4)) }));
    expect(addressValid(backed, pfnOf(1, 0))).toBe(true);
    expect(addressValid(updateDevice(backed, 1, (d) => ({ ...d, present: false })), pfnOf(1, 0))).toBe(false);
    expect(addressValid(updateDevice(s, 0, (d) => ({ ...d, openers: 0 })), pfnOf(0, 0))).toBe(false);
    expect(addressValid(s, SPARSE_PFN)).toBe(false);
    expect(addressValid({ ...s, sparse: { ...s.sparse, allocated: true } }, SPARSE_PFN)).toBe(true);
  });
  it('readPfn: the sparse page, device bytes, zeros for what no present device backs', () => {
    const s = base();
    const sp = { ...s, sparse: { allocated: true, refs: 0, data: [1, 2, 3, 4] } };
    expect(readPfn(sp, SPARSE_PFN)).toEqual([1, 2, 3, 4]);
    expect(readPfn(s, pfnOf(0, 1))).toEqual(s.devices[0].data[1]);
    expect(readPfn(updateDevice(s, 0, (d) => ({ ...d, present: false })), pfnOf(0, 1))).toEqual([0, 0, 0, 0]);
    expect(readPfn(s, pfnOf(1, 0))).toEqual([0, 0, 0, 0]);
  });
  it('writePfn: stores in place; a store to freed or removed memory is lost; a non-device pfn is a model error', () => {
    const s = base();
    const w = writePfn(s, pfnOf(0, 1), 1, [7, 8]);
    expect(w.devices[0].data[1]).toEqual([s.devices[0].data[1]![0], 7, 8, s.devices[0].data[1]![3]]);
    expect(writePfn(s, pfnOf(1, 0), 0, [9])).toBe(s); // brd page not backed: lost
    const gone = updateDevice(s, 0, (d) => ({ ...d, present: false }));
    expect(writePfn(gone, pfnOf(0, 1), 0, [9])).toBe(gone);
    expect(() => writePfn(s, SPARSE_PFN, 0, [1])).toThrow(/store to non-device pfn 1/);
  });
  it('zeros is one frozen array per size; isZero looks at every byte', () => {
    expect(zeros(4)).toBe(zeros(4));
    expect(zeros(3)).toEqual([0, 0, 0]);
    expect(Object.isFrozen(zeros(5))).toBe(true);
    expect(isZero([0, 0, 1])).toBe(false);
    expect(isZero([0, 0])).toBe(true);
  });
});

/** Toy programs: each call's op names a script of steps. */
const scripts: Record<string, (c: Call) => Proc<Observation>> = {
  *excl() { yield* lock('L'); const v = yield* read('peek', (s) => s.nextTid); yield* unlock('L'); return { ret: v as number }; },
  *shared() { yield* lock('L', 'shared'); yield* cover({ fn: 'toy' }, 'in'); yield* unlock('L'); return { ret: 0 }; },
  *holdExcl() { yield* lock('L'); return { ret: 0 }; },
  *stray() { yield* unlock('L'); return { ret: 0 }; },
  *twice() { yield* lock('M'); yield* lock('M'); return { ret: 0 }; },
  *bump() { return { ret: (yield* atomic('bump', (s) => [{ ...s, sparseSeq: s.sparseSeq + 2 }, 5] as const)) as number }; },
  *none() { return { ret: 3 }; },
};
const programs: Programs = (c) => scripts[c.op](c);
const call = (op: string, pid = 0): Call => ({ op, pid });

describe('runtime: threads, steps and locks', () => {
  it('spawn numbers threads from nextTid, one more each time; a call with no step is finished at once', () => {
    const [s1, t1] = spawn(base(), call('excl'), ctx, programs);
    const [s2, t2] = spawn(s1, call('none'), ctx, programs);
    expect([t1, t2, s2.nextTid]).toEqual([1, 2, 3]);
    expect(threadOf(s2, t1).at).toBe('lock(L)');
    expect(threadOf(s2, t2)).toMatchObject({ at: null, obs: { ret: 3 } });
    expect(enabled(s2, t2, ctx, programs)).toBe(false);
    expect(waitingFor(s2, t2, ctx, programs)).toBeNull();
    expect(() => step(s2, t2, ctx, programs)).toThrow(/thread 2 already finished/);
    expect(() => threadOf(s2, 9)).toThrow(/no thread 9/);
    expect(removeThread(s2, t1).threads.map((t) => t.tid)).toEqual([2]);
  });
  it('an exclusive lock blocks the other thread until it is dropped; a step taken while blocked is a model error', () => {
    let [s, a] = spawn(base(), call('excl'), ctx, programs);
    let b: number;
    [s, b] = spawn(s, call('excl', 1), ctx, programs);
    s = step(s, a, ctx, programs); // a holds L
    expect(s.locks.L).toEqual({ mode: 'excl', holder: a });
    expect([enabled(s, b, ctx, programs), waitingFor(s, b, ctx, programs)]).toEqual([false, 'L']);
    expect(() => step(s, b, ctx, programs)).toThrow(/thread 2 stepped while blocked on L/);
    s = step(step(s, a, ctx, programs), a, ctx, programs); // peek, unlock
    expect(s.locks.L).toBeUndefined();
    expect(threadOf(s, a).obs).toEqual({ ret: 3 });
    expect(enabled(s, b, ctx, programs)).toBe(true);
  });
  it('shared holders share; the last to leave frees the lock; an exclusive taker waits for all of them', () => {
    let [s, a] = spawn(base(), call('shared'), ctx, programs);
    let b: number, c: number;
    [s, b] = spawn(s, call('shared', 1), ctx, programs);
    [s, c] = spawn(s, call('excl'), ctx, programs);
    s = step(step(s, a, ctx, programs), b, ctx, programs);
    expect(s.locks.L).toEqual({ mode: 'shared', holders: [a, b] });
    expect(enabled(s, c, ctx, programs)).toBe(false);
    const seen: string[] = [];
    s = step(s, a, ctx, programs, { onStep: (l) => seen.push(l), onBranch: (x) => seen.push(x) });
    expect(s.locks.L).toEqual({ mode: 'shared', holders: [b] });
    expect(seen).toEqual(['unlock(L)']);
    s = step(s, b, ctx, programs);
    expect(s.locks.L).toBeUndefined();
    expect(enabled(s, c, ctx, programs)).toBe(true);
  });
  it('a branch taken between steps reaches the hooks of the step before it', () => {
    let [s, a] = spawn(base(), call('shared'), ctx, programs);
    const seen: string[] = [];
    s = step(s, a, ctx, programs, { onStep: (l) => seen.push(`step ${l}`), onBranch: (x) => seen.push(`branch ${x}`) });
    expect(seen).toEqual(['step lock(L)', 'branch toy:in']);
    expect(threadOf(s, a).at).toBe('unlock(L)');
  });
  it('unlocking a lock one does not hold is a model error, whoever holds it', () => {
    const [s0, t] = spawn(base(), call('stray'), ctx, programs);
    expect(() => step(s0, t, ctx, programs)).toThrow(/thread 1 unlocks L, which it does not hold/);
    expect(() => step({ ...s0, locks: { L: { mode: 'excl', holder: 7 } } }, t, ctx, programs)).toThrow(/does not hold/);
    expect(() => step({ ...s0, locks: { L: { mode: 'shared', holders: [7] } } }, t, ctx, programs)).toThrow(/does not hold/);
  });
  it('runCall: runs a call alone to its end, counting steps and showing every state; a self-deadlock is reported', () => {
    const labels: string[] = [];
    const r = runCall(base(), call('bump'), ctx, programs, undefined, (st, at) => labels.push(`${at}:${st.sparseSeq}`));
    expect(r).toMatchObject({ obs: { ret: 5 }, steps: 1 });
    expect(r.state.threads).toEqual([]);
    expect(r.state.sparseSeq).toBe(2);
    expect(labels).toEqual(['bump:2']);
    expect(runCall(base(), call('excl'), ctx, programs).steps).toBe(3);
    expect(() => runCall(base(), call('twice'), ctx, programs)).toThrow(new Deadlock([{ tid: 1, lock: 'M', at: 'lock(M)' }]).message);
  });
});


/** Run `f` with the audit guard on (and a probe counting calls), then off again. */
function underGuard<T>(f: (calls: string[]) => T): T {
  const calls: string[] = [];
  setPluginGuard(true);
  setGuardProbe({ enter: (p, op) => calls.push(`enter ${p} ${op}`), exit: () => calls.push('exit') });
  try { return f(calls); } finally { setPluginGuard(false); setGuardProbe(null); }
}
const fault = (f: () => unknown): PluginFault => {
  try { f(); } catch (e) { if (e instanceof PluginFault) return e; throw e; }
  throw new Error('no fault');
};

describe('plugin-guard: a plug-in\'s defects become faults of the right kind', () => {
  it('off, nothing is frozen, checked or run twice', () => {
    expect(pluginGuardOn()).toBe(false);
    let n = 0;
    const v = { a: { b: 1 } };
    expect(maybeFrozen(v)).toBe(v);
    expect(Object.isFrozen(v)).toBe(false);
    expect(guarded('p', 'op', () => ++n, () => 'never asked')).toBe(1);
    const s = base();
    expect(guardedStep('p', 'op', s, (x) => [x, ++n] as const, () => 'never asked')[1]).toBe(2);
    expect(Object.isFrozen(s)).toBe(false);
  });
  it('on: what a plug-in is shown is frozen all the way down; arrays and nested objects too', () => underGuard(() => {
    const v = maybeFrozen({ a: { b: [1, { c: 2 }] } });
    expect([Object.isFrozen(v), Object.isFrozen(v.a), Object.isFrozen(v.a.b), Object.isFrozen(v.a.b[1])]).toEqual([true, true, true, true]);
  }));
  it('on: throws, writes to frozen input, malformed and non-deterministic results, each named; the probe brackets every call', () => underGuard((calls) => {
    expect(fault(() => guarded('p', 'op', () => { throw new RangeError('boom'); }, () => null))).toMatchObject({ kind: 'threw', message: 'p op: threw RangeError: boom' });
    expect(fault(() => guarded('p', 'op', () => { throw 'str'; }, () => null)).message).toBe('p op: threw string: str');
    const shown = maybeFrozen({ x: 1 });
    expect(fault(() => guarded('p', 'op', () => { (shown as { x: number }).x = 2; }, () => null))).toMatchObject({ kind: 'mutated' });
    expect(fault(() => guarded('p', 'op', () => { throw new TypeError('x is not a function'); }, () => null)).kind).toBe('threw');
    expect(fault(() => guarded('p', 'op', () => 1, (r) => (r === 1 ? 'one is wrong' : null)))).toMatchObject({ kind: 'malformed', message: 'p op: one is wrong' });
    let n = 0;
    expect(fault(() => guarded('p', 'op', () => ({ n: ++n }), () => null))).toMatchObject({ kind: 'non-deterministic', message: 'p op: two calls on the same state returned {"n":1} and {"n":2}' });
    // key order is not a difference; a nested array's order is
    let k = 0;
    expect(guarded('p', 'op', () => (++k % 2 ? { a: 1, b: [1, 2] } : { b: [1, 2], a: 1 }), () => null)).toEqual({ a: 1, b: [1, 2] });
    let m = 0;
    expect(fault(() => guarded('p', 'op', () => ({ b: ++m % 2 ? [1, 2] : [2, 1] }), () => null)).kind).toBe('non-deterministic');
    const inner = new PluginFault('q', 'inner', 'livelock', 'x');
    expect(fault(() => guarded('p', 'op', () => { throw inner; }, () => null))).toBe(inner);
    expect(calls.filter((c) => c === 'exit').length).toBe(calls.filter((c) => c.startsWith('enter')).length);
    expect(calls[0]).toBe('enter p op');
  }));
  it('on: a step must return [state, result], keep to what it owns, and repeat itself', () => underGuard(() => {
    const s = base();
    const mine = () => null;
    expect(guardedStep('p', 'op', s, (x) => [x, 7] as const, mine)).toEqual([s, 7]);
    expect(Object.isFrozen(s.devices)).toBe(true);
    for (const junk of [7, [s], [null, 1], ['x', 1], [s, 1, 2]]) {
      expect(fault(() => guardedStep('p', 'op', s, () => junk as never, mine))).toMatchObject({ kind: 'malformed', message: expect.stringMatching(/^p op: a step returns \[state, result\], not /) });
    }
    expect(fault(() => guardedStep('p', 'op', s, (x) => [x, 1] as const, () => 'changed procs, which belongs to mm'))).toMatchObject({ kind: 'mutated', message: 'p op: changed procs, which belongs to mm' });
    expect(fault(() => guardedStep('p', 'op', s, (x) => [x, 1] as const, mine, () => 'bad result'))).toMatchObject({ kind: 'malformed', message: 'p op: bad result' });
    let n = 0;
    expect(fault(() => guardedStep('p', 'op', s, (x) => [x, ++n] as const, mine)).kind).toBe('non-deterministic');
    let t = 0;
    expect(fault(() => guardedStep('p', 'op', s, (x) => [++t % 2 ? x : { ...x, nextTid: 99 }, 0] as const, mine)).kind).toBe('non-deterministic');
  }));
  it('on: a plug-in generator is cut off past MAX_PLUGIN_STEPS of its own; kernel steps do not count; its return value is checked', () => underGuard(() => {
    function* forever(): Proc<number> { for (;;) yield* read('spin', () => 0); }
    const g = guardedProc('p', 'op', forever(), () => null, () => null);
    let r = g.next();
    let steps = 0;
    const s = base();
    const e = fault(() => { while (!r.done) { steps++; r = g.next((r.value as { run: (s: State) => readonly [State, unknown] }).run(s)[1]); } });
    expect(e).toMatchObject({ kind: 'livelock', message: `p op: took more than ${MAX_PLUGIN_STEPS} steps in one call without returning` });
    expect(steps).toBe(MAX_PLUGIN_STEPS);
    function* one(): Proc<number> { yield* lock('L'); yield* read('x', () => 0); yield* unlock('L'); return 5; }
    const h = guardedProc('p', 'op', one(), (v) => (v === 5 ? 'five is wrong' : null), () => null);
    const reqs: Request[] = [];
    let q = h.next();
    expect(fault(() => { while (!q.done) { reqs.push(q.value); q = h.next(q.value.kind === 'atomic' ? q.value.run(s)[1] : undefined); } }).message).toBe('p op: five is wrong');
    // its own steps carry its name, so a nested guard leaves them alone; atomic ones run guarded
    expect(reqs.map((x) => [x.kind, (x as { owner?: string }).owner])).toEqual([['lock', 'p'], ['atomic', 'p'], ['unlock', 'p']]);
  }));
});

describe('tables, coverage, errno', () => {
  it('a table name names one table; replacing it must be asked for; an unknown name is an error with a hint', () => {
    const reg = tableRegistry<{ name: string; v: number }>('a_ops', ' (hint)');
    const a = { name: 'x', v: 1 }, b = { name: 'x', v: 2 };
    expect(reg.register(a)).toBe(a);
    expect(reg.register(a)).toBe(a); // the same table again is fine
    expect(() => reg.register(b)).toThrow('a_ops "x" registered twice with different members');
    expect(reg.byName('x')).toBe(a);
    reg.register(b, true);
    expect(reg.byName('x')).toBe(b);
    expect(() => reg.byName('y')).toThrow('unknown a_ops y (hint)');
  });
  it('hit reaches the sink installed around a step body only, and the previous sink comes back', () => {
    const seen: string[] = [];
    hit({ fn: 'f' }, 'outside');
    withSink((b) => seen.push(`outer ${b}`), () => {
      hit({ fn: 'f' }, 'a');
      withSink(undefined, () => hit({ fn: 'f' }, 'muted'));
      hit({ fn: 'f' }, 'b');
    });
    hit({ fn: 'f' }, 'after');
    expect(seen).toEqual(['outer f:a', 'outer f:b']);
  });
  it('errno names: 0 and positive values print as numbers; names parse with or without the minus', () => {
    expect([errnoName(0), errnoName(5), errnoName(-22), errnoName(-999)]).toEqual(['0', '5', '-EINVAL', '-999']);
    expect([errnoValue('EINVAL'), errnoValue('-EINVAL'), errnoValue('E-INVAL'), errnoValue('nope')]).toEqual([-22, -22, undefined, undefined]);
  });
});
