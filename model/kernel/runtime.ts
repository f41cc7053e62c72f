import { withState } from '../state.ts';
import type { Call, Observation, State, Thread, LockState } from '../state.ts';
import type { Ctx, Proc, Request } from './step.ts';
import { withSink } from './coverage.ts';
import { slot } from './slot.ts';

/** Starts the process that implements a top-level call (see model/actions.ts). */
export type Programs = (call: Call, ctx: Ctx) => Proc<Observation>;

/** Optional observer of what a live (not replayed) step did: coverage and step counts. */
export interface StepHooks {
  onBranch?(branch: string): void;
  onStep?(label: string): void;
}

type Live = { gen: Proc<Observation>; res: IteratorResult<Request, Observation> };

/**
 * What the runtime remembers of a thread value, kept with it (slot.ts):
 *  - `live`: its generator, paused at the request the thread makes next. A request's closure is
 *    valid only while its generator is paused there (it may read variables the code changes
 *    later), so a generator advanced for one successor of a state is gone for the others:
 *    `resume` rebuilds it by replaying the thread's results (null: consumed);
 *  - `next`: that request as data, enough to say whether the thread can run and to run a lock step;
 *  - `first`/`more`: the threads it became by one step, by the step's result (its JSON text: the
 *    explorer takes threads whose results have one text for one continuation already), with the
 *    branches its code marked on the way to its next request. The explorer steps a thread from
 *    every state it is part of, and most of those steps return what an earlier one did: the
 *    successor is then the thread built before, shared, and no generator is replayed. The first
 *    successor is kept inline (most threads have one).
 */
interface Memo { live: Live | null; next: Pending; first?: Child; more?: Map<string, Child> }
/**
 * `result` is the step's result; `key` its JSON text, written only once a second step of the
 * same thread value needs the comparison (the random runner steps each thread value once).
 */
interface Child { readonly result: unknown; key?: string | null; readonly t: Thread; readonly covers: readonly string[] }

/**
 * A thread value built here. Its fields are plain data (JSON, spread and structuredClone see
 * only them); the memo is a private field, which a spread or clone leaves behind (a copy is
 * another value, replayed when it is stepped) and which freezing, as the audit's guard freezes
 * what it hands a plug-in, does not touch. Setting it costs what any field does, where a
 * non-enumerable property (`Object.defineProperty`) cost ten times that on Node 20.
 */
class Built implements Thread {
  readonly tid: number;
  readonly pid: number;
  readonly call: Call;
  readonly results: readonly unknown[];
  readonly at: string | null;
  readonly obs: Observation | null;
  #memo: Memo;
  constructor(tid: number, pid: number, call: Call, results: readonly unknown[], at: string | null, obs: Observation | null, memo: Memo) {
    this.tid = tid; this.pid = pid; this.call = call; this.results = results; this.at = at; this.obs = obs;
    this.#memo = memo;
  }
  static memoOf(t: Thread): Memo | undefined { return #memo in t ? (t as Built).#memo : undefined; }
  static setMemo(t: Thread, m: Memo): boolean { if (!(#memo in t)) return false; (t as Built).#memo = m; return true; }
}
/** What is remembered of a thread value not built here (a copy, a thread out of a trace). */
const copies = slot<Memo>('thread');
const memo = {
  get: (t: Thread): Memo | undefined => Built.memoOf(t) ?? copies.get(t),
  set: (t: Thread, m: Memo): void => { if (!Built.setMemo(t, m)) copies.set(t, m); },
};

/** What a thread asks for next, as data. */
type Pending =
  | { readonly kind: 'atomic'; readonly label: string }
  | { readonly kind: 'lock'; readonly label: string; readonly lock: string; readonly mode: 'excl' | 'shared' }
  | { readonly kind: 'unlock'; readonly label: string; readonly lock: string }
  | { readonly kind: 'done' };

function skipCovers(l: Live, onBranch: ((b: string) => void) | undefined): void {
  while (!l.res.done && l.res.value.kind === 'cover') {
    onBranch?.(l.res.value.branch);
    l.res = l.gen.next();
  }
}

function pendingOf(l: Live): Pending {
  if (l.res.done) return { kind: 'done' };
  const r = l.res.value;
  switch (r.kind) {
    case 'atomic': return { kind: 'atomic', label: r.label };
    case 'lock': return { kind: 'lock', label: r.label, lock: r.lock, mode: r.mode };
    case 'unlock': return { kind: 'unlock', label: r.label, lock: r.lock };
    case 'cover': throw new Error('unreachable: cover requests are skipped');
  }
}

/** The generator of `t`, positioned at its pending request: kept, or rebuilt by replay. */
function resume(t: Thread, ctx: Ctx, programs: Programs): Live {
  const m = memo.get(t);
  if (m?.live) return m.live;
  const gen = programs(t.call, ctx);
  const l: Live = { gen, res: gen.next() };
  skipCovers(l, undefined);
  for (const r of t.results) {
    l.res = l.gen.next(r);
    skipCovers(l, undefined);
  }
  if (m) m.live = l;
  else memo.set(t, { live: l, next: pendingOf(l) });
  return l;
}

/** What `t` asks for next (a thread not built here, such as a copy, is replayed to learn it). */
function next(t: Thread, ctx: Ctx, programs: Programs): Pending {
  return (memo.get(t) ?? (resume(t, ctx, programs), memo.get(t)!)).next;
}

/** A new thread value whose generator is `l`. */
function made(tid: number, pid: number, call: Call, results: readonly unknown[], l: Live): Thread {
  return new Built(tid, pid, call, results, l.res.done ? null : label(l.res.value), l.res.done ? l.res.value : null, { live: l, next: pendingOf(l) });
}

export function spawn(s: State, call: Call, ctx: Ctx, programs: Programs): [State, number] {
  const tid = s.nextTid;
  const gen = programs(call, ctx);
  const l: Live = { gen, res: gen.next() };
  // branches before the first step are taken live, once
  skipCovers(l, undefined);
  const t = made(tid, call.pid, call, [], l);
  return [withState(s, { threads: [...s.threads, t], nextTid: tid + 1 }), tid];
}

function label(r: Request): string {
  return r.kind === 'cover' ? r.branch : r.label;
}

export function threadOf(s: State, tid: number): Thread {
  const t = s.threads.find((x) => x.tid === tid);
  if (!t) throw new Error(`no thread ${tid}`);
  return t;
}

function lockFree(l: LockState | undefined, mode: 'excl' | 'shared'): boolean {
  if (!l) return true;
  return mode === 'shared' && l.mode === 'shared';
}

/** Can `tid` take its next step now? False when finished or sleeping on a lock. */
export function enabled(s: State, tid: number, ctx: Ctx, programs: Programs): boolean {
  const t = threadOf(s, tid);
  if (t.obs) return false;
  const p = next(t, ctx, programs);
  if (p.kind === 'done') return false;
  return p.kind !== 'lock' || lockFree(s.locks[p.lock], p.mode);
}

/** The lock a thread sleeps on, if any (for deadlock reports). */
export function waitingFor(s: State, tid: number, ctx: Ctx, programs: Programs): string | null {
  const t = threadOf(s, tid);
  if (t.obs) return null;
  const p = next(t, ctx, programs);
  return p.kind === 'lock' ? p.lock : null;
}

/** Take one atomic step of thread `tid`. The thread must be enabled. */
export function step(s: State, tid: number, ctx: Ctx, programs: Programs, hooks?: StepHooks): State {
  const t = threadOf(s, tid);
  const p = next(t, ctx, programs);
  if (p.kind === 'done') throw new Error(`thread ${tid} already finished`);
  let nextState = s;
  let result: unknown = undefined;
  switch (p.kind) {
    case 'atomic': {
      const r = resume(t, ctx, programs).res.value as Request & { kind: 'atomic' };
      const [s2, out] = withSink(hooks?.onBranch, () => r.run(s));
      nextState = s2;
      result = out;
      break;
    }
    case 'lock': {
      const held = s.locks[p.lock];
      if (!lockFree(held, p.mode)) throw new Error(`thread ${tid} stepped while blocked on ${p.lock}`);
      const ls: LockState = p.mode === 'excl'
        ? { mode: 'excl', holder: tid }
        : { mode: 'shared', holders: held && held.mode === 'shared' ? [...held.holders, tid] : [tid] };
      // kept in name order (the explorer's canonical key then needs no sort)
      const locks: Record<string, LockState> = {};
      let put = false;
      for (const name in s.locks) {
        if (name === p.lock) continue;
        if (!put && name > p.lock) { locks[p.lock] = ls; put = true; }
        locks[name] = s.locks[name];
      }
      if (!put) locks[p.lock] = ls;
      nextState = withState(s, { locks });
      break;
    }
    case 'unlock': {
      const held = s.locks[p.lock];
      let rest: LockState | null = null;
      if (held?.mode === 'excl' && held.holder === tid) rest = null;
      else if (held?.mode === 'shared' && held.holders.includes(tid)) {
        const holders = held.holders.filter((h) => h !== tid);
        rest = holders.length ? { mode: 'shared', holders } : null;
      } else throw new Error(`thread ${tid} unlocks ${p.lock}, which it does not hold`);
      // rebuilt rather than `delete`d: a deleted key turns the object into a slow dictionary
      const locks: Record<string, LockState> = {};
      for (const name in s.locks) {
        if (name !== p.lock) locks[name] = s.locks[name];
        else if (rest) locks[name] = rest;
      }
      nextState = withState(s, { locks });
      break;
    }
  }
  hooks?.onStep?.(p.label);
  const t2 = successor(t, result, ctx, programs, hooks);
  const threads = nextState.threads.slice();
  threads[threads.findIndex((x) => x.tid === tid)] = t2;
  return withState(nextState, { threads });
}

/** A result's JSON text; null for one that has none (a plug-in's BigInt): its successor is not shared. */
function keyOf(result: unknown): string | null {
  try { return JSON.stringify(result) ?? ''; } catch { return null; }
}

function keyOfChild(c: Child): string | null {
  if (c.key === undefined) c.key = keyOf(c.result);
  return c.key;
}

/** The successor of `m` for a result with this JSON text, if one was built. */
function childFor(m: Memo, result: unknown): Child | undefined {
  const first = m.first!;
  if (first.result === result) return first;
  const key = keyOf(result);
  if (key === null) return undefined;
  if (keyOfChild(first) === key) return first;
  return m.more?.get(key);
}

/** The thread `t` becomes when its step returns `result`: built once per distinct result. */
function successor(t: Thread, result: unknown, ctx: Ctx, programs: Programs, hooks?: StepHooks): Thread {
  const m = memo.get(t);
  const hit = m?.first ? childFor(m, result) : undefined;
  if (hit) {
    if (hooks?.onBranch) for (const b of hit.covers) hooks.onBranch(b);
    return hit.t;
  }
  const l = resume(t, ctx, programs);
  memo.get(t)!.live = null;
  const l2: Live = { gen: l.gen, res: l.gen.next(result) };
  const covers: string[] = [];
  skipCovers(l2, (b) => { covers.push(b); hooks?.onBranch?.(b); });
  const t2 = made(t.tid, t.pid, t.call, [...t.results, result], l2);
  const mt = memo.get(t)!;
  if (!mt.first) { mt.first = { result, t: t2, covers }; return t2; }
  const key = keyOf(result);
  if (key !== null) (mt.more ??= new Map()).set(key, { result, key, t: t2, covers });
  return t2;
}

export function removeThread(s: State, tid: number): State {
  return withState(s, { threads: s.threads.filter((t) => t.tid !== tid) });
}

/** Thrown when no thread can move although some are unfinished. */
export class Deadlock extends Error {
  constructor(readonly waits: readonly { tid: number; lock: string | null; at: string | null }[]) {
    super(`deadlock: ${waits.map((w) => `T${w.tid} at ${w.at} waits for ${w.lock}`).join('; ')}`);
  }
}

/**
 * Run one call to completion with no other thread moving (the sequential execution of the
 * foundation; the interleaving scheduler drives `step` itself). `onState` sees every
 * intermediate state, so step invariants are checked between atomic steps too.
 */
export function runCall(
  s: State, call: Call, ctx: Ctx, programs: Programs,
  hooks?: StepHooks, onState?: (s: State, label: string) => void,
): { state: State; obs: Observation; steps: number } {
  let [cur, tid] = spawn(s, call, ctx, programs);
  let steps = 0;
  for (;;) {
    const t = threadOf(cur, tid);
    if (t.obs) return { state: removeThread(cur, tid), obs: t.obs, steps };
    if (!enabled(cur, tid, ctx, programs)) {
      throw new Deadlock([{ tid, lock: waitingFor(cur, tid, ctx, programs), at: t.at }]);
    }
    const at = t.at ?? '';
    cur = step(cur, tid, ctx, programs, hooks);
    steps++;
    onState?.(cur, at);
  }
}
