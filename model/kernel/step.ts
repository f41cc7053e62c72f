import type { State } from '../state.ts';
import type { Variant } from './variant.ts';

/**
 * The execution model. Every system call and page fault is a *process of atomic steps*
 * (PlusCal labels): a generator that yields one request per step. A step is cut where the
 * kernel takes or drops a lock or touches shared state; everything the generator learns about
 * the state comes back as a step result. Generators never read the state directly, so a
 * thread's continuation is fully described by (call, results so far): the runtime replays
 * the generator to resume it, and the State stays plain data the explorer can hash.
 */
export type Request =
  /** One indivisible step: reads and writes the state, returns what the code learns. */
  | { readonly kind: 'atomic'; readonly label: string; readonly run: (s: State) => readonly [State, unknown] }
  /** mutex_lock / down_write (excl) or down_read / i_mmap_lock_read (shared): blocks while held. */
  | { readonly kind: 'lock'; readonly label: string; readonly lock: string; readonly mode: 'excl' | 'shared' }
  | { readonly kind: 'unlock'; readonly label: string; readonly lock: string }
  /** Marks a kernel branch as taken; not a step (costs nothing, changes nothing). */
  | { readonly kind: 'cover'; readonly branch: string };

export type Proc<R> = Generator<Request, R, unknown>;

/** Context every process is started with: which design variant of the kernel is modelled. */
export interface Ctx {
  readonly variant: Variant;
  /** PAGE_SIZE of the modelled machine (a constant of the config). */
  readonly pageSize: number;
}

export function* atomic<R>(label: string, run: (s: State) => readonly [State, R]): Proc<R> {
  return (yield { kind: 'atomic', label, run }) as R;
}

/** A step that only reads. */
export function* read<R>(label: string, f: (s: State) => R): Proc<R> {
  return (yield { kind: 'atomic', label, run: (s: State) => [s, f(s)] as const }) as R;
}

export function* lock(lockName: string, mode: 'excl' | 'shared' = 'excl'): Proc<void> {
  yield { kind: 'lock', label: `lock(${lockName})`, lock: lockName, mode };
}

export function* unlock(lockName: string): Proc<void> {
  yield { kind: 'unlock', label: `unlock(${lockName})`, lock: lockName };
}

export function* cover(b: { fn: string }, name: string): Proc<void> {
  yield { kind: 'cover', branch: `${b.fn}:${name}` };
}
