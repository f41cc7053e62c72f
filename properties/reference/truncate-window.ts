import type { Action } from '../../model/actions.ts';
import type { Observation } from '../../model/state.ts';
import { pagesFor } from '../../model/state.ts';

/**
 * The window a shrinking ftruncate opens between its two user-visible moments.
 *
 * ext2_setsize → truncate_setsize → truncate_pagecache (mm/truncate.c, 3.19) does
 *
 *     i_size_write(inode, newsize);
 *     unmap_mapping_range(mapping, holebegin, 0, 1);
 *     truncate_inode_pages(mapping, newsize);
 *     unmap_mapping_range(mapping, holebegin, 0, 1);
 *
 * under i_mutex, and only then __ext2_truncate_blocks frees the blocks. From i_size_write on,
 * every fault beyond the new EOF page is SIGBUS (xip_file_fault and filemap_fault read i_size
 * first), read() stops at the new size; but a pte installed before the unmap still maps the
 * old page until unmap_mapping_range removes it. So, between the two moments, a load or store
 * through a mapping at a page beyond the new EOF page either faults (SIGBUS) or reaches the
 * page as it was — even in a thread that has just seen the new size, and even after its own
 * earlier SIGBUS there (scenario bound-2x2x2#8 of `xipcheck explore --ops 2`). That is Linux's
 * semantics, not a model artefact: ftruncate is not one atomic event for mapped memory.
 *
 * The reference models it by splitting each successful ftruncate of a concurrent group into
 * two events of its thread's program — `size` (i_size_write, and xip_truncate_page's tail
 * zeroing before it) and `unmap` (the first unmap_mapping_range; in the reference design no
 * fault can map anything after i_size_write, so the second finds nothing) — and by letting a
 * mapped access between them, at a page of the window, take either outcome: the one the
 * concrete model observed, page by page. A window holds the file's bytes from the first page
 * past the new EOF, as they were before the truncate: what a surviving pte still reaches.
 * Stores through such a pte land there (a shared mapping: the doomed block) or in a private
 * COW copy, which the unmap (even_cows) then drops.
 *
 * Calls that take the inode's i_mutex (write paths, ftruncate, fsync) cannot run inside the
 * window: the truncate holds i_mutex from before i_size_write until after the blocks are
 * freed. An order that puts one there is refused (`insideWindow`).
 */
export interface TruncateWindow {
  readonly ino: number;
  /** First file page beyond the new EOF page (pagesFor(newsize)). */
  readonly firstPage: number;
  /** The bytes of pages firstPage.. before the truncate, as a surviving pte still reaches them. */
  readonly old: readonly (number | null)[];
}

export type TruncatePhase = 'size' | 'unmap';
/** An ftruncate as one of its two events; a call without `truncatePhase` is whole. */
export type PhasedAction = Action & { readonly truncatePhase?: TruncatePhase };

/**
 * The linearizer's view of a concurrent group: each successful ftruncate becomes its `size`
 * event followed, in the same thread, by its `unmap` event (observation: the call's own, not
 * compared). Groups of one thread are returned unchanged.
 */
export function splitTruncates(
  threads: readonly (readonly Action[])[], obs: readonly (readonly Observation[])[],
): { threads: PhasedAction[][]; obs: Observation[][] } {
  if (threads.length < 2) return { threads: threads.map((p) => p.slice()), obs: obs.map((o) => o.slice()) };
  const t2: PhasedAction[][] = [], o2: Observation[][] = [];
  threads.forEach((prog, t) => {
    const p: PhasedAction[] = [], o: Observation[] = [];
    prog.forEach((c, k) => {
      if (c.op === 'ftruncate' && obs[t][k].ret === 0) {
        p.push({ ...c, truncatePhase: 'size' }, { ...c, truncatePhase: 'unmap' });
        o.push(obs[t][k], obs[t][k]);
      } else { p.push(c); o.push(obs[t][k]); }
    });
    t2.push(p);
    o2.push(o);
  });
  return { threads: t2, obs: o2 };
}

/**
 * Open the window of an ftruncate's `size` event: the file's bytes beyond the new EOF page,
 * before the truncate. Null when the file does not shrink past a page (nothing to unmap).
 */
export function openWindow(ino: number, before: { size: number; data: readonly (number | null)[] }, newsize: number, PS: number): TruncateWindow | null {
  const firstPage = pagesFor(newsize, PS);
  if (firstPage >= pagesFor(before.size, PS)) return null;
  const old = before.data.slice(firstPage * PS, pagesFor(before.size, PS) * PS);
  return { ino, firstPage, old };
}

/** The window's offset of file page `pgoff` byte `off`, or null when the page is not in it. */
export function windowIndex(w: TruncateWindow | null | undefined, ino: number, pgoff: number, off: number, PS: number): number | null {
  if (!w || w.ino !== ino || pgoff < w.firstPage) return null;
  const i = (pgoff - w.firstPage) * PS + off;
  return i < w.old.length ? i : null;
}

/**
 * Inside the window, a mapped access at byte `k` of the call (k counted from the call's first
 * byte) reached the old page iff the concrete call got that far: a load's returned bytes, a
 * store's return value. Otherwise it faulted — SIGBUS, as after the unmap.
 */
export function reachedOldPage(call: Action, obs: Observation, k: number): boolean {
  if (call.op === 'load') return k < (obs.data?.length ?? 0);
  if (call.op === 'store') return k < obs.ret;
  return false; // copies inside read/write syscalls: judged as after the unmap (see limitations)
}

const I_MUTEX = new Set<Action['op']>(['write', 'pwrite', 'writev', 'aio_write', 'ftruncate', 'fsync', 'sendfile']);

/**
 * A call the linearizer placed inside an open window that the kernel cannot run there: one
 * that takes the same inode's i_mutex. Returns the refusal, or null.
 */
export function insideWindow(w: TruncateWindow | null | undefined, call: PhasedAction, inoOf: (fd: number) => number | null): string | null {
  if (!w || call.truncatePhase === 'unmap' || !I_MUTEX.has(call.op)) return null;
  const fd = call.op === 'sendfile' ? call.outFd : 'fd' in call ? call.fd : null;
  if (fd === null || inoOf(fd) !== w.ino) return null;
  return `${call.op} takes i_mutex, which the concurrent ftruncate holds from i_size_write to the unmap`;
}
