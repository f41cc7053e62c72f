import { EFAULT, ENODATA, ENOSPC } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import { readPfn, writePfn, zeros } from '../kernel/physmem.ts';
import type { State } from '../state.ts';
import { padTo, setAt, updateInode } from '../state.ts';
import { aopsByName, aopsOf } from '../fs/aops.ts';
import type { XipMem } from '../fs/address_space_operations.ts';
import { __xip_unmap } from './__xip_unmap.ts';
import { XIP_SPARSE_MUTEX, i_mutex } from './locks.ts';
import { generic_write_checks } from '../vfs/generic_write_checks.ts';
import { copy_from_user, copy_to_user, type Buf } from './user_copy.ts';

const CITE = 'mm/filemap_xip.c (2.6.27–3.19)';
export const B_XREAD = branches('do_xip_mapping_read', CITE, ['empty-file', 'eof-stop-past-last-page', 'eof-stop-in-last-page', 'hole-zero', 'data-copy', 'lookup-error', 'efault-discard-chunk'] as const, {
  'lookup-error': 'get_xip_mem(create=0) fails only if direct_access fails on an owned block: see ext2_get_xip_mem:direct-access-failed',
});
export const B_XWRITE = branches('__xip_file_write', CITE, ['efbig', 'zero-count', 'mapped', 'hole-allocate', 'alloc-error', 'efault-partial', 'isize-extended'] as const);
export const B_XTRUNC = branches('xip_truncate_page', CITE, ['block-boundary', 'hole', 'zero-tail', 'error'] as const, {
  error: 'see ext2_get_xip_mem:direct-access-failed',
});

export type Transfer = {
  /** `bytes`: what a read returned (the bytes it counted), whatever the buffer. */
  readonly ret: number; readonly pos: number; readonly bytes?: readonly number[]; readonly status?: number;
  /** The user page whose fault failed to allocate a block (see FaultResult SIGBUS_ALLOC). */
  readonly allocFail?: number;
};

/** The allocation-failure page of a copy that stopped, if that is why it stopped. */
export function allocFailOf(c: { stop: string; at?: number }): { allocFail: number } | Record<string, never> {
  return c.stop === 'SIGBUS_ALLOC' && c.at !== undefined ? { allocFail: c.at } : {};
}

function* get_xip_mem(ctx: Ctx, ino: number, pgoff: number, create: boolean): Proc<XipMem> {
  const name = yield* read('i_mapping->a_ops', (s) => aopsOf(s, ino).name);
  const f = aopsByName(name).get_xip_mem;
  if (!f) throw new Error(`BUG_ON(!mapping->a_ops->get_xip_mem) for a_ops ${name}`);
  return yield* f(ctx, ino, pgoff, create);
}

/** A clean page-cache page of (ino, pgoff) holding `data`, unless one is there already. */
function cachePage(s: State, ino: number, pgoff: number, data: readonly number[]): State {
  if (s.inodes[ino]!.pageCache[pgoff]) return s;
  return updateInode(s, ino, (i) => ({ ...i, pageCache: setAt(padTo(i.pageCache, pgoff, null), pgoff, { data: data.slice(), dirty: false }) }));
}

/**
 * do_xip_mapping_read / xip_file_read (removed in 4.0). Takes no lock at all — not i_mutex,
 * not the i_mmap lock — and samples i_size once. Holes are copied as zeros without allocating
 * and without the sparse page. On a fault in the user buffer the partly copied chunk is not
 * counted; a short read wins over the error.
 */
export function* xip_file_read(ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf): Proc<Transfer> {
  const PS = ctx.pageSize;
  const isize = yield* read('i_size_read', (s) => s.inodes[ino]!.size + (has(ctx.variant, 'mut-read-past-eof') && s.inodes[ino]!.size % PS ? 1 : 0));
  let copied = 0;
  let error = 0;
  let fail = {};
  const out: number[] = [];
  if (isize === 0) {
    yield* cover(B_XREAD, 'empty-file');
    return { ret: 0, pos, bytes: [] };
  }
  let index = Math.floor(pos / PS), offset = pos % PS;
  const endIndex = Math.floor((isize - 1) / PS);
  while (copied < len) {
    let nr = PS;
    if (index >= endIndex) {
      if (index > endIndex) { yield* cover(B_XREAD, 'eof-stop-past-last-page'); break; }
      nr = ((isize - 1) % PS) + 1;
      if (nr <= offset) { yield* cover(B_XREAD, 'eof-stop-in-last-page'); break; }
    }
    nr -= offset;
    // 2.6.26–2.6.29 capped nr at len, not at what is left of it (hist-read-length)
    const left = has(ctx.variant, 'hist-read-length') ? len : len - copied;
    if (nr > left) nr = left;
    const m = yield* get_xip_mem(ctx, ino, index, false);
    if ('err' in m && m.err !== -ENODATA) { yield* cover(B_XREAD, 'lookup-error'); error = m.err; break; }
    const hole = 'err' in m;
    const pfnRead = 'err' in m ? 0 : m.pfn;
    yield* cover(B_XREAD, hole ? 'hole-zero' : 'data-copy');
    const off0 = offset;
    // the broken variant `xip-uses-pagecache`: the page is first copied into the page cache
    // (add_to_page_cache_lru of the medium's bytes) and the read is served from that copy
    const viaCache = has(ctx.variant, 'xip-uses-pagecache');
    if (viaCache) yield* atomic('add_to_page_cache_lru', (s) => [cachePage(s, ino, index, hole ? zeros(PS) : readPfn(s, pfnRead)), null] as const);
    const src = (s: State, from: number, n: number): readonly number[] =>
      viaCache ? s.inodes[ino]!.pageCache[index]!.data.slice(off0 + from, off0 + from + n)
        : hole || has(ctx.variant, 'read-skips-data') ? zeros(n) : readPfn(s, pfnRead).slice(off0 + from, off0 + from + n);
    const c = yield* copy_to_user(ctx, pid, buf, copied, nr, src);
    if (c.done < nr) { yield* cover(B_XREAD, 'efault-discard-chunk'); error = -EFAULT; fail = allocFailOf(c); break; }
    if (c.bytes) out.push(...c.bytes);
    copied += nr;
    offset += nr;
    index += Math.floor(offset / PS);
    offset %= PS;
  }
  return { ret: copied ? copied : error, pos: pos + copied, bytes: out, status: error || undefined, ...fail };
}

/**
 * xip_file_write + __xip_file_write (removed in 4.0), under i_mutex: generic_write_checks
 * (O_APPEND → pos = i_size; s_maxbytes → -EFBIG), then page by page: get_xip_mem(create=0);
 * on a hole allocate under xip_sparse_mutex and __xip_unmap the sparse page *before* copying;
 * copy with __copy_from_user_nocache, counting a partial copy. i_size is extended once, after
 * the loop, to the position reached — even when the loop ended in an error.
 */
export function* xip_file_write(ctx: Ctx, pid: number, ino: number, pos0: number, count0: number, buf: Buf, append: boolean): Proc<Transfer> {
  const PS = ctx.pageSize;
  yield* lock(i_mutex(ino));
  const chk = yield* read('generic_write_checks', (s) => generic_write_checks(s, ino, pos0, count0, append, has(ctx.variant, 'mut-efbig-off-by-one')));
  if (chk.err || chk.count === 0) {
    yield* cover(B_XWRITE, chk.err ? 'efbig' : 'zero-count');
    yield* unlock(i_mutex(ino));
    return { ret: chk.err, pos: pos0 }; // *ppos untouched
  }
  let pos = chk.pos, count = chk.count, written = 0, status = 0;
  let fail = {};
  while (count > 0) {
    const offset = pos % PS, index = Math.floor(pos / PS);
    const bytes = Math.min(PS - offset, count);
    let m = yield* get_xip_mem(ctx, ino, index, false);
    if ('err' in m && m.err === -ENODATA) {
      yield* cover(B_XWRITE, 'hole-allocate');
      const mutex = !has(ctx.variant, 'no-sparse-mutex') && !has(ctx.variant, 'unserialised-alloc');
      if (mutex) yield* lock(XIP_SPARSE_MUTEX);
      m = has(ctx.variant, 'mut-xip-hole-write-enospc') ? { err: -ENOSPC } : yield* get_xip_mem(ctx, ino, index, true);
      if (mutex) yield* unlock(XIP_SPARSE_MUTEX);
      if (!('err' in m) && !has(ctx.variant, 'no-xip-unmap')) yield* __xip_unmap(ctx, ino, index);
    } else if (!('err' in m)) yield* cover(B_XWRITE, 'mapped');
    if ('err' in m) { yield* cover(B_XWRITE, 'alloc-error'); status = m.err; break; }
    const pfn = m.pfn;
    const over = has(ctx.variant, 'write-overruns-buffer') && bytes === count && offset + bytes < PS ? 1 : 0;
    // 2.6.24-rc copied to kaddr, the start of the page, whatever the offset (hist-write-at-page-start)
    const dst = has(ctx.variant, 'hist-write-at-page-start') ? 0 : offset;
    const c = yield* copy_from_user(ctx, pid, buf, written, bytes + over, (s, from, data) => writePfn(s, pfn, dst + from, data));
    const copied = Math.min(c.done, bytes);
    written += copied; count -= copied; pos += copied;
    if (c.done < bytes) { yield* cover(B_XWRITE, 'efault-partial'); status = -EFAULT; fail = allocFailOf(c); break; }
  }
  const ext = yield* atomic('i_size_write', (s): readonly [State, boolean] =>
    pos > s.inodes[ino]!.size ? [updateInode(s, ino, (i) => ({ ...i, size: pos })), true] : [s, false]);
  if (ext) yield* cover(B_XWRITE, 'isize-extended');
  yield* unlock(i_mutex(ino));
  return { ret: written ? written : status, pos, status: status || undefined, ...fail };
}

/**
 * xip_truncate_page(mapping, from): zero the rest of the block holding `from`, so bytes past a
 * new EOF read as zeros if the file grows again. Nothing to do on a block boundary or a hole.
 */
export function* xip_truncate_page(ctx: Ctx, ino: number, from: number): Proc<number> {
  const offset = from % ctx.pageSize;
  if (!offset) { yield* cover(B_XTRUNC, 'block-boundary'); return 0; }
  const m = yield* get_xip_mem(ctx, ino, Math.floor(from / ctx.pageSize), false);
  if ('err' in m) {
    yield* cover(B_XTRUNC, m.err === -ENODATA ? 'hole' : 'error');
    return m.err === -ENODATA ? 0 : m.err;
  }
  yield* atomic('memset(xip_mem + offset, 0, length)', (s) => [writePfn(s, m.pfn, offset, zeros(ctx.pageSize - offset)), null] as const);
  yield* cover(B_XTRUNC, 'zero-tail');
  return 0;
}
