import type { Action } from '../model/actions.ts';
import type { Observation, State } from '../model/state.ts';
import type { RefState } from './reference/posix.ts';

/**
 * When an invariant is checked. `every-step`: after every atomic step, including the states a
 * kernel path passes through while it holds locks. `between-operations`: only when no thread is
 * inside an operation (the kernel itself breaks it transiently). `step`: a property of each
 * atomic step (pre-state → post-state). `operation`: a property of each completed operation
 * (call, pre-state, post-state, observation, reference).
 */
export type When = 'every-step' | 'between-operations' | 'step' | 'operation';

/*
 * What a state invariant and a step property may read. A state invariant is a function of the
 * kernel data (every field of a State but the scheduler's: threads, locks, nextTid;
 * model/state.ts SCHEDULING_FIELDS) unless it says it reads the threads (`readsThreads`); a step
 * property judges what a step changed of the kernel data (the kernel data before and after, and
 * the step's label), and holds on a step that changed none (a read, a lock, an unlock) from a
 * state every invariant holds on.
 * properties/invariants/kernel-data.test.ts holds every registered invariant to this on the
 * states of the explore family under the reference and every broken variant. The checker relies
 * on it (checker/group.ts checkStep): after such a step from a state it judged, it takes a state
 * invariant's verdict from that state and a step property's as holding, without evaluating them.
 */

/**
 * A per-call invariant judges one call from the state before it and the state after it. Only a
 * call that ran alone has such a pair: in a concurrent group the states between mix the calls'
 * effects, so the checker does not evaluate it there and reports how many calls it left unjudged.
 */
export interface PerCall {
  /** The calls it judges; the checker evaluates it on these only (and counts exactly these). */
  readonly ops: readonly Action['op'][];
}

export interface OpContext {
  readonly call: Action;
  readonly pre: State;
  readonly post: State;
  readonly obs: Observation;
  readonly ref: RefState;
  /** Disagreement with the abstract reference for this call, if any (computed once). */
  readonly refMismatch: string | null;
  /** Whether the disagreement is about a return value or about data and signals. */
  readonly refMismatchKind: 'return' | 'data' | null;
}

/**
 * One named invariant (TLA+ style: a named predicate with a comment saying why it must hold).
 * Checks return null when the property holds, else a message naming the offending values.
 */
export interface Invariant {
  readonly id: string;
  readonly title: string;
  /** Why it must hold: the consequence of breaking it. */
  readonly why: string;
  /** The seed sentence or kernel source it enforces. */
  readonly source: string;
  readonly when: When;
  /** The broken model (a mutation in model/kernel/variant.ts) whose test proves it can fail. */
  readonly brokenBy: string;
  /** Set on an `operation` invariant that judges one call at a time (see PerCall); coherence judges whole groups. */
  readonly perCall?: PerCall;
  /**
   * It reads which block holds a file page, or the block bitmap, through the file systems'
   * layout view (FileSystemType.layout, properties/invariants/layout.ts). On a machine with a
   * file system that gives none, the checker does not evaluate it and reports so.
   */
  readonly needsLayout?: true;
  /** It reads the threads, not only the kernel data (see above): judged after every step, even one that changed no kernel data. */
  readonly readsThreads?: true;
  readonly check?: (s: State) => string | null;
  readonly checkStep?: (pre: State, post: State, label: string) => string | null;
  readonly checkOp?: (o: OpContext) => string | null;
}
