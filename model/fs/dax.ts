import { EFAULT, EIO, ENOMEM, ENOSPC } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import { readPfn, writePfn, zeros } from '../kernel/physmem.ts';
import { pagesFor, type State, type Vma, withState } from '../state.ts';
import { linear_page_index, setPte, vma_address, vmasOf } from '../mm/vma.ts';
import { dax_entry } from '../mm/locks.ts';
import { allocFailOf, type Transfer } from '../mm/filemap_xip.ts';
import type { FaultResult } from '../mm/vm_operations.ts';
import { copy_from_user, copy_to_user, type Buf } from '../mm/user_copy.ts';
import type { IomapOps } from './iomap.ts';

/**
 * fs/dax.c of Linux 6.1, the successor of mm/filemap_xip.c, as the variant `dax-6.1` runs it
 * (docs/lab.md). Reached only through a file system's DAX tables (model/fs/ext2/dax.ts), so the
 * reference design never takes these branches.
 */
const CITE = 'fs/dax.c dax_iomap_rw/dax_iomap_iter/dax_iomap_pte_fault/dax_load_hole (6.1)';
const ONLY_DAX = 'reached only by the variant dax-6.1';
const RW = ['read-eof', 'read-hole-zero', 'read-copy', 'read-hole-fault-returns-done', 'read-efault', 'write-copy', 'write-fresh-unmap-zero-page', 'write-efault', 'iomap-error'] as const;
export const B_DAX_RW = branches('dax_iomap_rw', CITE, RW, Object.fromEntries(RW.map((b) => [b, ONLY_DAX])) as Record<(typeof RW)[number], string>);
const FAULT = ['sigbus-beyond-eof', 'iomap-error', 'load-hole', 'insert-pfn', 'insert-pfn-mkwrite', 'replace-zero-page'] as const;
export const B_DAX_FAULT = branches('dax_iomap_pte_fault', CITE, FAULT, Object.fromEntries(FAULT.map((b) => [b, ONLY_DAX])) as Record<(typeof FAULT)[number], string>);

/** The byte at file offset `abs` of a mapped extent starting at page `first`. */
const extentByte = (s: State, pfns: readonly number[], first: number, PS: number, abs: number): number => readPfn(s, pfns[Math.floor(abs / PS) - first])[abs % PS];

/**
 * dax_iomap_rw for a read (the caller holds i_rwsem shared): iomap_iter over the extents from
 * `pos`, each read up to min(extent end, i_size) — i_size read anew per extent. A hole is
 * iov_iter_zero; a mapped extent is dax_copy_to_iter. Every byte copied counts; a copy that
 * stops short ends the walk. Two ends differ from XIP 3.19:
 *  - a data copy that stopped after some bytes returns them (3.19 drops the faulting chunk);
 *  - a hole whose zeroing stopped at its first byte processed 0 bytes, which iomap_iter takes
 *    for the end of the walk, not an error: the read returns what it had, 0 if nothing — the
 *    6.1 defect the lab found (docs/lab.md), kept because this is 6.1's code.
 */
export function* dax_iomap_read(ctx: Ctx, pid: number, ino: number, pos0: number, len: number, buf: Buf, ops: IomapOps): Proc<Transfer> {
  const PS = ctx.pageSize;
  let pos = pos0, done = 0, err = 0;
  let fail = {};
  const out: number[] = [];
  while (done < len) {
    const m = yield* ops.iomap_begin(ctx, ino, Math.floor(pos / PS), pagesFor(pos0 + len, PS) - Math.floor(pos / PS), false);
    if ('err' in m) { yield* cover(B_DAX_RW, 'iomap-error'); err = m.err; break; }
    const isize = yield* read('i_size_read', (s) => s.inodes[ino]!.size);
    const end = Math.min(pos0 + len, (m.pgoff + m.pages) * PS, isize);
    if (pos >= end) { yield* cover(B_DAX_RW, 'read-eof'); break; }
    const n = end - pos, at = pos;
    const src = m.type === 'hole' ? (_s: State, _f: number, k: number) => zeros(k)
      : (s: State, from: number, k: number) => Array.from({ length: k }, (_, j) => extentByte(s, m.pfns, m.pgoff, PS, at + from + j));
    yield* cover(B_DAX_RW, m.type === 'hole' ? 'read-hole-zero' : 'read-copy');
    const c = yield* copy_to_user(ctx, pid, buf, done, n, src);
    out.push(...(c.bytes ?? []).slice(0, c.done));
    done += c.done;
    pos += c.done;
    if (c.done < n) {
      fail = allocFailOf(c);
      if (m.type === 'hole') { yield* cover(B_DAX_RW, 'read-hole-fault-returns-done'); break; }
      yield* cover(B_DAX_RW, 'read-efault');
      err = -EFAULT;
      break;
    }
  }
  return { ret: done ? done : err, pos: pos0 + done, bytes: out, status: err || undefined, ...fail };
}

/**
 * dax_iomap_rw for a write (the caller holds i_rwsem exclusive): iomap_begin(IOMAP_WRITE) maps or
 * allocates the extent at `pos` before a byte is copied; blocks it allocated (IOMAP_F_NEW) have
 * the zero page unmapped from every mapping first (invalidate_inode_pages2_range, which for DAX
 * ends in unmap_mapping_pages, under each page's DAX entry lock); then dax_copy_from_iter, every
 * byte counted. A copy that stops short ends the write, with the extent's blocks kept.
 * Returns the bytes written and the error that ended it; i_size is the caller's (its write_iter).
 */
export function* dax_iomap_write(ctx: Ctx, pid: number, ino: number, pos0: number, len: number, buf: Buf, ops: IomapOps): Proc<{ readonly done: number; readonly err: number; readonly fail: object }> {
  const PS = ctx.pageSize;
  let pos = pos0, done = 0, err = 0;
  let fail = {};
  while (done < len) {
    const first = Math.floor(pos / PS);
    const m = yield* ops.iomap_begin(ctx, ino, first, pagesFor(pos0 + len, PS) - first, true);
    if ('err' in m) { yield* cover(B_DAX_RW, 'iomap-error'); err = m.err; break; }
    // WARN_ON_ONCE(iomap->type != IOMAP_MAPPED): a write extent is never a hole
    if (m.type === 'hole') { err = -EIO; break; }
    const end = Math.min(pos0 + len, (m.pgoff + m.pages) * PS);
    if (m.fresh) {
      yield* cover(B_DAX_RW, 'write-fresh-unmap-zero-page');
      for (let p = m.pgoff; p < m.pgoff + m.pages; p++) yield* unmapZeroPage(ino, p);
    }
    const n = end - pos, at = pos;
    yield* cover(B_DAX_RW, 'write-copy');
    const c = yield* copy_from_user(ctx, pid, buf, done, n, (s, from, data) => {
      const abs = at + from;
      return writePfn(s, m.pfns[Math.floor(abs / PS) - m.pgoff], abs % PS, data);
    });
    if (ops.iomap_end) yield* ops.iomap_end(ctx, ino, at, n, c.done, true);
    done += c.done;
    pos += c.done;
    if (c.done < n) { yield* cover(B_DAX_RW, 'write-efault'); err = -EFAULT; fail = allocFailOf(c); break; }
  }
  return { done, err, fail };
}

/** unmap_mapping_pages of one file page whose zero-page entry is replaced: every pte still mapping the zero page for it goes. */
function* unmapZeroPage(ino: number, pgoff: number): Proc<void> {
  yield* lock(dax_entry(ino, pgoff));
  yield* atomic('unmap_mapping_pages(zero page)', (s) => [unmapZero(s, ino, pgoff), null] as const);
  yield* unlock(dax_entry(ino, pgoff));
}

function unmapZero(s: State, ino: number, pgoff: number): State {
  let next = s;
  for (const { pid, vma } of vmasOf(s, ino)) {
    const vp = vma_address(vma, pgoff);
    if (vp === null || next.procs[pid].ptes[vp]?.kind !== 'sparse') continue;
    next = setPte(next, pid, vp, null);
    next = { ...next, sparse: { ...next.sparse, refs: next.sparse.refs - 1 } };
  }
  return next;
}

/**
 * dax_iomap_pte_fault (6.1), under the DAX entry lock of the page (grab_mapping_entry), the file
 * system's caller holding mapping->invalidate_lock shared: SIGBUS beyond i_size; then
 * iomap_begin, with IOMAP_WRITE only for a write fault on a shared mapping (a private one gets a
 * copy: do_cow_fault, here the read mapping then do_wp_page's copy). A hole on a read fault is
 * dax_load_hole: the zero page, read-only, and nothing allocated whatever the mapping's flags
 * (XIP 3.19 allocated on a read fault of a shared writable mapping). A mapped page replaces any
 * zero page mapped for it (dax_insert_entry → unmap_mapping_pages), then vmf_insert_mixed —
 * writable at once for a write fault (vmf_insert_mixed_mkwrite).
 */
export function* dax_iomap_pte_fault(ctx: Ctx, pid: number, vma: Vma, vpage: number, write0: boolean, ops: IomapOps): Proc<FaultResult> {
  const ino = vma.ino!;
  const pgoff = linear_page_index(vma, vpage);
  const write = write0 && vma.shared;
  yield* lock(dax_entry(ino, pgoff));
  const r = yield* faultLocked(ctx, pid, ino, pgoff, vpage, write, ops);
  yield* unlock(dax_entry(ino, pgoff));
  return r;
}

function* faultLocked(ctx: Ctx, pid: number, ino: number, pgoff: number, vpage: number, write: boolean, ops: IomapOps): Proc<FaultResult> {
  const size = yield* read('i_size_read', (s) => s.inodes[ino]!.size);
  if (pgoff >= pagesFor(size, ctx.pageSize)) { yield* cover(B_DAX_FAULT, 'sigbus-beyond-eof'); return 'SIGBUS'; }
  const m = yield* ops.iomap_begin(ctx, ino, pgoff, 1, write);
  if ('err' in m) {
    // dax_fault_return: -ENOMEM is VM_FAULT_OOM, any other error VM_FAULT_SIGBUS
    yield* cover(B_DAX_FAULT, 'iomap-error');
    return m.err === -ENOMEM ? 'OOM' : m.err === -ENOSPC ? 'SIGBUS_ALLOC' : 'SIGBUS';
  }
  if (m.type === 'hole') {
    yield* cover(B_DAX_FAULT, 'load-hole');
    yield* atomic('dax_load_hole', (s) => {
      if (s.procs[pid].ptes[vpage]) return [s, null] as const; // insert_pfn: !pte_none → VM_FAULT_NOPAGE
      const next: State = withState(s, { sparse: { ...s.sparse, allocated: true, refs: s.sparse.refs + 1 } });
      return [setPte(next, pid, vpage, { kind: 'sparse', write: false }), null] as const;
    });
    return 'NOPAGE';
  }
  const replaced = yield* atomic('dax_insert_entry', (s): readonly [State, boolean] => {
    const next = unmapZero(s, ino, pgoff);
    return [next, next !== s];
  });
  if (replaced) yield* cover(B_DAX_FAULT, 'replace-zero-page');
  yield* cover(B_DAX_FAULT, write ? 'insert-pfn-mkwrite' : 'insert-pfn');
  yield* atomic(write ? 'vmf_insert_mixed_mkwrite' : 'vmf_insert_mixed', (s) => {
    const pte = s.procs[pid].ptes[vpage];
    if (pte && !(write && pte.kind === 'pfn' && pte.pfn === m.pfns[0])) return [s, null] as const;
    return [setPte(s, pid, vpage, { kind: 'pfn', pfn: m.pfns[0], write }), null] as const;
  });
  return 'NOPAGE';
}
