import { branches } from '../kernel/coverage.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, lock, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import type { State } from '../state.ts';
import { pagesFor, updateInode } from '../state.ts';
import { linear_page_index, vmasOf, zapPte } from './vma.ts';
import { XIP_SPARSE_MUTEX, i_mmap } from './locks.ts';

const CITE = 'mm/truncate.c truncate_setsize/truncate_pagecache, mm/memory.c unmap_mapping_range (3.19)';
export const B_TRUNC = branches('truncate_setsize', CITE, ['zapped-ptes', 'dropped-pagecache', 'zapped-ptes-second-unmap'] as const, {
  'zapped-ptes-second-unmap': 'after i_size_write every fault of the reference design rechecks i_size before it maps (xip_file_fault under the i_mmap lock, filemap_fault under the page lock), so nothing appears between the two unmaps: reached only by the 3.19 variant (race 4)',
});

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
 * One call of unmap_mapping_range (3.19): i_mmap_lock_write, the walk of the i_mmap tree,
 * i_mmap_unlock_write — so a fault can run between two calls. Returns how many ptes it zapped.
 */
function* unmapCall(ctx: Ctx, ino: number, first: number): Proc<number> {
  yield* lock(i_mmap(ino), 'excl');
  // a deliberately wrong lock order, for the deadlock detector's test: the sparse fault takes
  // xip_sparse_mutex, then the i_mmap lock
  const invert = has(ctx.variant, 'lock-order-inversion');
  if (invert) yield* lock(XIP_SPARSE_MUTEX);
  const n = yield* atomic('unmap_mapping_range', (s) => unmap_mapping_range(s, ino, first));
  if (invert) yield* unlock(XIP_SPARSE_MUTEX);
  yield* unlock(i_mmap(ino));
  return n;
}

/**
 * truncate_setsize(inode, newsize) (mm/truncate.c, 3.19): i_size_write, then
 * truncate_pagecache, which is, in the kernel's order,
 *
 *     unmap_mapping_range(mapping, holebegin, 0, 1);
 *     truncate_inode_pages(mapping, newsize);
 *     unmap_mapping_range(mapping, holebegin, 0, 1);
 *
 * "unmap_mapping_range is called twice, first simply for efficiency so that
 * truncate_inode_pages does fewer single-page unmaps. However after this first call, and
 * before truncate_inode_pages finishes, it is possible for private pages to be COWed, which
 * remain after truncate_inode_pages finishes, hence the second unmap_mapping_range call must
 * be made for correctness." Each unmap takes and drops the i_mmap lock on its own. On an XIP
 * mapping truncate_inode_pages finds no pages (nrpages == 0) and returns at once; ext2_setsize
 * reaches this through truncate_setsize for XIP and page-cache inodes alike.
 * (pagecache_isize_extended, called when the size grows, returns at once when blocksize ==
 * PAGE_SIZE, which ext2 -o xip requires.)
 */
export function* truncate_setsize(ctx: Ctx, ino: number, newsize: number): Proc<void> {
  yield* atomic('i_size_write', (s) => [updateInode(s, ino, (i) => ({ ...i, size: newsize })), null] as const);
  const first = pagesFor(newsize, ctx.pageSize);
  const unmap = !has(ctx.variant, 'truncate-no-unmap');
  if (unmap && (yield* unmapCall(ctx, ino, first))) yield* cover(B_TRUNC, 'zapped-ptes');
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
  if (unmap && (yield* unmapCall(ctx, ino, first))) yield* cover(B_TRUNC, 'zapped-ptes-second-unmap');
}
