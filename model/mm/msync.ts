import { EINVAL, ENOMEM } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import type { Observation } from '../state.ts';
import { aopsByName, aopsOf } from '../fs/aops.ts';
import { fopsByName } from '../fs/file_operations.ts';
import { mmap_sem } from './locks.ts';

const CITE = 'mm/msync.c sys_msync, fs/sync.c vfs_fsync_range, fs/ext2/file.c ext2_fsync → generic_file_fsync (3.19)';
export const B_MSYNC = branches('sys_msync', CITE, ['einval-unaligned', 'empty', 'enomem-unmapped', 'skip', 'fsync-range-xip', 'fsync-range-writeback'] as const);

/**
 * msync(addr, len, MS_SYNC | MS_ASYNC). sys_msync walks the vmas of the range under mmap_sem:
 * a hole in the range is remembered as -ENOMEM and returned at the end; for MS_SYNC on a shared
 * file mapping it drops mmap_sem and calls vfs_fsync_range on the file pages the vma covers,
 * returning at once on its error. MS_ASYNC does nothing (dirty pages are tracked). On an XIP
 * file there is nothing to write (stores went to the medium); on the page cache the dirty
 * pages of the range are written back, allocating blocks (ENOSPC).
 */
export function* sys_msync(ctx: Ctx, pid: number, a: { addr: number; pages: number; sync: boolean }): Proc<Observation> {
  // the argument checks take a step of their own: every call is at least one atomic step
  const bad = yield* read('sys_msync: args', () => (a.addr % ctx.pageSize ? 'einval-unaligned' : a.pages === 0 ? 'empty' : null));
  if (bad) { yield* cover(B_MSYNC, bad); return { ret: bad === 'empty' ? 0 : -EINVAL }; }
  let start = a.addr / ctx.pageSize;
  const end = start + a.pages;
  let unmapped = 0;
  yield* lock(mmap_sem(pid), 'shared');
  for (;;) {
    const v = yield* read('find_vma', (s) => s.procs[pid].vmas.find((x) => x.start + x.pages > start) ?? null);
    if (!v) { yield* unlock(mmap_sem(pid)); yield* cover(B_MSYNC, 'enomem-unmapped'); return { ret: -ENOMEM }; }
    if (start < v.start) {
      start = v.start;
      if (start >= end) { yield* unlock(mmap_sem(pid)); yield* cover(B_MSYNC, 'enomem-unmapped'); return { ret: -ENOMEM }; }
      unmapped = -ENOMEM;
    }
    const first = v.pgoff + (start - v.start), last = v.pgoff + (Math.min(end, v.start + v.pages) - 1 - v.start);
    start = v.start + v.pages;
    if (a.sync && v.ino !== null && v.shared) {
      yield* unlock(mmap_sem(pid));
      const err = yield* fsync_range(ctx, v.ino, first, last);
      if (err || start >= end) return { ret: err || unmapped };
      yield* lock(mmap_sem(pid), 'shared');
    } else {
      yield* cover(B_MSYNC, 'skip');
      if (start >= end) { yield* unlock(mmap_sem(pid)); return { ret: unmapped }; }
    }
  }
}

/** vfs_fsync_range → file->f_op->fsync (ext2_fsync → generic_file_fsync): write back the dirty pages in [first, last]. */
function* fsync_range(ctx: Ctx, ino: number, first: number, last: number): Proc<number> {
  const fi = yield* read('filemap_write_and_wait_range', (s) => ({
    fops: s.inodes[ino]!.fops, aops: aopsOf(s, ino).name,
    dirty: s.inodes[ino]!.pageCache.flatMap((p, i) => (p?.dirty && i >= first && i <= last ? [i] : [])),
  }));
  // nothing to write back when the mapping's a_ops has no ->writepage (XIP: stores went to the medium)
  yield* cover(B_MSYNC, aopsByName(fi.aops).writepage ? 'fsync-range-writeback' : 'fsync-range-xip');
  return yield* fopsByName(fi.fops).fsync(ctx, ino, { aops: fi.aops, dirty: fi.dirty });
}
