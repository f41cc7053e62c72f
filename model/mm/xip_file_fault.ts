import { ENODATA, EBUSY } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import { pagesFor, sbOf, type State, type Vma, withState } from '../state.ts';
import { aopsByName, aopsOf } from '../fs/aops.ts';
import type { XipMem } from '../fs/address_space_operations.ts';
import type { MmapResult } from '../fs/file_operations.ts';
import { linear_page_index, setPte } from './vma.ts';
import { XIP_SPARSE_MUTEX, i_mmap } from './locks.ts';
import { __xip_unmap } from './__xip_unmap.ts';
import { register_vm_ops, type FaultResult, type VmOperations } from './vm_operations.ts';

const CITE = 'mm/filemap_xip.c xip_file_fault (2.6.27–3.19; i_size recheck from the 4.0 DAX series)';
export const B_FAULT = branches('xip_file_fault', CITE, [
  'sigbus-beyond-eof', 'found-pfn', 'lookup-error-oom', 'hole-shared-writable-allocate', 'hole-alloc-sigbus',
  'hole-sparse-page', 'sparse-recheck-found', 'sparse-recheck-error-oom', 'sparse-inserted', 'sparse-pte-busy',
  'isize-recheck-sigbus', 'insert-ebusy-ok', 'insert-ebusy-bug',
] as const, {
  'lookup-error-oom': 'see ext2_get_xip_mem:direct-access-failed',
  'sparse-recheck-error-oom': 'see ext2_get_xip_mem:direct-access-failed',
  'insert-ebusy-bug': 'the BUG_ON of kernels 2.6.26–3.2: reached only by the historical variants 2.6.26 and 3.2',
});

/**
 * xip_file_fault(vma, vmf), 3.19, with every branch:
 *  - pgoff beyond i_size → SIGBUS;
 *  - a data block → vm_insert_mixed of its pfn (a special pte; -EBUSY means a racing fault
 *    already populated it, which is success since 3.3: Carsten Otte, "mm/filemap_xip.c: fix race
 *    condition in xip_file_fault()");
 *  - a hole in a shared, (maybe-)writable mapping of a rw super block → allocate under
 *    xip_sparse_mutex (even for a read fault), then __xip_unmap, then map the new pfn;
 *  - any other hole → the global sparse page, read-only, inserted under xip_sparse_mutex inside
 *    an xip_sparse_seq writer section after re-checking that the block is still a hole.
 * Any lookup error other than -ENODATA is reported as VM_FAULT_OOM ("XXX: are VM_FAULT_
 * codes OK?"). The i_size recheck under the i_mmap lock is the 4.0 fix: the reference design
 * has it, variant `no-isize-recheck` is 3.19 as released.
 */
export function* xip_file_fault(ctx: Ctx, pid: number, vma: Vma, vpage: number): Proc<FaultResult> {
  const ino = vma.ino!;
  const pgoff = linear_page_index(vma, vpage);
  const aops = yield* read('i_mapping->a_ops', (s) => aopsOf(s, ino).name);
  const get_xip_mem = xipMemOf(aops);
  const mutex = !has(ctx.variant, 'no-sparse-mutex');
  for (;;) {
    const size = yield* read('i_size_read', (s) => s.inodes[ino]!.size);
    if (pgoff >= pagesFor(size, ctx.pageSize)) {
      yield* cover(B_FAULT, 'sigbus-beyond-eof');
      return 'SIGBUS';
    }
    const m = yield* get_xip_mem(ctx, ino, pgoff, false);
    if (!('err' in m)) {
      yield* cover(B_FAULT, 'found-pfn');
      return yield* insertPfn(ctx, pid, vpage, ino, pgoff, m.pfn);
    }
    if (m.err !== -ENODATA) {
      yield* cover(B_FAULT, 'lookup-error-oom');
      return 'OOM';
    }
    const ro = yield* read('sb->s_flags & MS_RDONLY', (s) => sbOf(s, ino)!.ro);
    if (((vma.write || vma.mayWrite) && vma.shared && !ro) || has(ctx.variant, 'fault-always-allocates')) {
      yield* cover(B_FAULT, 'hole-shared-writable-allocate');
      const serialise = mutex && !has(ctx.variant, 'unserialised-alloc');
      if (serialise) yield* lock(XIP_SPARSE_MUTEX);
      const got = yield* get_xip_mem(ctx, ino, pgoff, true);
      if (serialise) yield* unlock(XIP_SPARSE_MUTEX);
      if ('err' in got) {
        yield* cover(B_FAULT, 'hole-alloc-sigbus');
        return 'SIGBUS_ALLOC';
      }
      if (!has(ctx.variant, 'no-xip-unmap')) yield* __xip_unmap(ctx, ino, pgoff);
      return yield* insertPfn(ctx, pid, vpage, ino, pgoff, got.pfn);
    }
    yield* cover(B_FAULT, 'hole-sparse-page');
    // 2.6.21–2.6.23: `page = xip_sparse_page(); if (!page) return VM_FAULT_OOM;` and
    // get_zeroed_page(GFP_HIGHUSER) yields no address for a highmem page (hist-sparse-highmem)
    if (has(ctx.variant, 'hist-sparse-highmem')) return 'OOM';
    if (mutex) {
      yield* lock(XIP_SPARSE_MUTEX);
      yield* atomic('write_seqcount_begin(xip_sparse_seq)', (s) => [withState(s, { sparseSeq: s.sparseSeq + 1 }), null] as const);
    }
    const again = yield* get_xip_mem(ctx, ino, pgoff, false);
    if (!('err' in again) || again.err !== -ENODATA) {
      yield* cover(B_FAULT, 'err' in again ? 'sparse-recheck-error-oom' : 'sparse-recheck-found');
      if (mutex) {
        yield* atomic('write_seqcount_end(xip_sparse_seq)', (s) => [withState(s, { sparseSeq: s.sparseSeq + 1 }), null] as const);
        yield* unlock(XIP_SPARSE_MUTEX);
      }
      if ('err' in again) return 'OOM';
      continue; // goto again: the block appeared meanwhile, map it
    }
    const recheck = !has(ctx.variant, 'no-isize-recheck');
    if (recheck) yield* lock(i_mmap(ino), 'shared');
    const r = yield* atomic('vm_insert_page(sparse page)', (s) => insertSparse(ctx, s, pid, vpage, ino, pgoff, recheck));
    if (recheck) yield* unlock(i_mmap(ino));
    if (mutex) {
      yield* atomic('write_seqcount_end(xip_sparse_seq)', (s) => [withState(s, { sparseSeq: s.sparseSeq + 1 }), null] as const);
      yield* unlock(XIP_SPARSE_MUTEX);
    }
    yield* cover(B_FAULT, r);
    return r === 'isize-recheck-sigbus' ? 'SIGBUS' : 'NOPAGE';
  }
}

function xipMemOf(name: string): (ctx: Ctx, ino: number, pgoff: number, create: boolean) => Proc<XipMem> {
  const f = aopsByName(name).get_xip_mem;
  if (!f) throw new Error(`xip_file_fault on a mapping whose a_ops (${name}) has no get_xip_mem: BUG_ON in xip_file_mmap`);
  return f;
}

function insertSparse(ctx: Ctx, s: State, pid: number, vpage: number, ino: number, pgoff: number, recheck: boolean): readonly [State, 'sparse-inserted' | 'sparse-pte-busy' | 'isize-recheck-sigbus'] {
  if (recheck && pgoff >= pagesFor(s.inodes[ino]!.size, ctx.pageSize)) return [s, 'isize-recheck-sigbus'];
  if (s.procs[pid].ptes[vpage]) return [s, 'sparse-pte-busy'];
  // xip_sparse_page(): allocate the zeroed page on first use; vm_insert_page takes a ref.
  const next: State = withState(s, { sparse: { ...s.sparse, allocated: true, refs: s.sparse.refs + 1 } });
  return [setPte(next, pid, vpage, has(ctx.variant, 'sparse-writable') ? ({ kind: 'sparse', write: true } as never) : { kind: 'sparse', write: false }), 'sparse-inserted'];
}

function* insertPfn(ctx: Ctx, pid: number, vpage: number, ino: number, pgoff: number, pfn: number): Proc<FaultResult> {
  const recheck = !has(ctx.variant, 'no-isize-recheck');
  if (recheck) yield* lock(i_mmap(ino), 'shared');
  // the recheck and the insert are one step under i_mmap: the label and the value a story shows
  // say which of them answered (race 4's fixed design: "beyond i_size", then SIGBUS)
  const r = yield* atomic(recheck ? 'i_size recheck + vm_insert_mixed' : 'vm_insert_mixed', (s): readonly [State, number | 'beyond i_size'] => {
    if (recheck && pgoff >= pagesFor(s.inodes[ino]!.size, ctx.pageSize)) return [s, 'beyond i_size'];
    if (s.procs[pid].ptes[vpage]) return [s, -EBUSY]; // insert_pfn: !pte_none
    // vm_page_prot: read-only for private vmas (COW) and, since 3.6 (page_mkwrite ⇒ write-notify),
    // for shared ones too; the first store takes a write-protect fault (do_wp_page).
    return [setPte(s, pid, vpage, { kind: 'pfn', pfn, write: false }), 0];
  });
  if (recheck) yield* unlock(i_mmap(ino));
  if (r === 'beyond i_size') {
    yield* cover(B_FAULT, 'isize-recheck-sigbus');
    return 'SIGBUS';
  }
  if (r === -EBUSY) {
    if (has(ctx.variant, 'ebusy-is-error')) {
      yield* cover(B_FAULT, 'insert-ebusy-bug');
      return 'SIGBUS';
    }
    yield* cover(B_FAULT, 'insert-ebusy-ok');
  }
  return 'NOPAGE';
}

/** xip_file_vm_ops (mm/filemap_xip.c, 3.19): .fault = xip_file_fault. */
export const xip_file_vm_ops: VmOperations = register_vm_ops({ name: 'xip_file_vm_ops', fault: xip_file_fault });

/**
 * xip_file_mmap (mm/filemap_xip.c, 3.19): `BUG_ON(!file->f_mapping->a_ops->get_xip_mem)`, then
 * vma->vm_ops = &xip_file_vm_ops and VM_MIXEDMAP.
 */
export function xip_file_mmap(s: State, ino: number): MmapResult {
  const a = aopsOf(s, ino);
  if (!a.get_xip_mem) throw new Error(`BUG_ON(!file->f_mapping->a_ops->get_xip_mem) in xip_file_mmap: inode ${ino}, a_ops ${a.name}`);
  return { vmOps: xip_file_vm_ops.name, branch: 'xip_file_mmap' };
}
