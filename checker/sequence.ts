import { PluginFault } from '../model/kernel/plugin-guard.ts';
import type { Action } from '../model/actions.ts';
import { fsConfigs } from '../model/config.ts';
import type { Observation, State } from '../model/state.ts';
import type { Invariant } from '../properties/invariant.ts';
import { refInit, type RefState } from '../properties/reference/posix.ts';
import type { RefDesign } from '../properties/reference/state.ts';
import { resolve, type Cmd } from '../properties/arbitraries.ts';
import { GroupTooLarge } from './group.ts';
import { runGroup, type AtomicStep, type Counters, type GroupResult, type Violation } from './execute.ts';
import { initOf, type System } from './system.ts';

/**
 * One executed step of a run: one call, or several threads of calls run concurrently under a
 * schedule, with what each call returned and (for a concurrent step) who took which atomic step.
 */
export interface ExecutedStep {
  readonly threads: readonly (readonly Action[])[];
  readonly schedule?: readonly number[];
  readonly obs: readonly (readonly Observation[])[];
  readonly interleaving?: readonly { readonly thread: number; readonly label: string }[];
  /** A read of the final observer (see finalReads), not part of the run itself. */
  readonly observer?: true;
  /** With RunOptions.detail: every atomic step with what it returned and what it changed. */
  readonly atoms?: readonly AtomicStep[];
}

export interface SequenceResult {
  readonly steps: readonly ExecutedStep[];
  readonly violation: (Violation & { readonly step: number }) | null;
  readonly state: State;
  readonly ref: readonly RefState[];
  /** Every invariant was judged on `state` by a step and held (checkStep's `preJudged`). */
  readonly judged?: boolean;
}

export function isConcurrent(s: { threads: readonly (readonly Action[])[] }): boolean {
  return s.threads.length > 1 || s.threads[0].length > 1;
}

function executed(threads: readonly (readonly Action[])[], r: GroupResult): ExecutedStep {
  const e: ExecutedStep = isConcurrent({ threads }) ? { threads, schedule: r.schedule, obs: r.obs, interleaving: r.interleaving } : { threads, obs: r.obs };
  return r.atoms ? { ...e, atoms: r.atoms } : e;
}

/**
 * Execute a symbolic command sequence on a fresh system, checking every invariant, stopping at
 * the first violation. A model exception (a BUG_ON the model itself hits) is reported as the
 * violation `model-error`, so that it is shrunk and replayed like any other.
 */
export function runCommands(sys: System, cmds: readonly Cmd[], invariants: readonly Invariant[], counters?: Counters, o: RunOptions = {}): SequenceResult {
  let s = initOf(sys);
  let ref: readonly RefState[] = [refInit(s, refDesign(sys))];
  // the boot state is judged by no step: the first step's state before it is not known to hold
  let judged = false;
  const steps: ExecutedStep[] = [];
  for (const cmd of cmds.flatMap((x) => (x.sym.k === 'seq' ? x.sym.cmds : [x]))) {
    let threads: Action[][];
    let schedule: readonly number[] = [];
    if (cmd.sym.k === 'par') {
      const a = resolve(s, cmd.sym.a.pid, cmd.sym.a.sym), b = resolve(s, cmd.sym.b.pid, cmd.sym.b.sym);
      if (!a || !b) continue;
      threads = [[a], [b]];
      schedule = cmd.sym.schedule;
    } else {
      const a = resolve(s, cmd.pid, cmd.sym);
      if (!a) continue;
      threads = [[a]];
    }
    o.beforeStep?.(threads, schedule);
    const r = safeGroup(sys, s, ref, threads, schedule, invariants, counters, o.detail, judged);
    steps.push(executed(threads, r));
    o.onStep?.(s, steps[steps.length - 1], r.state);
    if (r.violation) return { steps, violation: { ...r.violation, step: steps.length - 1 }, state: r.state, ref: r.ref };
    s = r.state;
    ref = r.ref;
    judged = !!r.judged;
  }
  return o.finalReads === false ? { steps, violation: null, state: s, ref, judged } : withFinalReads(sys, { steps, violation: null, state: s, ref, judged }, invariants, counters);
}

/** The design the reference grants its freedoms of: DAX 6.1 for the variant of that name, else XIP 3.19. */
function refDesign(sys: System): RefDesign {
  return sys.ctx.variant.flags.has('dax-6.1') ? 'dax-6.1' : 'xip-3.19';
}

/** Replay concrete steps (a trace file's); the final reads only when asked for. */
export function runSteps(sys: System, steps: readonly { threads: readonly (readonly Action[])[]; schedule?: readonly number[] }[], invariants: readonly Invariant[], counters?: Counters, o: RunOptions = {}): SequenceResult {
  let s = initOf(sys);
  let ref: readonly RefState[] = [refInit(s, refDesign(sys))];
  let judged = false;
  const out: ExecutedStep[] = [];
  for (const st of steps) {
    o.beforeStep?.(st.threads, st.schedule ?? []);
    const r = safeGroup(sys, s, ref, st.threads, st.schedule ?? [], invariants, counters, o.detail, judged);
    out.push(executed(st.threads, r));
    o.onStep?.(s, out[out.length - 1], r.state);
    if (r.violation) return { steps: out, violation: { ...r.violation, step: out.length - 1 }, state: r.state, ref: r.ref };
    s = r.state;
    ref = r.ref;
    judged = !!r.judged;
  }
  return o.finalReads ? withFinalReads(sys, { steps: out, violation: null, state: s, ref, judged }, invariants, counters, o.detail) : { steps: out, violation: null, state: s, ref, judged };
}

const lifted = new WeakMap<readonly Invariant[], readonly Invariant[]>();

/**
 * The observer's reads are sequential calls on paths the run itself has already checked at
 * every atomic step, so its every-step invariants are checked when each read returns rather
 * than inside it: half the observer's cost (measured on `xipcheck check`), and still every
 * invariant holds before and after every read.
 */
function observerInvariants(invs: readonly Invariant[]): readonly Invariant[] {
  let out = lifted.get(invs);
  if (!out) { out = invs.map((i) => (i.when === 'every-step' ? { ...i, when: 'between-operations' as const } : i)); lifted.set(invs, out); }
  return out;
}

/** How a story and a trace mark the first of the final observer's steps. */
export const FINAL_NOTE = 'final reads: every byte of every file, each read judged by the reference';

export interface RunOptions {
  /** End with the final observer's reads (runCommands: on unless false; runSteps: off unless true). */
  readonly finalReads?: boolean;
  /** Called after each step of the run (not the final reads) with the states around it: measurements. */
  readonly onStep?: (pre: State, step: ExecutedStep, post: State) => void;
  /** Record every atomic step's result and effects (ExecutedStep.atoms): for rendering a story, not for searching. */
  readonly detail?: boolean;
  /** Called before each step runs, with what it runs (audit's watchdog: the step a plug-in hangs in). */
  readonly beforeStep?: (threads: readonly (readonly Action[])[], schedule: readonly number[]) => void;
}

function withFinalReads(sys: System, r: SequenceResult, invariants: readonly Invariant[], counters?: Counters, detail = false): SequenceResult {
  const f = finalReads(sys, r.state, r.ref, invariants, counters, detail);
  const steps = [...r.steps, ...f.steps];
  return { steps, violation: f.violation && { ...f.violation, step: r.steps.length + f.violation.step }, state: f.state, ref: f.ref };
}

/**
 * The final observer, as Jepsen ends a history with final reads: once every call has
 * returned, read every byte of every file through the model's own system calls, each judged
 * by the reference like any other call (so a wrong byte or size is a `coherence` violation,
 * and every invariant still holds at every atomic step of the reads). Without it a per-call bug
 * whose only trace is in the file — a tail not zeroed, a block handed to two files, data lost by
 * writeback — passes whenever nothing happens to read the file after it.
 *
 * For each name in the directory, in name order: open(O_RDONLY), pread the whole file in
 * chunks of P0's heap up to the largest file size (s_maxbytes), stopping at the first short
 * read; when the last page is partial, mmap it privately and load it whole (POSIX zero-fills
 * a mapping's bytes past EOF: this is where a tail truncate did not zero shows); close. A file
 * unlinked but still open is read the same way through a readable descriptor that names it,
 * in that descriptor's process. Every unmounted file system is first mounted read-only at its
 * own mount point with its configured options; if none can be mounted there is nothing to read,
 * and the story shows why.
 */
export function finalReads(sys: System, s0: State, ref0: readonly RefState[], invariants: readonly Invariant[], counters?: Counters, detail = false): SequenceResult {
  let s = s0, ref = ref0;
  const steps: ExecutedStep[] = [];
  let violation: SequenceResult['violation'] = null;
  const invs = observerInvariants(invariants);
  const exec = (a: Action): Observation | null => {
    if (violation) return null;
    const r = safeGroup(sys, s, ref, [[a]], [], invs, counters, detail);
    steps.push(r.atoms ? { threads: [[a]], obs: r.obs, observer: true, atoms: r.atoms } : { threads: [[a]], obs: r.obs, observer: true });
    if (r.violation) { violation = { ...r.violation, step: steps.length - 1 }; return null; }
    s = r.state;
    ref = r.ref;
    return r.obs[0][0] ?? null;
  };
  const PS = s.cfg.pageSize;
  const heap = s.cfg.heapPages * PS;
  // the largest s_maxbytes of the file systems: a read stops at EOF in any case
  const max = Math.max(...fsConfigs(s.cfg).map((f) => f.maxFilePages)) * PS;
  const readAll = (pid: number, fd: number): void => {
    let size = 0;
    for (let pos = 0; pos < max && !violation; pos += heap) {
      const o = exec({ op: 'pread', pid, fd, buf: 0, len: Math.min(heap, max - pos), pos });
      if (!o || o.ret <= 0) break;
      size = pos + o.ret;
      if (o.ret < Math.min(heap, max - pos)) break;
    }
    if (violation || size % PS === 0) return;
    const m = exec({ op: 'mmap', pid, fd, pages: 1, pgoff: Math.floor(size / PS), shared: false, read: true, write: false });
    if (!m || m.ret < 0) return;
    exec({ op: 'load', pid, addr: m.ret, len: PS });
    exec({ op: 'munmap', pid, addr: m.ret, pages: 1 });
  };
  // every file system, each at its own mount point: one that cannot be mounted has nothing to
  // read (its files' names then fail with ENOENT below, judged like any open)
  const list = fsConfigs(s.cfg);
  let mounted = 0;
  for (let k = 0; k < list.length && s.procs.length; k++) {
    if (s.sbs[k]) { mounted++; continue; }
    const dev = s.cfg.devices.findIndex((d) => d.name === list[k].device);
    const o = exec({ op: 'mount', pid: 0, dev, xip: list[k].mount.xip, ro: true });
    if (violation) return { steps, violation, state: s, ref };
    if (o && o.ret >= 0) mounted++;
  }
  if (!mounted) return { steps, violation, state: s, ref };
  const named = new Set<number>();
  for (const [name, ino] of Object.entries(s.dir).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    named.add(ino);
    const o = exec({ op: 'open', pid: 0, name, flags: { read: true } });
    if (!o || o.ret < 0) continue;
    readAll(0, o.ret);
    exec({ op: 'close', pid: 0, fd: o.ret });
  }
  // unlinked but still open: through a descriptor that already names it
  const done = new Set<number>();
  s.procs.forEach((p, pid) => p.files.forEach((f, fd) => {
    if (!f || !f.read || named.has(f.ino) || done.has(f.ino)) return;
    done.add(f.ino);
    readAll(pid, fd);
  }));
  return { steps, violation, state: s, ref };
}

function safeGroup(sys: System, s: State, ref: readonly RefState[], threads: readonly (readonly Action[])[], schedule: readonly number[], invariants: readonly Invariant[], counters?: Counters, detail = false, judged = false): GroupResult {
  try {
    return runGroup(sys, s, ref, threads, schedule, invariants, counters, detail, judged);
  } catch (e) {
    if (e instanceof GroupTooLarge) throw e; // the input's size, not the model's fault
    return { state: s, ref, obs: threads.map(() => []), schedule: [], interleaving: [], violation: violationOfError(e) };
  }
}

/**
 * An exception inside a step: a plug-in breaking its contract (under audit) is the violation
 * `plugin-contract`; anything else is the model's own defect, `model-error`.
 */
export function violationOfError(e: unknown): { invariant: string; message: string } {
  if (e instanceof PluginFault) return { invariant: 'plugin-contract', message: `${e.kind}: ${e.message}` };
  return { invariant: 'model-error', message: e instanceof Error ? e.message : String(e) };
}
