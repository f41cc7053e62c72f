import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps, type ExecutedStep } from '../../checker/sequence.ts';
import { newCounters } from '../../checker/execute.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../../model/variants.ts';
import { Action } from '../../model/actions.ts';
import type { State, Vma } from '../../model/state.ts';

/**
 * The mm layer told as stories, compared line for line with a recorded file
 * (`__stories__/mm.md` for the reference design, `__stories__/dax-6.1.md` for the XIP
 * scenarios on the successor design, where they run through fs/dax.c instead): for each
 * call of a scenario, what it returned, every atomic step it took (its label and the value it
 * handed back), what each step changed (checker/effects.ts: ptes, blocks, i_size, page-cache
 * pages and their dirty bits, the sparse page), the branches it took, and the vmas and file
 * references it left. Every step of every scenario is also judged by every invariant and by
 * the POSIX reference (runSteps), so a story is only recorded for runs the oracle accepts.
 *
 * Why a recorded corpus: the atomic steps a call is cut into are the model's claim about where
 * the kernel can be preempted (what `explore` interleaves), and their labels and branches are
 * what a counterexample and `check`'s coverage show a reader. Mutation testing
 * (docs/mutation.md) found that no test pinned them, nor the boundary conditions of munmap,
 * mprotect and msync that random runs reach but whose every outcome the reference accepts
 * (which page-cache pages msync writes back, where mprotect splits a vma, which vma munmap
 * keeps). Each scenario below is aimed at some of them; the recorded file was read against
 * mm/mmap.c, mm/mprotect.c, mm/msync.c, mm/memory.c, mm/filemap.c and mm/filemap_xip.c of
 * 3.19 (and fs/dax.c of 6.1) when it was written. After a deliberate change of the model,
 * `npx vitest run test/mutation/mm-stories.test.ts test/mutation/dax-stories.test.ts -u`
 * rewrites them; review the diff as you would the code's.
 */

const file = (holes: number[] = []) => ({ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], holes });
const xip = (o: { ro?: boolean; holes?: number[] } = {}) => ({
  pageSize: 4, vpages: 8, heapPages: 2, processes: 2,
  devices: [{ name: 'd', driver: 'dcssblk', pages: 10 }],
  fs: { device: 'd', mount: { xip: true, ro: o.ro ?? false }, files: [file(o.holes), { name: 'g', data: [] }], maxFilePages: 4 },
});
const pagecache = (holes: number[] = []) => ({
  pageSize: 4, vpages: 8, heapPages: 2, processes: 2,
  devices: [{ name: 'd', driver: 'brd', pages: 10 }],
  fs: { device: 'd', mount: { xip: false }, files: [file(holes), { name: 'g', data: [] }], maxFilePages: 4 },
});

type A = Record<string, unknown>;
// through the trace schema, defaults and all, as a trace file's calls are
const P = (pid: number, a: A): Action => Action.parse({ pid, ...a });
const open = (name: string, write: boolean, pid = 0): Action => P(pid, { op: 'open', name, flags: { read: true, write } });
const mmap = (fd: number, pages: number, o: { shared?: boolean; write?: boolean; pgoff?: number; pid?: number } = {}): Action =>
  P(o.pid ?? 0, { op: 'mmap', fd, pages, pgoff: o.pgoff ?? 0, shared: o.shared ?? true, read: true, write: o.write ?? true });

/**
 * The title of a story test: its words, then a digest of the scenarios (this file) and of the
 * recorded file. Stryker's incremental mode knows a test by its file, position and title, and
 * re-tests a surviving mutant only when a test it has never seen reaches it: a new scenario
 * here changes neither the test file nor its title, so without the digest the survivors of an
 * earlier run would be reused untested (docs/mutation.md, "Incremental").
 */
export function storyTitle(words: string, recorded: string): string {
  const h = createHash('sha256');
  for (const f of [new URL('./stories.ts', import.meta.url), new URL(recorded, import.meta.url)]) if (existsSync(f)) h.update(readFileSync(f));
  return `${words} [stories ${h.digest('hex').slice(0, 12)}]`;
}

/** A schedule: `n` steps of thread `t`, then the next run, …; past its end the first ready thread moves. */
const runs = (...r: [t: number, n: number][]): number[] => r.flatMap(([t, n]) => Array<number>(n).fill(t));

export interface Scenario {
  readonly name: string;
  readonly config: object;
  readonly steps: readonly (Action | { par: Action[][]; schedule: number[] })[];
  /** a schedule counted in 3.19's atomic steps: the same indices on fs/dax.c would tell another, arbitrary interleaving */
  readonly raceOf319?: true;
  /**
   * The branches the scenario is there for. A pinned schedule counts atomic steps, so a change
   * of how a call is cut would make it tell another interleaving, which `-u` would record
   * without a word: the story fails instead when one of these is not taken.
   */
  readonly takes?: readonly string[];
}

/** Whether a scenario runs on an XIP mount (the ones a DAX design runs as well). */
export const onXip = (sc: Scenario): boolean => (sc.config as { fs: { mount: { xip: boolean } } }).fs.mount.xip && !sc.raceOf319;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'munmap: the range checks, a split in the middle, the edges, the heap kept',
    config: xip(),
    steps: [
      open('f', true), mmap(0, 3),
      P(0, { op: 'load', addr: 8, len: 12 }),
      P(0, { op: 'munmap', addr: 12, pages: 1 }), // the middle page: munmap-split, two pieces, pgoff 0 and 2
      P(0, { op: 'munmap', addr: 2, pages: 1 }), // unaligned
      P(0, { op: 'munmap', addr: 28, pages: 2 }), // past the address space: vstart + pages > vpages
      P(0, { op: 'munmap', addr: 24, pages: 2 }), // ends exactly at the top: valid, nothing mapped there
      P(0, { op: 'munmap', addr: 0, pages: 3 }), // the heap and the first piece: the heap vma stays
      P(0, { op: 'munmap', addr: 16, pages: 1 }), // the last piece: the file's reference dropped
      P(0, { op: 'load', addr: 16, len: 1 }),
    ],
  },
  {
    name: 'mmap: no length, no room, a file not open for writing',
    config: xip(),
    steps: [
      open('f', false), open('g', true),
      mmap(0, 0), mmap(0, 7), mmap(0, 1, { shared: true, write: true }),
      mmap(0, 6, { shared: false, write: true, pgoff: 1 }), mmap(1, 1), mmap(5, 1),
    ],
  },
  {
    name: 'mprotect: split at both edges, write revoked on the range only, granted again, the errors',
    config: xip(),
    steps: [
      open('f', true), mmap(0, 3),
      P(0, { op: 'store', addr: 8, bytes: [21, 22, 23, 24, 25, 26, 27, 28, 29] }),
      P(0, { op: 'mprotect', addr: 12, pages: 1, write: false }),
      P(0, { op: 'store', addr: 12, bytes: [7] }),
      P(0, { op: 'mprotect', addr: 12, pages: 1, write: true }),
      P(0, { op: 'store', addr: 13, bytes: [8] }),
      P(0, { op: 'mprotect', addr: 8, pages: 1, write: true }), // granting write leaves a writable pte as it is
      P(0, { op: 'mprotect', addr: 13, pages: 1, write: false }),
      P(0, { op: 'mprotect', addr: 12, pages: 0, write: false }),
      P(0, { op: 'mprotect', addr: 28, pages: 1, write: false }),
      P(0, { op: 'mprotect', addr: 16, pages: 2, write: false }), // the last page, then the gap: -ENOMEM after changing it
      P(0, { op: 'store', addr: 16, bytes: [9] }),
      open('g', false), mmap(1, 1, { write: false }),
      P(0, { op: 'mprotect', addr: 20, pages: 1, write: true }), // shared, file read-only: no VM_MAYWRITE
    ],
  },
  {
    name: 'msync on the page cache: only the dirty pages of the range, from the vma\'s pgoff; gaps; MS_ASYNC; private',
    config: pagecache(),
    steps: [
      open('f', true), mmap(0, 2, { pgoff: 1 }), mmap(0, 1), // f's pages 1-2 at pages 2-3, page 0 at page 4
      P(0, { op: 'store', addr: 8, bytes: [31] }), P(0, { op: 'store', addr: 12, bytes: [32] }), P(0, { op: 'store', addr: 16, bytes: [33] }),
      P(0, { op: 'msync', addr: 8, pages: 1, sync: true }), // file page 1 only
      P(0, { op: 'msync', addr: 12, pages: 2, sync: false }), // MS_ASYNC: nothing written
      P(0, { op: 'msync', addr: 3, pages: 1 }), P(0, { op: 'msync', addr: 8, pages: 0 }),
      P(0, { op: 'munmap', addr: 12, pages: 1 }), // a gap at page 3
      P(0, { op: 'msync', addr: 8, pages: 3, sync: true }), // page 2, the gap, page 4: both synced, -ENOMEM
      P(0, { op: 'msync', addr: 12, pages: 1, sync: true }), // only the gap
      P(0, { op: 'msync', addr: 20, pages: 2, sync: true }), // nothing mapped from here
      P(0, { op: 'msync', addr: 0, pages: 1, sync: true }), // the heap: anonymous, skipped
      mmap(0, 1, { shared: false, pgoff: 2 }),
      P(0, { op: 'store', addr: 12, bytes: [34] }),
      P(0, { op: 'msync', addr: 12, pages: 1, sync: true }), // private: skipped
      P(0, { op: 'msync', addr: 16, pages: 1, sync: true }),
    ],
  },
  {
    name: 'from inside a vma and from a gap: msync of a middle page, mprotect starting in a gap, PROT_NONE',
    config: pagecache(),
    steps: [
      open('f', true), mmap(0, 3), // f's pages 0-2 at pages 2-4
      P(0, { op: 'store', addr: 8, bytes: [51] }), P(0, { op: 'store', addr: 12, bytes: [52] }), P(0, { op: 'store', addr: 16, bytes: [53] }),
      P(0, { op: 'msync', addr: 12, pages: 1, sync: true }), // file page 1 only: fstart from vm_pgoff + (start - vm_start)
      P(0, { op: 'munmap', addr: 12, pages: 1 }), // a gap at page 3
      P(0, { op: 'mprotect', addr: 12, pages: 2, write: false }), // starts in the gap: -ENOMEM, page 4 untouched
      P(0, { op: 'store', addr: 16, bytes: [54] }),
      P(0, { op: 'mprotect', addr: 8, pages: 1, read: false, write: false }), // PROT_NONE
      P(0, { op: 'load', addr: 8, len: 1 }),
      P(0, { op: 'mmap', fd: 0, pages: 1, pgoff: 1, shared: true, read: false, write: false }), // PROT_NONE from the start
      P(0, { op: 'load', addr: 12, len: 1 }),
    ],
  },
  {
    name: 'msync takes mmap_sem shared: two callers inside it at once',
    config: pagecache(),
    steps: [
      open('f', true), mmap(0, 1), P(0, { op: 'store', addr: 8, bytes: [41] }),
      { par: [[P(0, { op: 'msync', addr: 8, pages: 1 })], [P(0, { op: 'msync', addr: 8, pages: 1 })]], schedule: [0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1] },
    ],
  },
  {
    name: 'msync on XIP: nothing to write back',
    config: xip(),
    steps: [open('f', true), mmap(0, 2), P(0, { op: 'store', addr: 8, bytes: [51] }), P(0, { op: 'msync', addr: 8, pages: 2 })],
  },
  {
    name: 'XIP faults: private COW of a device page, a hole read through the sparse page and written privately, beyond i_size',
    config: xip({ holes: [1] }),
    steps: [
      open('f', true), mmap(0, 3, { shared: false }),
      P(0, { op: 'load', addr: 8, len: 1 }), P(0, { op: 'store', addr: 8, bytes: [61] }),
      P(0, { op: 'load', addr: 12, len: 1 }), P(0, { op: 'store', addr: 13, bytes: [62] }),
      P(0, { op: 'load', addr: 16, len: 4 }), // page 2 holds bytes 8-9 of 10: in i_size
      P(0, { op: 'load', addr: 20, len: 1 }), // no vma
      open('f', true, 1), mmap(0, 4, { shared: true, pid: 1 }),
      P(1, { op: 'load', addr: 20, len: 1 }), // page 3 of f: beyond i_size, SIGBUS
      P(1, { op: 'load', addr: 12, len: 1 }), // shared writable mapping of a hole: allocates
    ],
  },
  {
    name: 'XIP: a write over a hole another process maps through the sparse page unmaps it',
    config: xip({ holes: [1] }),
    steps: [
      open('f', false, 1), mmap(0, 2, { shared: false, write: false, pid: 1 }),
      P(1, { op: 'load', addr: 12, len: 1 }),
      open('f', true), P(0, { op: 'store', addr: 0, bytes: [71, 72] }),
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 2, pos: 5 }), // inside i_size: no extension
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 2, pos: 8 }), // ending at i_size: no extension either
      P(1, { op: 'load', addr: 12, len: 4 }),
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 2, pos: 11 }), // past i_size: extended
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 0, pos: 3 }),
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 2, pos: 15 }), // s_maxbytes (4 pages): cut to one byte
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: 16 }), // -EFBIG
    ],
  },
  {
    name: '__xip_unmap unmaps the sparse page only where a vma maps the written page (vma_address)',
    config: xip({ holes: [1, 2] }),
    steps: [
      open('f', false, 1), mmap(0, 1, { shared: false, write: false, pid: 1 }), mmap(0, 1, { shared: false, write: false, pgoff: 2, pid: 1 }),
      P(1, { op: 'load', addr: 8, len: 1 }), P(1, { op: 'load', addr: 12, len: 1 }), // page 0 at 2, the hole of page 2 at 3
      open('f', true), P(0, { op: 'store', addr: 0, bytes: [91] }),
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: 4 }), // page 1: in no vma of P1; the page after vma 2's end is another vma's hole
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: 8 }), // page 2: unmapped from vma 3
      P(1, { op: 'load', addr: 12, len: 1 }),
    ],
  },
  {
    name: 'XIP: a user buffer that faults, wholly or after its first page; a store over a hole mapped shared',
    config: xip({ holes: [1] }),
    steps: [
      open('f', true), P(0, { op: 'store', addr: 0, bytes: [1, 2, 3, 4, 5, 6, 7, 8] }),
      P(0, { op: 'pread', fd: 0, buf: 20, len: 2, pos: 0 }), // nothing mapped at the buffer: -EFAULT
      P(0, { op: 'pread', fd: 0, buf: 6, len: 6, pos: 0 }), // the heap's last 2 bytes, then nothing: 2
      P(0, { op: 'pwrite', fd: 0, buf: 20, len: 2, pos: 0 }),
      P(0, { op: 'pwrite', fd: 0, buf: 6, len: 6, pos: 0 }),
      mmap(0, 2), P(0, { op: 'load', addr: 12, len: 1 }), P(0, { op: 'store', addr: 12, bytes: [99] }),
      P(0, { op: 'pread', fd: 0, buf: 0, len: 8, pos: 0 }),
    ],
  },
  {
    name: 'XIP read: an empty file, across the end, a hole, at the end',
    config: xip({ holes: [1] }),
    steps: [
      open('f', true), open('g', true),
      P(0, { op: 'read', fd: 1, buf: 0, len: 4 }),
      P(0, { op: 'pread', fd: 0, buf: 0, len: 7, pos: 2 }),
      P(0, { op: 'pread', fd: 0, buf: 0, len: 8, pos: 6 }),
      P(0, { op: 'pread', fd: 0, buf: 0, len: 4, pos: 10 }),
      P(0, { op: 'pread', fd: 0, buf: 0, len: 3, pos: 9 }),
    ],
  },
  {
    name: 'XIP truncate: a partial page over a block and over a hole, with mappings',
    config: xip({ holes: [1] }),
    steps: [
      open('f', true), mmap(0, 3, { shared: false }), P(0, { op: 'load', addr: 8, len: 12 }),
      P(0, { op: 'ftruncate', fd: 0, len: 6 }), // inside the hole: xip_truncate_page finds none
      P(0, { op: 'ftruncate', fd: 0, len: 12 }),
      P(0, { op: 'ftruncate', fd: 0, len: 3 }), // inside page 0's block: zeroed from byte 3
      P(0, { op: 'load', addr: 8, len: 4 }),
      P(0, { op: 'load', addr: 12, len: 1 }),
    ],
  },
  {
    name: 'page cache: faults, COW, shared dirtying, beyond i_size, truncate with mapped pages',
    config: pagecache([1]),
    steps: [
      open('f', true), mmap(0, 3), mmap(0, 3, { shared: false }),
      P(0, { op: 'load', addr: 8, len: 4 }), P(0, { op: 'store', addr: 9, bytes: [81] }),
      P(0, { op: 'load', addr: 20, len: 1 }), P(0, { op: 'store', addr: 20, bytes: [82] }),
      P(0, { op: 'store', addr: 24, bytes: [83] }), // a private page not yet read: COW of a page read in
      P(0, { op: 'load', addr: 16, len: 4 }),
      P(0, { op: 'ftruncate', fd: 0, len: 5 }),
      P(0, { op: 'load', addr: 12, len: 1 }), // page 1 now beyond i_size: SIGBUS
      P(0, { op: 'ftruncate', fd: 0, len: 0 }),
      P(0, { op: 'pwrite', fd: 0, buf: 8, len: 0, pos: 0 }),
      P(0, { op: 'pwrite', fd: 0, buf: 8, len: 2, pos: 2 }), // the buffer is the truncated mapping: SIGBUS inside the copy, -EFAULT
      P(0, { op: 'store', addr: 0, bytes: [84, 85, 86] }),
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 3, pos: 2 }),
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 3, pos: 15 }), // s_maxbytes (4 pages): cut to one byte
      P(0, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: 16 }), // -EFBIG
      P(0, { op: 'pread', fd: 0, buf: 0, len: 8, pos: 0 }),
      P(0, { op: 'fsync', fd: 0 }),
    ],
  },
  // Races, each at the one interleaving that takes the branch (explore visits them all; here the
  // steps are pinned so that what each returned is on record).
  {
    name: 'race 4 as fixed in 4.0: truncate between get_xip_mem and the insert; the i_size recheck under i_mmap answers SIGBUS',
    raceOf319: true,
    takes: ['xip_file_fault:isize-recheck-sigbus'],
    config: xip(),
    steps: [
      open('f', true), mmap(0, 3, { shared: false, write: false }),
      { par: [[P(0, { op: 'load', addr: 16, len: 1 })], [P(0, { op: 'ftruncate', fd: 0, len: 4 })]], schedule: runs([0, 6], [1, 16]) },
    ],
  },
  {
    name: 'the same for the sparse page: truncate while the fault holds xip_sparse_mutex; vm_insert_page is not reached',
    raceOf319: true,
    takes: ['xip_file_fault:isize-recheck-sigbus'],
    config: xip({ holes: [1] }),
    steps: [
      open('f', true), mmap(0, 3, { shared: false, write: false }),
      { par: [[P(0, { op: 'load', addr: 12, len: 1 })], [P(0, { op: 'ftruncate', fd: 0, len: 4 })]], schedule: runs([0, 10], [1, 16]) },
    ],
  },
  {
    name: 'a hole filled while a read fault waits for xip_sparse_mutex: the recheck finds the block (goto again) and maps it',
    raceOf319: true,
    takes: ['xip_file_fault:sparse-recheck-found'],
    config: xip({ holes: [1] }),
    steps: [
      open('f', true), mmap(0, 3, { shared: false, write: false }), P(0, { op: 'store', addr: 0, bytes: [42] }),
      { par: [[P(0, { op: 'load', addr: 12, len: 1 })], [P(0, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: 4 })]], schedule: runs([0, 7], [1, 23]) },
    ],
  },
  {
    name: '__xip_unmap overlapping a sparse insert: read_seqcount_retry sees the writer, the walk is redone under xip_sparse_mutex',
    raceOf319: true,
    takes: ['__xip_unmap:retry-locked'],
    config: xip({ holes: [1, 2] }),
    steps: [
      open('f', true), mmap(0, 3, { shared: false, write: false }), P(0, { op: 'load', addr: 12, len: 1 }), P(0, { op: 'store', addr: 0, bytes: [42] }),
      { par: [[P(0, { op: 'load', addr: 16, len: 1 })], [P(0, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: 4 })]], schedule: runs([1, 14], [0, 9], [1, 4]) },
    ],
  },
  {
    name: 'page cache: truncate between readpage and the insert; filemap_fault\'s i_size recheck under the page lock answers SIGBUS',
    raceOf319: true,
    takes: ['filemap_fault:sigbus-truncated'],
    config: pagecache(),
    steps: [
      open('f', true), mmap(0, 3), mmap(0, 3, { shared: false }),
      { par: [[P(0, { op: 'load', addr: 12, len: 1 })], [P(0, { op: 'ftruncate', fd: 0, len: 4 })]], schedule: runs([0, 6], [1, 8]) },
    ],
  },
];

function vmaText(v: Vma): string {
  return `${v.start}+${v.pages} ${v.ino === null ? 'anon' : `ino ${v.ino} pg ${v.pgoff}`} ${v.read ? 'r' : '-'}${v.write ? 'w' : '-'}${v.mayWrite ? '' : ' !maywrite'} ${v.shared ? 'shared' : 'private'}`;
}
const vmasOf = (s: State) => s.procs.map((p, pid) => `P${pid} vmas: ${p.vmas.map(vmaText).join(', ') || 'none'}`);
const refsOf = (s: State) => s.inodes.flatMap((i, ino) => (i && ino > 0 ? [`ino ${ino} refs ${i.refs}`] : [])).join(', ');

function callText(a: Action): string {
  const { op, pid, ...rest } = a as A;
  return `P${pid} ${op} ${JSON.stringify(rest)}`;
}

export function story(sc: Scenario, variant = 'reference'): string {
  const counters = newCounters();
  let seen = new Map<string, number>();
  const out: string[] = [`## ${sc.name}`, ''];
  const steps = sc.steps.map((x) => ('par' in x ? { threads: x.par, schedule: x.schedule } : { threads: [[x]] }));
  const r = runSteps(makeSystem('story', sc.config as never, variantByName(variant)!), steps, INVARIANTS, counters, {
    detail: true,
    onStep: (pre: State, e: ExecutedStep, post: State) => {
      const n = out.length;
      out.push(`${e.threads.map((t) => t.map(callText).join('; ')).join(' ‖ ')}`);
      out.push(`  → ${e.obs.map((o) => o.map((x) => JSON.stringify(x)).join('; ')).join(' ‖ ')}`);
      for (const at of e.atoms ?? []) {
        out.push(`  ${e.threads.length > 1 ? `T${at.thread} ` : ''}${at.label}${at.value === null ? '' : ` = ${at.value}`}`);
        for (const f of at.effects) out.push(`      ${f.text}`);
      }
      const now = new Map(counters.branches);
      const took = [...now].filter(([b, k]) => k !== (seen.get(b) ?? 0)).map(([b]) => b).sort();
      seen = now;
      if (took.length) out.push(`  branches: ${took.join(', ')}`);
      const [va, vb] = [vmasOf(pre), vmasOf(post)];
      vb.forEach((l, i) => { if (l !== va[i]) out.push(`  ${l}`); });
      if (refsOf(pre) !== refsOf(post)) out.push(`  ${refsOf(post)}`);
      if (out.length === n) throw new Error('unreachable');
    },
  });
  expect(r.violation, `${sc.name}: ${JSON.stringify(r.violation)}`).toBeNull();
  for (const b of sc.takes ?? []) expect(counters.branches.get(b) ?? 0, `${sc.name}: the branch ${b} is not taken`).toBeGreaterThan(0);
  return out.join('\n');
}

