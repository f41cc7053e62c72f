import { branches } from '../kernel/coverage.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, lock, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import type { State } from '../state.ts';
import { pagesFor, updateInode } from '../state.ts';
import { linear_page_index, vmasOf, zapPte } from './vma.ts';
import { XIP_SPARSE_MUTEX, i_mmap } from './locks.ts';

const CITE = 'mm/truncate.c truncate_setsize/truncate_pagecache, mm/memory.c unmap_mapping_range (3.x)';
export const B_TRUNC = branches('truncate_setsize', CITE, ['zapped-ptes', 'dropped-pagecache'] as const);

/**
 * unmap_mapping_range(mapping, holebegin rounded UP to a page, 0 = to EOF, even_cows = 1):
 * every pte of every vma (shared and private, COW copies included) at a file page at or beyond
 * `firstPage`. The page holding the new EOF stays mapped.
 */
export function unmap_mapping_range(s: State, ino: number, firstPage: number): readonly [State, number] {
  let next = s, n = 0;
  for (const { pid, vma } of vmasOf(s, ino)) {
    for (let vp = vma.start; vp < vma.start + vma.pages; vp++) {
      if (linear_page_index(vma, vp) >= firstPage && next.procs[pid].ptes[vp]) {
        next = zapPte(next, pid, vp);
        n++;
      }
    }
  }
  return [next, n];
}

/**
 * truncate_setsize(inode, newsize): i_size_write, then truncate_pagecache — unmap the user
 * ptes beyond the new EOF (under the i_mmap lock, held for write) and drop page-cache pages.
 */
export function* truncate_setsize(ctx: Ctx, ino: number, newsize: number): Proc<void> {
  yield* atomic('i_size_write', (s) => [updateInode(s, ino, (i) => ({ ...i, size: newsize })), null] as const);
  const first = pagesFor(newsize, ctx.pageSize);
  if (!has(ctx.variant, 'truncate-no-unmap')) {
    yield* lock(i_mmap(ino), 'excl');
    // a deliberately wrong lock order, for the deadlock detector's test: the sparse fault takes
    // xip_sparse_mutex, then the i_mmap lock
    const invert = has(ctx.variant, 'lock-order-inversion');
    if (invert) yield* lock(XIP_SPARSE_MUTEX);
    const n = yield* atomic('unmap_mapping_range', (s) => unmap_mapping_range(s, ino, first));
    if (invert) yield* unlock(XIP_SPARSE_MUTEX);
    if (n) yield* cover(B_TRUNC, 'zapped-ptes');
    yield* unlock(i_mmap(ino));
  }
  // truncate_inode_pages: each page under its page lock; a page a racing fault mapped after
  // the unmap above is unmapped again (truncate_inode_page → unmap_mapping_range of the page).
  const dropped = yield* atomic('truncate_inode_pages', (s): readonly [State, boolean] => {
    const pc = s.inodes[ino]!.pageCache;
    if (pc.length <= first) return [s, false];
    let next = updateInode(s, ino, (i) => ({ ...i, pageCache: i.pageCache.slice(0, first) }));
    for (const p of next.procs) {
      p.ptes.forEach((pte, vp) => { if (pte?.kind === 'pagecache' && pte.ino === ino && pte.pgoff >= first) next = zapPte(next, p.pid, vp); });
    }
    return [next, pc.slice(first).some((p) => p)];
  });
  if (dropped) yield* cover(B_TRUNC, 'dropped-pagecache');
}
