import type { Call, Observation, State, Thread, LockState } from '../state.ts';
import type { Ctx, Proc, Request } from './step.ts';
import { withSink } from './coverage.ts';

/** Starts the process that implements a top-level call (see model/actions.ts). */
export type Programs = (call: Call, ctx: Ctx) => Proc<Observation>;

/** Optional observer of what a live (not replayed) step did: coverage and step counts. */
export interface StepHooks {
  onBranch?(branch: string): void;
  onStep?(label: string): void;
}

type Live = { gen: Proc<Observation>; res: IteratorResult<Request, Observation> };
const live = new WeakMap<Thread, Live>();

function skipCovers(l: Live, hooks: StepHooks | undefined): void {
  while (!l.res.done && l.res.value.kind === 'cover') {
    hooks?.onBranch?.(l.res.value.branch);
    l.res = l.gen.next();
  }
}

/** The generator of `t`, positioned at its pending request: cached, or rebuilt by replay. */
function resume(t: Thread, ctx: Ctx, programs: Programs): Live {
  const cached = live.get(t);
  if (cached) return cached;
  const gen = programs(t.call, ctx);
  const l: Live = { gen, res: gen.next() };
  skipCovers(l, undefined);
  for (const r of t.results) {
    l.res = l.gen.next(r);
    skipCovers(l, undefined);
  }
  live.set(t, l);
  return l;
}

export function spawn(s: State, call: Call, ctx: Ctx, programs: Programs): [State, number] {
  const tid = s.nextTid;
  const t0: Thread = { tid, pid: call.pid, call, results: [], at: null, obs: null };
  const gen = programs(call, ctx);
  const l: Live = { gen, res: gen.next() };
  // branches before the first step are taken live, once
  skipCovers(l, undefined);
  const t: Thread = { ...t0, at: l.res.done ? null : label(l.res.value), obs: l.res.done ? l.res.value : null };
  live.set(t, l);
  return [{ ...s, threads: [...s.threads, t], nextTid: tid + 1 }, tid];
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
  const l = resume(t, ctx, programs);
  if (l.res.done) return false;
  const r = l.res.value;
  return r.kind !== 'lock' || lockFree(s.locks[r.lock], r.mode);
}

/** The lock a thread sleeps on, if any (for deadlock reports). */
export function waitingFor(s: State, tid: number, ctx: Ctx, programs: Programs): string | null {
  const t = threadOf(s, tid);
  if (t.obs) return null;
  const r = resume(t, ctx, programs).res;
  return !r.done && r.value.kind === 'lock' ? r.value.lock : null;
}

/** Take one atomic step of thread `tid`. The thread must be enabled. */
export function step(s: State, tid: number, ctx: Ctx, programs: Programs, hooks?: StepHooks): State {
  const t = threadOf(s, tid);
  const l = resume(t, ctx, programs);
  if (l.res.done) throw new Error(`thread ${tid} already finished`);
  const r = l.res.value;
  let next = s;
  let result: unknown = undefined;
  switch (r.kind) {
    case 'atomic': {
      const [s2, out] = withSink(hooks?.onBranch, () => r.run(s));
      next = s2;
      result = out;
      break;
    }
    case 'lock': {
      const held = s.locks[r.lock];
      if (!lockFree(held, r.mode)) throw new Error(`thread ${tid} stepped while blocked on ${r.lock}`);
      const ls: LockState = r.mode === 'excl'
        ? { mode: 'excl', holder: tid }
        : { mode: 'shared', holders: held && held.mode === 'shared' ? [...held.holders, tid] : [tid] };
      next = { ...s, locks: { ...s.locks, [r.lock]: ls } };
      break;
    }
    case 'unlock': {
      const held = s.locks[r.lock];
      const locks = { ...s.locks };
      if (held?.mode === 'excl' && held.holder === tid) delete locks[r.lock];
      else if (held?.mode === 'shared' && held.holders.includes(tid)) {
        const rest = held.holders.filter((h) => h !== tid);
        if (rest.length) locks[r.lock] = { mode: 'shared', holders: rest };
        else delete locks[r.lock];
      } else throw new Error(`thread ${tid} unlocks ${r.lock}, which it does not hold`);
      next = { ...s, locks };
      break;
    }
    case 'cover':
      throw new Error('unreachable: cover requests are skipped');
  }
  hooks?.onStep?.(r.label);
  live.delete(t);
  const l2: Live = { gen: l.gen, res: l.gen.next(result) };
  skipCovers(l2, hooks);
  const t2: Thread = {
    ...t,
    results: [...t.results, result],
    at: l2.res.done ? null : label(l2.res.value),
    obs: l2.res.done ? l2.res.value : null,
  };
  live.set(t2, l2);
  return { ...next, threads: next.threads.map((x) => (x.tid === tid ? t2 : x)) };
}

export function removeThread(s: State, tid: number): State {
  return { ...s, threads: s.threads.filter((t) => t.tid !== tid) };
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
