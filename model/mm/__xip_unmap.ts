import { branches } from '../kernel/coverage.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import type { State } from '../state.ts';
import { setPte, vma_address, vmasOf } from './vma.ts';
import { XIP_SPARSE_MUTEX, i_mmap } from './locks.ts';

const CITE = 'mm/filemap_xip.c __xip_unmap (2.6.27–3.19)';
export const B_UNMAP = branches('__xip_unmap', CITE, ['no-sparse-page', 'unmapped-sparse-pte', 'seq-clean', 'retry-locked'] as const);

/**
 * Remove the sparse page from every pte that maps file page `pgoff`, in every process.
 * page_check_address matches only ptes that map the sparse page; COW copies are private data
 * and stay. With the 2.6.27 fix this is a lock-free xip_sparse_seq reader: if a sparse insert
 * overlapped the walk it redoes the walk holding xip_sparse_mutex.
 */
export function* __xip_unmap(ctx: Ctx, ino: number, pgoff: number): Proc<void> {
  const seqcount = !has(ctx.variant, 'no-sparse-mutex');
  const begin = yield* read('read_seqcount_begin(xip_sparse_seq)', (s) => ({ seq: s.sparseSeq, page: s.sparse.allocated }));
  if (!begin.page) {
    yield* cover(B_UNMAP, 'no-sparse-page');
    return;
  }
  let locked = false;
  for (;;) {
    yield* lock(i_mmap(ino), 'shared');
    const n = yield* atomic('__xip_unmap:walk i_mmap', (s) => unmapSparse(ctx, s, ino, pgoff));
    if (n > 0) yield* cover(B_UNMAP, 'unmapped-sparse-pte');
    yield* unlock(i_mmap(ino));
    if (locked) {
      yield* unlock(XIP_SPARSE_MUTEX);
      return;
    }
    if (!seqcount) return;
    const now = yield* read('read_seqcount_retry(xip_sparse_seq)', (s) => s.sparseSeq);
    if (now === begin.seq && begin.seq % 2 === 0) {
      yield* cover(B_UNMAP, 'seq-clean');
      return;
    }
    yield* cover(B_UNMAP, 'retry-locked');
    yield* lock(XIP_SPARSE_MUTEX);
    locked = true;
  }
}

function unmapSparse(ctx: Ctx, s: State, ino: number, pgoff: number): readonly [State, number] {
  let next = s;
  let n = 0;
  for (const { pid, vma } of vmasOf(s, ino)) {
    const vp = vma_address(vma, pgoff);
    if (vp === null) continue;
    if (next.procs[pid].ptes[vp]?.kind !== 'sparse') continue;
    // the 2.6.15 merge window: page_check_address(ZERO_PAGE(address)) with address not yet set: on MIPS,
    // whose zero pages differ by cache colour, another page than the one mapped (hist-zero-page-colour)
    if (has(ctx.variant, 'hist-zero-page-colour')) continue;
    // ptep_clear_flush + page_remove_rmap + page_cache_release
    next = setPte(next, pid, vp, null);
    if (!has(ctx.variant, 'sparse-ref-leak')) next = { ...next, sparse: { ...next.sparse, refs: next.sparse.refs - 1 } };
    n++;
  }
  return [next, n];
}
