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
 * The raw open/close pair changes the opener counts those refusals read. Discards zero a page in
 * place, one no file owns and one the file does.
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
  // a discard of the device's last page (no file's: ext2 takes the lowest free block) and of
  // page 1, the file's first block: the reference zeroes what it held
  else out.push({ op: 'brd_blkflsbuf', pid, dev: 0 }, { op: 'brd_discard', pid, dev: 0, page: devPages(b) - 1 }, { op: 'brd_discard', pid, dev: 0, page: 1 });
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

/**
 * Program number `i` of a process: `ops` operations of its alphabet, the first one the most
 * significant digit (the order a nested loop over the alphabet would list them in). Computed
 * from the number, so no list of all programs is ever built.
 */
function programAt(alpha: readonly Action[], ops: number, i: number): Action[] {
  const out: Action[] = new Array(ops);
  for (let k = ops - 1; k >= 0; k--) { out[k] = alpha[i % alpha.length]; i = Math.floor(i / alpha.length); }
  return out;
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

/** One scenario of the family, excluded or not; `index` numbers the kept ones only, over all systems. */
export type FamilyScenario = ExploreSpec & { readonly unfixed: Unfixed | null; readonly system: FamilySystem; readonly excluded: boolean; readonly index: number };

/**
 * Every scenario within the bound, system by system, up to symmetry: thread-to-process
 * assignments are non-decreasing, and threads of one process get non-decreasing programs (as
 * their indices in the enumeration), so each multiset of threads is explored once. Lazy: at
 * the larger bounds the family has millions of scenarios, and a limit must stop the run before
 * they are listed. The excluded ones are yielded too (marked), so a caller can count them.
 */
export function* familyAll(b: Bound, include: readonly Unfixed[] = []): Generator<FamilyScenario> {
  let n = 0;
  for (const system of FAMILY_SYSTEMS) {
    const config = familyConfig(b, system);
    const setup = familySetup(b);
    const count = [0, 1].map((pid) => alphabet(b, pid, 0, system).length ** b.ops);
    const alphas = Array.from({ length: b.threads }, (_, t) => [0, 1].map((pid) => alphabet(b, pid, 5 + t, system)));
    const assign = function* (t: number, lastPid: number, lastProg: number, acc: { pid: number; prog: number }[]): Generator<{ pid: number; prog: number }[]> {
      if (t === b.threads) { yield acc; return; }
      for (let pid = lastPid; pid < 2; pid++) {
        const start = pid === lastPid ? lastProg : 0;
        for (let prog = start; prog < count[pid]; prog++) yield* assign(t + 1, pid, prog, [...acc, { pid, prog }]);
      }
    };
    for (const a of assign(0, 0, 0, [])) {
      const threads = a.map(({ pid, prog }, t) => programAt(alphas[t][pid], b.ops, prog));
      const unfixed = isUnfixed(threads);
      const excluded = !!unfixed && !include.includes(unfixed);
      const index = excluded ? -1 : n++;
      const name = `bound-${b.threads}x${b.ops}x${b.pages}-${system}${excluded ? '-excluded' : `#${index}`}`;
      yield { name, config, setup, threads, unfixed, system, excluded, index };
    }
  }
}

/** The scenarios explored (the excluded ones left out), in order. */
export function* family(b: Bound, include: readonly Unfixed[] = []): Generator<FamilyScenario> {
  for (const s of familyAll(b, include)) if (!s.excluded) yield s;
}

/**
 * What the family never does, whatever the bound — printed by every `explore` report beside the
 * races excluded by name, so "exhausted" is read as "exhausted within this family".
 */
export const FAMILY_LIMITS: readonly string[] = [
  'one file (page 0 data, the other pages holes) on an XIP mount of one dcssblk segment or one brd disk: no axonram, no page-cache mount, no partition',
  'threads run 1-byte loads and stores through the two mappings, 1-byte pread, and (P0 only) 1-byte pwrite, ftruncate to 0, 1, PAGE_SIZE+1 or the whole file, and the administrator\'s actions (umount, mount, remount, raw open/close, dcssblk remove/save/shared, brd BLKFLSBUF and discards)',
  'no open, close, mmap, munmap or unlink runs in a thread (set-up only)',
];
