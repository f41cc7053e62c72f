import type { Action } from '../../model/actions.ts';
import type { ConfigInput } from '../../model/config.ts';
import type { ExploreSpec } from './explore.ts';

/**
 * The bounded scenario family `xipcheck explore` exhausts: one file of `pages` pages (page 0
 * data, the others holes) on each of two systems — ext2 -o xip on a dcssblk segment, and on a
 * brd ramdisk, whose direct_access allocates backing pages on first touch. Process P0 maps the
 * file shared and writable, process P1 privately. Every thread runs `ops` operations drawn from
 * its process's alphabet — loads and stores through its mapping, pread/pwrite of one byte,
 * ftruncate, and (P0, the administrator) mount, remount, umount, raw opens of the device and
 * the driver's own management actions — and every assignment of threads to processes is
 * tried. This is the "argument choices" dimension of the bound: each choice is a separate
 * exhaustive exploration of all interleavings, ended by the final observer's reads.
 */
export interface Bound {
  readonly threads: number;
  readonly ops: number;
  readonly pages: number;
}

/** Three pages: two holes, so two faults can fill different holes of one file at once. */
export const DEFAULT_BOUND: Bound = { threads: 2, ops: 1, pages: 3 };

/** The systems of the family, by the driver under the file system. */
export const FAMILY_SYSTEMS = ['dcssblk', 'brd'] as const;
export type FamilySystem = (typeof FAMILY_SYSTEMS)[number];

/**
 * Races no XIP kernel fixed. They are left out of the reference run only by name, and the
 * report says so; `--include-unfixed` puts them back (docs/races.md).
 */
export const UNFIXED = {
  'read-vs-truncate': 'do_xip_mapping_read takes no lock (not i_mutex, not the i_mmap lock) and samples i_size once: a concurrent truncate can zero the tail (xip_truncate_page) or free the block after the read sampled i_size, so the read returns zeros — or a reused block\'s bytes — inside the old EOF',
  'sparse-window': 'after a fault or write allocates a hole\'s block (xip_sparse_mutex dropped) and before its __xip_unmap runs, another thread can find the block with get_xip_mem(create=0) and write data into it while a private mapping still maps the sparse page over that page (docs/findings.md section 8)',
  'truncate-aba': 'xip_file_fault\'s i_size recheck under the i_mmap lock (the 4.0 fix of race 4) compares sizes, not blocks: a truncate down, which frees the block the fault looked up, and anything that grows i_size again (a truncate up, a write past EOF), both between the lookup and the recheck, let it map the freed block (docs/races.md)',
} as const;
export type Unfixed = keyof typeof UNFIXED;

const PS = 4;
const HEAP = 1;

/**
 * Twice the blocks the file can ever hold: ext2_new_blocks takes the lowest free block, so the
 * device's last page is never a file's (the discard in the alphabet targets it).
 */
const devPages = (b: Bound) => b.pages * 2 + 2;

export function familyConfig(b: Bound, system: FamilySystem = 'dcssblk'): ConfigInput {
  const data = Array.from({ length: PS }, (_, i) => i + 1);
  const dev = system === 'brd' ? 'ram0' : 'dcssblk0';
  return {
    pageSize: PS,
    devices: [{ name: dev, driver: system, pages: devPages(b) }],
    fs: { device: dev, files: [{ name: 'f', data, holes: [] }], maxFilePages: b.pages + 1 },
    processes: 2,
    vpages: HEAP + b.pages + 1,
    heapPages: HEAP,
  };
}

export function familySetup(b: Bound): Action[] {
  return [
    { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
    { op: 'open', pid: 1, name: 'f', flags: { read: true, write: true } },
    { op: 'ftruncate', pid: 0, fd: 0, len: b.pages * PS },
    { op: 'mmap', pid: 0, fd: 0, pages: b.pages, pgoff: 0, shared: true, read: true, write: true },
    { op: 'mmap', pid: 1, fd: 0, pages: b.pages, pgoff: 0, shared: false, read: true, write: true },
    { op: 'store', pid: 0, addr: 0, bytes: [9] }, // the write buffer, in P0's heap
    { op: 'store', pid: 1, addr: 0, bytes: [9] },
  ];
}

/**
 * The administrator's actions on the mounted file system and its device (P0). With the file
 * open and mapped most of them are refused — umount and a second mount -EBUSY, remount ro
 * -EBUSY (sb_prepare_remount_readonly: writers), a remount dropping xip keeps it (ext2_remount),
 * dcssblk remove/shared -EBUSY (use_count), BLKFLSBUF -EBUSY (bd_openers) — and that is the
 * point: the refusals are what keeps the file's blocks valid under a racing fault or write.
 * The raw open/close pair changes the opener counts those refusals read. A discard zeroes the
 * device's last page, which no file owns: the reference does not model raw writes under a file.
 */
export function adminOps(b: Bound, system: FamilySystem, pid: number): Action[] {
  const out: Action[] = [
    { op: 'umount', pid },
    { op: 'mount', pid, dev: 0, xip: true, ro: false },
    { op: 'remount', pid, xip: true, ro: true },
    { op: 'remount', pid, xip: false, ro: false },
    { op: 'blkdev_open', pid, dev: 0, write: true },
    { op: 'blkdev_close', pid, dev: 0 },
  ];
  if (system === 'dcssblk') out.push({ op: 'dcssblk_remove', pid, dev: 0 }, { op: 'dcssblk_save', pid, dev: 0, on: true }, { op: 'dcssblk_shared', pid, dev: 0, shared: true });
  else out.push({ op: 'brd_blkflsbuf', pid, dev: 0 }, { op: 'brd_discard', pid, dev: 0, page: devPages(b) - 1 });
  return out;
}

/** The operations a thread of process `pid` may run. `tag` makes stored values tell threads apart. */
export function alphabet(b: Bound, pid: number, tag: number, system: FamilySystem = 'dcssblk'): Action[] {
  const base = HEAP * PS;
  const out: Action[] = [];
  for (let p = 0; p < b.pages; p++) {
    out.push({ op: 'load', pid, addr: base + p * PS + 1, len: 1 });
    out.push({ op: 'store', pid, addr: base + p * PS + 1, bytes: [tag] });
    out.push({ op: 'pread', pid, fd: 0, buf: 1, len: 1, pos: p * PS + 1 });
    if (pid === 0) out.push({ op: 'pwrite', pid, fd: 0, buf: 0, len: 1, pos: p * PS + 1 });
  }
  if (pid === 0) for (const len of [0, 1, PS + 1, b.pages * PS]) out.push({ op: 'ftruncate', pid, fd: 0, len });
  if (pid === 0) out.push(...adminOps(b, system, pid));
  return out;
}

function* programs(b: Bound, pid: number, tag: number, system: FamilySystem): Generator<Action[]> {
  const alpha = alphabet(b, pid, tag, system);
  const rec = function* (n: number, acc: Action[]): Generator<Action[]> {
    if (n === 0) { yield acc; return; }
    for (const a of alpha) yield* rec(n - 1, [...acc, a]);
  };
  yield* rec(b.ops, []);
}

/** The file page an operation touches, and how: P1's private loads hold the sparse page over a hole. */
function touch(a: Action): { page: number; how: 'sparse' | 'alloc' | 'write' } | null {
  const base = HEAP * PS;
  if (a.op === 'pwrite') return { page: Math.floor(a.pos / PS), how: 'write' };
  // P0's mapping is shared and writable: its faults on a hole allocate. P1's is private: a load
  // of a hole maps the sparse page, and so does a store, until do_wp_page copies it.
  if (a.op === 'store') return { page: Math.floor((a.addr - base) / PS), how: a.pid === 0 ? 'write' : 'sparse' };
  if (a.op === 'load') return { page: Math.floor((a.addr - base) / PS), how: a.pid === 0 ? 'alloc' : 'sparse' };
  return null;
}

/**
 * Which unfixed race a scenario can run into, by shape: a read in one thread and a truncate in
 * another; or, on a page that starts as a hole, a private load in one thread and two others
 * that allocate and write it through P0's shared mapping or pwrite.
 */
function isUnfixed(threads: readonly (readonly Action[])[]): Unfixed | null {
  const reads = threads.map((p) => p.some((a) => a.op === 'pread'));
  const truncs = threads.map((p) => p.some((a) => a.op === 'ftruncate'));
  if (reads.some((r, i) => r && truncs.some((t, j) => t && j !== i))) return 'read-vs-truncate';
  const faults = threads.map((p) => p.some((a) => a.op === 'load' || a.op === 'store'));
  const outside = (i: number, ops: string[]) => threads.reduce((n, p, j) => n + (j === i ? 0 : p.filter((a) => ops.includes(a.op)).length), 0);
  if (faults.some((f, i) => f && outside(i, ['ftruncate']) >= 1 && outside(i, ['ftruncate', 'pwrite']) >= 2)) return 'truncate-aba';
  const on = (i: number, page: number, how: string[]) => threads[i].some((a) => { const t = touch(a); return !!t && t.page === page && how.includes(t.how); });
  for (let page = 1; page < 8; page++) {
    for (let h = 0; h < threads.length; h++) {
      if (!on(h, page, ['sparse'])) continue;
      for (let i = 0; i < threads.length; i++) {
        for (let j = 0; j < threads.length; j++) {
          if (i !== j && i !== h && j !== h && on(i, page, ['alloc', 'write']) && on(j, page, ['write'])) return 'sparse-window';
        }
      }
    }
  }
  return null;
}

/**
 * Every scenario within the bound, up to symmetry: thread-to-process assignments are
 * non-decreasing, and threads of one process get non-decreasing programs (as their indices in
 * the enumeration), so each multiset of threads is explored once.
 */
export function* family(b: Bound, include: readonly Unfixed[] = []): Generator<ExploreSpec & { unfixed: Unfixed | null; system: FamilySystem }> {
  for (const system of FAMILY_SYSTEMS) yield* familyOf(b, system, include);
}

function* familyOf(b: Bound, system: FamilySystem, include: readonly Unfixed[]): Generator<ExploreSpec & { unfixed: Unfixed | null; system: FamilySystem }> {
  const config = familyConfig(b, system);
  const setup = familySetup(b);
  const progs = [0, 1].map((pid) => [...programs(b, pid, 0, system)].map((_, i) => i));
  const assign = function* (t: number, lastPid: number, lastProg: number, acc: { pid: number; prog: number }[]): Generator<{ pid: number; prog: number }[]> {
    if (t === b.threads) { yield acc; return; }
    for (let pid = lastPid; pid < 2; pid++) {
      const start = pid === lastPid ? lastProg : 0;
      for (let prog = start; prog < progs[pid].length; prog++) yield* assign(t + 1, pid, prog, [...acc, { pid, prog }]);
    }
  };
  let n = 0;
  for (const a of assign(0, 0, 0, [])) {
    const threads = a.map(({ pid, prog }, t) => [...programs(b, pid, 5 + t, system)][prog]);
    const unfixed = isUnfixed(threads);
    if (unfixed && !include.includes(unfixed)) continue;
    const name = `bound-${b.threads}x${b.ops}x${b.pages}-${system}#${n++}`;
    yield { name, config, setup, threads, unfixed, system };
  }
}
