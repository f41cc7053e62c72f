import type { State } from '../../model/state.ts';

/**
 * Sleep sets (Godefroid 1996, ch. 5), the explorer's partial-order reduction: which transitions
 * it need not take because an equivalent interleaving is taken elsewhere. docs/bounds.md gives
 * the argument; in short, two steps of different threads are independent here when, at the
 * state where they are both enabled, neither changes what the other reads nor whether the other
 * is enabled, so either order reaches one state by paths of one length. Sleep sets prune
 * transitions, never states: every reachable state is still visited, at its shortest depth,
 * and every invariant is judged on it.
 *
 * What a step did is classified from the states around it, not from its code:
 *  - `read`: it changed no kernel data and no lock (only its own thread's continuation). The
 *    model's steps read the kernel data and never the lock table, the threads or the thread
 *    counter, so a `read` commutes with any step that changes no kernel data.
 *  - `lock`: it changed one entry of the lock table and nothing else (lock, unlock). It
 *    commutes with a `read` and with a lock step on another lock; with one on the same lock it
 *    may not (one can block the other).
 *  - `write`: anything else. Dependent with every step.
 */
export type StepClass = { readonly kind: 'read' } | { readonly kind: 'lock'; readonly lock: string } | { readonly kind: 'write' };

const READ: StepClass = { kind: 'read' };
const WRITE: StepClass = { kind: 'write' };
/** What a step may change and still be a `read`: the scheduler's own bookkeeping. */
const THREAD_LOCAL = new Set(['threads', 'nextTid']);

export function classify(pre: State, post: State): StepClass {
  if (pre === post) return READ;
  let lock: string | null = null;
  for (const k in post) {
    const key = k as keyof State;
    if (pre[key] === post[key] || THREAD_LOCAL.has(k)) continue;
    if (key !== 'locks') return WRITE;
    const a = pre.locks, b = post.locks;
    for (const name in b) {
      if (a[name] === b[name]) continue;
      if (lock !== null) return WRITE;
      lock = name;
    }
    for (const name in a) {
      if (name in b) continue;
      if (lock !== null) return WRITE;
      lock = name;
    }
  }
  for (const k in pre) if (!(k in post)) return WRITE;
  return lock === null ? READ : { kind: 'lock', lock };
}

export function independent(x: StepClass, y: StepClass): boolean {
  if (x.kind === 'write' || y.kind === 'write') return false;
  if (x.kind === 'read' || y.kind === 'read') return true;
  return x.lock !== y.lock;
}
