import type { Action } from '../../model/actions.ts';
import type { Config } from '../../model/config.ts';
import { fsConfigs } from '../../model/config.ts';
import type { Observation, State } from '../../model/state.ts';
import { variantByName } from '../../model/variants.ts';
import { advance, finished, groupInit, ready, type GroupState } from '../group.ts';
import { initOf, makeSystem, type System } from '../system.ts';
import { jsonTuple } from '../json-text.ts';
import { Interner } from '../intern.ts';
import type { TraceStep } from '../trace.ts';
import type { KernelCall } from './observations.ts';
import type { ScenarioFacts } from './explained.ts';
import { ENOSPC } from '../../model/kernel/errno.ts';

/**
 * Differential conformance: the model's observations of a scenario against a real kernel's.
 *
 * Each lab mount is paired with the model's file system mounted the same way: a DAX mount
 * (`dax=always`) with the model's XIP mount, a page-cache mount (`dax=never`) with its
 * page-cache mount. The model's device becomes a dcssblk segment: memory that is all there
 * from the start, as pmem is (no backing pages to run out of, as brd's are).
 */
export interface LabMount { readonly name: string; readonly fstype: string; readonly dax: boolean }

export const LAB_MOUNTS: readonly LabMount[] = [
  { name: 'ext4-dax', fstype: 'ext4', dax: true },
  { name: 'ext4-never', fstype: 'ext4', dax: false },
  { name: 'xfs-dax', fstype: 'xfs', dax: true },
  { name: 'xfs-never', fstype: 'xfs', dax: false },
];

/** The scenario's config as the lab runs it: one file system, mounted XIP (DAX) or not, on memory. */
export function labConfig(cfg: Config, dax: boolean): Config {
  const fs = fsConfigs(cfg)[0];
  const devices = cfg.devices.map((d) => (d.name === fs.device ? { ...d, driver: 'dcssblk' as const, startSect: 0 } : d));
  return { ...cfg, devices, fs: { ...fs, mount: { ...fs.mount, xip: dax } } } as Config;
}

/** What the model can answer to one step: each distinct set of observations, with a state it leaves. */
export interface Outcome {
  readonly obs: readonly (readonly Observation[])[];
  readonly state: State;
  /** A read fault allocated a block on the way (XIP's shared writable hole fault, from a load or from a write's copy out of a mapping). */
  readonly readFaultAllocated: boolean;
}

const MAX_GROUP_STATES = 200_000;
const XIP_FAULT_ALLOCATES = 'xip_file_fault:hole-shared-writable-allocate';
/** Calls whose faults on the user side are read faults: a load, and a write's copy from its buffer. */
const READS_USER_MEMORY = new Set(['load', 'write', 'pwrite', 'writev']);

// one interner for every search: the states of a scenario's steps, and its runs, share their parts
let shared = new Interner();
function interner(): Interner {
  if (shared.size > 1_000_000) shared = new Interner();
  return shared;
}

/**
 * Every outcome of one step from state `s0`: a sequential step has one; a concurrent group has
 * one per distinct pair of observations and final state over all its interleavings (depth-first, each group
 * state visited once). No invariant is checked: the lab asks what the model answers, not
 * whether the model holds (check and explore ask that).
 */
export function outcomes(sys: System, s0: State, threads: readonly (readonly Action[])[]): Outcome[] | 'too-many' {
  const found = new Map<number, Outcome>();
  const seen = new Set<number>();
  const ids = interner();
  const stack: { g: GroupState; ra: boolean }[] = [{ g: groupInit(sys, s0, threads), ra: false }];
  while (stack.length) {
    const { g, ra } = stack.pop()!;
    if (finished(g)) {
      // the same observations may leave different states: each is kept
      const key = ids.tuple(g.obs, g.s);
      if (!found.has(key) || (!ra && found.get(key)!.readFaultAllocated)) found.set(key, { obs: g.obs, state: g.s, readFaultAllocated: ra });
      continue;
    }
    for (const i of ready(sys, g)) {
      let allocated = false;
      const op = threads[i][g.pcs[i]]?.op ?? '';
      const next = advance(sys, threads, g, i, { onBranch: (b) => { if (b === XIP_FAULT_ALLOCATES && READS_USER_MEMORY.has(op)) allocated = true; } }).g;
      const key = ids.tuple(next.s, next.pcs, next.tids, next.obs);
      if (seen.has(key)) continue;
      seen.add(key);
      if (seen.size > MAX_GROUP_STATES) return 'too-many';
      stack.push({ g: next, ra: ra || allocated });
    }
  }
  return [...found.values()];
}

export const callKey = (step: number, th: number, k: number) => `${step}.${th}.${k}`;

/** Free blocks of the model's file system at start: the guest's ballast leaves as many free. */
export function modelFree(sys: System): number {
  const o = outcomes(sys, initOf(sys), [[{ op: 'statfs', pid: 0 } as Action]]);
  return o === 'too-many' ? 0 : o[0]?.obs[0]?.[0]?.statfs?.bfree ?? 0;
}

export function labSystem(name: string, cfg: Config, dax: boolean, variant: string): System {
  const v = variantByName(variant);
  if (!v) throw new Error(`lab: unknown variant ${variant}`);
  return makeSystem(name, labConfig(cfg, dax), v);
}

export interface ScenarioDiff {
  readonly differences: readonly Difference[];
  readonly facts: ScenarioFacts;
  /** Concurrent steps: how many outcomes (observations and state) the model allowed, over its candidate states, per step index. */
  readonly choices: ReadonlyMap<number, number>;
}

/** How many model states consistent with the kernel's observations the walk keeps at most. */
const MAX_CANDIDATES = 64;

/**
 * Walks the scenario on the model beside the kernel's observations. A concurrent step's kernel
 * observations must be one of the model's outcomes for it. Interleavings that return the same
 * observations may leave different states (two writes to one byte in either order), so the walk
 * keeps every model state consistent with what the kernel returned so far — as the reference
 * keeps its candidate states — and a later step decides between them. When no candidate
 * matches a step, the step's differences are those of the closest outcome, and the walk goes on
 * from the outcomes that close.
 */
export function diffScenario(sys: System, scenario: string, steps: readonly TraceStep[], mount: LabMount, kernel: readonly KernelCall[], memo?: Map<string, Outcome[] | 'too-many'>): ScenarioDiff {
  const byKey = new Map(kernel.map((c) => [callKey(c.step, c.th, c.k), c]));
  const differences: Difference[] = [];
  const choices = new Map<number, number>();
  let fills = false, shortWrite = false, storeRefused = false, failedWrite = false, posShifted = false, remountRefused = false;
  let readFaultAllocated = false;
  // whether the kernel's file system is a DAX mount at this step: the run's mount, until a
  // scenario's own mount succeeds (xip: dax=always, else no dax option: dax=inode, no inode
  // flagged). A remount never changes it: ext4 refuses with -EINVAL, xfs ignores the option
  // (ext4_check_opt_consistency, xfs_fs_reconfigure, 6.1)
  let kernelDax = mount.dax;
  const done = () => ({ differences, choices, facts: { fills, readFaultAllocated, shortWrite, failedWrite, posShifted } });
  let candidates: { s: State; ra: boolean }[] = [{ s: initOf(sys), ra: false }];
  for (let i = 0; i < steps.length; i++) {
    const threads = steps[i].threads;
    const calls = threads.flatMap((p, th) => p.map((a, k) => ({ a, th, k })));
    let best: { o: Outcome; ra: boolean; d: Difference[] }[] = [];
    let outcomeCount = 0;
    for (const c of candidates) {
      // the model's side of a step depends on its state alone: the runs of a repeated scenario share it
      const key = memo ? jsonTuple(c.s, threads) : '';
      const outs = memo?.get(key) ?? outcomes(sys, c.s, threads);
      if (memo && !memo.has(key)) memo.set(key, outs);
      if (outs === 'too-many') {
        differences.push({ scenario, mount: mount.name, step: i, th: 0, k: 0, op: threads[0][0].op, field: 'missing', kernel: 'ran', model: `more than ${MAX_GROUP_STATES} interleaving states` });
        return done();
      }
      outcomeCount += outs.length;
      for (const o of outs) {
        const d = calls.flatMap(({ a, th, k }) => {
          const kc = byKey.get(callKey(i, th, k));
          return kc ? compareCall(scenario, mount, kc, o.obs[th]?.[k], a) : [{ scenario, mount: mount.name, step: i, th, k, op: a.op, field: 'missing' as const, kernel: 'no observation', model: 'ran' }];
        });
        if (!best.length || d.length < best[0].d.length) best = [{ o, ra: c.ra || o.readFaultAllocated, d }];
        else if (d.length === best[0].d.length) best.push({ o, ra: c.ra || o.readFaultAllocated, d });
      }
    }
    if (threads.length > 1) choices.set(i, outcomeCount);
    if (!best.length) {
      differences.push({ scenario, mount: mount.name, step: i, th: 0, k: 0, op: threads[0][0].op, field: 'missing', kernel: 'ran', model: 'no outcome (deadlock)' });
      return done();
    }
    // a fact holds from the step where it happened on: earlier differences are not its
    const ra = best.every((b) => b.ra);
    differences.push(...best[0].d.map((d) => ({ ...d, group: threads.length > 1, kernelDax, after: { readFaultAllocated: ra, shortWrite, storeRefused, failedWrite, posShifted, remountRefused } })));
    for (const { a, th, k } of calls) if (a.op === 'mount' && byKey.get(callKey(i, th, k))?.ret === 0) kernelDax = a.xip;
    // the kernel refused a store the model let through (SIGBUS against none): its bytes are
    // missing from the file from here on, and its block was never allocated
    if (best[0].d.some((d) => d.op === 'store' && d.field === 'signal' && d.kernel === 'SIGBUS' && d.model === 'none')) storeRefused = true;
    if (best[0].d.some((d) => d.field === 'ret' && ['read', 'readv', 'write', 'writev'].includes(d.op))) posShifted = true;
    // a remount the kernel refused and the model made: the mount kept its old flags (rw) on the kernel
    if (best[0].d.some((d) => d.op === 'remount' && d.field === 'ret' && d.kernel === '-22' && d.model === '0')) remountRefused = true;
    if (best.every((b) => calls.some(({ a, th, k }) => ['write', 'pwrite', 'writev'].includes(a.op) && b.o.obs[th]?.[k]?.status === -14 && (b.o.obs[th]?.[k]?.ret ?? 0) > 0))) shortWrite = true;
    if (best.every((b) => calls.some(({ a, th, k }) => ['write', 'pwrite', 'writev'].includes(a.op) && b.o.obs[th]?.[k]?.ret === -14))) failedWrite = true;
    if (best.some((b) => b.o.obs.some((p) => p.some((o) => o.ret === -ENOSPC || o.status === -ENOSPC || o.allocFail !== undefined)))) fills = true;
    const seen = new Set<string>();
    candidates = [];
    for (const b of best) {
      const key = JSON.stringify(b.o.state);
      if (seen.has(key) || candidates.length >= MAX_CANDIDATES) continue;
      seen.add(key);
      candidates.push({ s: b.o.state, ra: b.ra });
    }
    readFaultAllocated = candidates.every((c) => c.ra);
  }
  return done();
}

export interface Difference {
  readonly scenario: string;
  readonly mount: string;
  readonly step: number;
  readonly th: number;
  readonly k: number;
  readonly op: string;
  readonly field: 'ret' | 'data' | 'signal' | 'size' | 'blocks' | 'bfree' | 'ro' | 'dax' | 'missing' | 'partial';
  readonly kernel: string;
  readonly model: string;
  /** The call's return values on both sides (explanations look at them). */
  readonly kernelRet?: number;
  readonly modelRet?: number;
  /** The call as the scenario makes it. */
  readonly action?: Action;
  /** The model's fault could not allocate a block for this user page (Observation.allocFail). */
  readonly modelAllocFail?: number;
  /** The call ran in a concurrent group (threads started together). */
  readonly group?: boolean;
  /** The kernel's file system was a DAX mount when the call ran (a scenario's mount can change the run's mode). */
  readonly kernelDax?: boolean;
  /** What had happened in the model before this step. */
  readonly after?: { readonly readFaultAllocated: boolean; readonly shortWrite?: boolean; readonly storeRefused?: boolean; readonly failedWrite?: boolean; readonly posShifted?: boolean; readonly remountRefused?: boolean };
}

const show = (v: unknown) => (v === undefined ? '—' : Array.isArray(v) ? `[${v.join(' ')}]` : String(v));

/**
 * Every field the model and the kernel both report, compared: return value, bytes, signal,
 * st_size, st_blocks (file-system blocks), f_bfree, and whether the inode is DAX (XIP). Not
 * compared: f_blocks (the real file system's size is not the model's), inode numbers.
 */
export function compareCall(scenario: string, mount: LabMount, kc: KernelCall, mo: Observation | undefined, action?: Action): Difference[] {
  const at = { scenario, mount: mount.name, step: kc.step, th: kc.th, k: kc.k, op: kc.op, kernelRet: kc.ret, modelRet: mo?.ret, action, modelAllocFail: mo?.allocFail };
  if (!mo) return [{ ...at, field: 'missing', kernel: 'ran', model: 'no such call' }];
  const out: Difference[] = [];
  const d = (field: Difference['field'], kernel: unknown, model: unknown) => { if (show(kernel) !== show(model)) out.push({ ...at, field, kernel: show(kernel), model: show(model) }); };
  if (kc.partial !== undefined) out.push({ ...at, field: 'partial', kernel: `${kc.partial} bytes`, model: 'whole model bytes only' });
  d('ret', kc.ret, mo.ret);
  if (kc.data !== undefined || (mo.data !== undefined && mo.data.length > 0)) d('data', kc.data ?? [], mo.data ?? []);
  if (kc.signal !== undefined) d('signal', kc.signal ?? 'none', mo.signal ?? 'none');
  if (kc.stat) {
    d('size', kc.stat.size, mo.stat?.size);
    d('blocks', kc.stat.blocks, mo.stat?.blocks);
    d('dax', kc.dax, mo.stat?.xip);
  }
  if (kc.statfs) {
    d('bfree', kc.statfs.bfree, mo.statfs?.bfree);
    // ST_RDONLY: what a remount made of the mount (f_blocks is the lab's larger device: not compared)
    d('ro', kc.statfs.ro, mo.statfs?.ro);
  }
  return out;
}
