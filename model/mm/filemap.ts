import { branches } from '../kernel/coverage.ts';
import { atomic, cover, read, type Ctx, type Proc } from '../kernel/step.ts';
import { pagesFor, type State, type Vma } from '../state.ts';
import { aopsByName, aopsOf } from '../fs/aops.ts';
import type { MmapResult, WritebackRange } from '../fs/file_operations.ts';
import { linear_page_index, setPte } from './vma.ts';
import { register_vm_ops, type FaultResult, type VmOperations } from './vm_operations.ts';

const CITE = 'mm/filemap.c filemap_fault (3.x)';
export const B_FILEMAP = branches('filemap_fault', CITE, ['sigbus-beyond-eof', 'sigbus-truncated', 'mapped-pagecache'] as const);

/** Find the page-cache page of (ino, pgoff), reading it in through a_ops->readpage if absent. */
export function* find_or_read_page(ctx: Ctx, ino: number, pgoff: number): Proc<void> {
  const name = yield* read('find_get_page', (s) => (s.inodes[ino]!.pageCache[pgoff] ? null : aopsOf(s, ino).name));
  if (name === null) return;
  const readpage = aopsByName(name).readpage;
  if (!readpage) throw new Error(`page-cache path on a_ops ${name} without readpage`);
  yield* readpage(ctx, ino, pgoff);
}

/**
 * filemap_fault for a non-XIP mount: i_size check (SIGBUS), page-cache lookup or readpage,
 * then the pte maps the page-cache page (read-only; the first store of a shared mapping goes
 * through page_mkwrite → set_page_dirty in do_wp_page).
 */
export function* filemap_fault(ctx: Ctx, pid: number, vma: Vma, vpage: number): Proc<FaultResult> {
  const ino = vma.ino!;
  const pgoff = linear_page_index(vma, vpage);
  const size = yield* read('i_size_read', (s) => s.inodes[ino]!.size);
  if (pgoff >= pagesFor(size, ctx.pageSize)) {
    yield* cover(B_FILEMAP, 'sigbus-beyond-eof');
    return 'SIGBUS';
  }
  yield* find_or_read_page(ctx, ino, pgoff);
  // lock_page; "Has the page been truncated?" and the i_size recheck; then do_set_pte — one
  // step standing for the page-lock critical section that truncate_inode_page also takes.
  const r = yield* atomic('lock_page+recheck+do_set_pte', (s): readonly [State, 'sigbus' | 'ok'] => {
    if (pgoff >= pagesFor(s.inodes[ino]!.size, ctx.pageSize) || !s.inodes[ino]!.pageCache[pgoff]) return [s, 'sigbus'];
    if (s.procs[pid].ptes[vpage]) return [s, 'ok'];
    return [setPte(s, pid, vpage, { kind: 'pagecache', ino, pgoff, write: false }), 'ok'];
  });
  if (r === 'sigbus') {
    yield* cover(B_FILEMAP, 'sigbus-truncated');
    return 'SIGBUS';
  }
  yield* cover(B_FILEMAP, 'mapped-pagecache');
  return 'NOPAGE';
}

/** generic_file_vm_ops (mm/filemap.c, 3.19): .fault = filemap_fault (.page_mkwrite is do_wp_page's set_page_dirty). */
export const filemap_vm_ops: VmOperations = register_vm_ops({ name: 'generic_file_vm_ops', fault: filemap_fault });

/**
 * generic_file_mmap (mm/filemap.c, 3.19): `if (!mapping->a_ops->readpage) return -ENOEXEC;`,
 * then vma->vm_ops = &generic_file_vm_ops. No registered table reaches the -ENOEXEC (ext2
 * pairs ext2_file_operations with ext2_aops), so the model stops there rather than invent a
 * branch for it.
 */
export function generic_file_mmap(s: State, ino: number): MmapResult {
  const a = aopsOf(s, ino);
  if (!a.readpage) throw new Error(`generic_file_mmap on inode ${ino}: a_ops ${a.name} has no readpage (-ENOEXEC, not modelled)`);
  return { vmOps: filemap_vm_ops.name, branch: 'generic_file_mmap' };
}

/**
 * filemap_write_and_wait_range (mm/filemap.c, 3.19) → do_writepages → generic_writepages:
 * each dirty page of the range through a_ops->writepage, the first error returned. A mapping
 * whose a_ops has no ->writepage (XIP: stores went to the medium) has nothing to write.
 */
export function* filemap_write_and_wait_range(ctx: Ctx, ino: number, range: WritebackRange): Proc<number> {
  const writepage = aopsByName(range.aops).writepage;
  if (!writepage) return 0;
  let err = 0;
  for (const pg of range.dirty) {
    const r = yield* writepage(ctx, ino, pg);
    if (r && !err) err = r;
  }
  return err;
}

// ---- the page-cache file operations of a non-XIP mount ---------------------------------------

import { EFAULT } from '../kernel/errno.ts';
import { lock, unlock } from '../kernel/step.ts';
import { setAt, updateInode } from '../state.ts';
import { zeros } from '../kernel/physmem.ts';
import { copy_from_user, copy_to_user, type Buf } from './user_copy.ts';
import { i_mutex } from './locks.ts';
import { generic_write_checks } from '../vfs/generic_write_checks.ts';
import { allocFailOf, type Transfer } from './filemap_xip.ts';

export const B_GREAD = branches('do_generic_file_read', 'mm/filemap.c (3.x)', ['copy', 'eof-stop', 'efault-partial'] as const);
export const B_GWRITE = branches('generic_perform_write', 'mm/filemap.c (3.x)', ['copy', 'efbig', 'efault-partial'] as const);

function pcData(s: State, ino: number, pgoff: number): readonly number[] {
  return s.inodes[ino]!.pageCache[pgoff]?.data ?? zeros(s.cfg.pageSize);
}

/**
 * do_generic_file_read: page by page through the page cache (readpage on a miss), i_size
 * re-read per page; file_read_actor counts a partial copy (unlike do_xip_mapping_read).
 */
export function* generic_file_read(ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf): Proc<Transfer> {
  const PS = ctx.pageSize;
  let copied = 0;
  const out: number[] = [];
  while (copied < len) {
    const p = pos + copied;
    const isize = yield* read('i_size_read', (s) => s.inodes[ino]!.size);
    if (p >= isize) { yield* cover(B_GREAD, 'eof-stop'); break; }
    const index = Math.floor(p / PS), offset = p % PS;
    const nr = Math.min(PS - offset, isize - p, len - copied);
    yield* find_or_read_page(ctx, ino, index);
    yield* cover(B_GREAD, 'copy');
    const c = yield* copy_to_user(ctx, pid, buf, copied, nr, (s, from, n) => pcData(s, ino, index).slice(offset + from, offset + from + n));
    if (c.bytes) out.push(...c.bytes);
    copied += c.done;
    if (c.done < nr) {
      yield* cover(B_GREAD, 'efault-partial');
      return { ret: copied ? copied : -EFAULT, pos: pos + copied, bytes: out, status: -EFAULT, ...allocFailOf(c) };
    }
  }
  return { ret: copied, pos: pos + copied, bytes: out };
}

/**
 * generic_file_buffered_write / generic_perform_write under i_mutex: write_begin reads the
 * page in, the copy dirties it, write_end extends i_size page by page. Blocks are allocated
 * at writeback (ext2_writepage), not here — a simplification of ext2's write_begin, which maps
 * (and may allocate) the block at once; ENOSPC is therefore reported by fsync.
 */
export function* generic_file_write(ctx: Ctx, pid: number, ino: number, pos0: number, count0: number, buf: Buf, append: boolean): Proc<Transfer> {
  const PS = ctx.pageSize;
  yield* lock(i_mutex(ino));
  const chk = yield* read('generic_write_checks', (s) => generic_write_checks(s, ino, pos0, count0, append));
  if (chk.err || chk.count === 0) {
    if (chk.err) yield* cover(B_GWRITE, 'efbig');
    yield* unlock(i_mutex(ino));
    return { ret: chk.err, pos: pos0 };
  }
  let pos = chk.pos, written = 0, status = 0;
  let fail = {};
  while (written < chk.count) {
    const index = Math.floor(pos / PS), offset = pos % PS;
    const bytes = Math.min(PS - offset, chk.count - written);
    yield* find_or_read_page(ctx, ino, index);
    yield* cover(B_GWRITE, 'copy');
    const c = yield* copy_from_user(ctx, pid, buf, written, bytes, (s, from, data) => updateInode(s, ino, (i) => {
      const page = i.pageCache[index]!;
      const d = page.data.slice();
      for (let k = 0; k < data.length; k++) d[offset + from + k] = data[k];
      return { ...i, pageCache: setAt(i.pageCache, index, { data: d, dirty: true }) };
    }));
    written += c.done;
    pos += c.done;
    // generic_write_end runs only for a copy that moved bytes (iov_iter_fault_in_readable
    // stops a write whose first byte faults before write_begin)
    if (c.done > 0) yield* atomic('generic_write_end:i_size_write', (s) => [pos > s.inodes[ino]!.size ? updateInode(s, ino, (i) => ({ ...i, size: pos })) : s, null] as const);
    if (c.done < bytes) { yield* cover(B_GWRITE, 'efault-partial'); status = -EFAULT; fail = allocFailOf(c); break; }
  }
  yield* unlock(i_mutex(ino));
  return { ret: written ? written : status, pos, status: status || undefined, ...fail };
}

/**
 * block_truncate_page(mapping, from, get_block) (fs/buffer.c, 3.19): zero the page-cache tail
 * past `from` of a mapped or cached page. Whether the page is mapped is the file system's to
 * say: its caller passes its get_block (ext2_setsize: ext2_get_block), here reduced to the
 * create=0 lookup — the block at a file page, 0 for a hole.
 */
export function* block_truncate_page(ctx: Ctx, ino: number, from: number, get_block: (s: State, ino: number, pgoff: number) => number): Proc<number> {
  const offset = from % ctx.pageSize;
  if (!offset) return 0;
  const index = Math.floor(from / ctx.pageSize);
  const present = yield* read('ext2_get_block', (s) => !!(get_block(s, ino, index) || s.inodes[ino]!.pageCache[index]));
  if (!present) return 0;
  yield* find_or_read_page(ctx, ino, index);
  yield* atomic('zero_user(page, offset, length)', (s) => [updateInode(s, ino, (i) => {
    const page = i.pageCache[index]!;
    const d = page.data.slice();
    for (let k = offset; k < ctx.pageSize; k++) d[k] = 0;
    return { ...i, pageCache: setAt(i.pageCache, index, { data: d, dirty: true }) };
  }), null] as const);
  return 0;
}
