import { ENOSPC } from '../../kernel/errno.ts';
import { ext2_bmap, ext2_get_blocks_alloc, ext2_truncate_blocks } from './inode.ts';
import { EXT2_SB } from './ext2.ts';
import { truncateMutex } from './xip.ts';
import {
  PAGE_SECTORS, atomic, branches, cover, dax_iomap_pte_fault, dax_iomap_read, dax_iomap_write, direct_access, generic_write_checks, has,
  i_mutex, invalidate_lock, lock, pagesFor, read, register_vm_ops, sbOf, unlock, updateInode,
  type Buf, type Ctx, type FaultResult, type FileOperations, type Iomap, type IomapOps, type Proc, type State, type Transfer, type Vma,
} from '../kernel_api.ts';
import { ext2_fsync } from './file.ts';

/**
 * ext2 on the DAX of Linux 6.1: the variant `dax-6.1` (docs/lab.md). The tables and their locking
 * are 6.1's ext2 (fs/ext2/file.c: reads under i_rwsem shared, writes exclusive, faults under
 * mapping->invalidate_lock shared, ->pfn_mkwrite = the fault handler). The extent a write maps
 * and what a failed extending write leaves are ext4's, the file system the lab runs: ext4 and xfs
 * are what the variant is held to, and where 6.1's own ext2 differs docs/lab.md says so.
 */
const CITE = 'fs/ext2/file.c ext2_dax_read_iter/ext2_dax_write_iter/ext2_dax_fault, fs/ext2/inode.c ext2_iomap_begin (6.1); the write extent and the failed extending write as fs/ext4/inode.c ext4_iomap_begin, fs/ext4/file.c ext4_dax_write_iter (6.1)';
const ONLY_DAX = 'reached only by the variant dax-6.1';
const IOMAP = ['hole', 'mapped', 'allocated', 'enospc', 'failed-write-truncate'] as const;
export const B_EXT2_IOMAP = branches('ext2_iomap_begin', CITE, IOMAP, Object.fromEntries(IOMAP.map((b) => [b, ONLY_DAX])) as Record<(typeof IOMAP)[number], string>);

/** The pfns of blocks, as dax_direct_access gives them (the blocks are the file's: it cannot fail while the mount holds the device). */
function pfnsOf(s: State, ino: number, blocks: readonly number[]): readonly [State, readonly number[]] {
  let next = s;
  const pfns: number[] = [];
  for (const b of blocks) {
    const [s2, da] = direct_access(next, sbOf(next, ino)!.dev, b * PAGE_SECTORS);
    next = s2;
    if ('err' in da) break;
    pfns.push(da.pfn);
  }
  return [next, pfns];
}

/** ext2_get_blocks(create=0)'s "block found" loop: the blocks mapped from `pgoff` on, while each follows the last on the device. */
function mappedRun(s: State, ino: number, pgoff: number, pages: number): number[] {
  const run: number[] = [];
  for (let p = pgoff; p < pgoff + pages; p++) {
    const b = ext2_bmap(s, ino, p);
    if (!b || (run.length && b !== run[run.length - 1] + 1)) break;
    run.push(b);
  }
  return run;
}

/**
 * ->iomap_begin: the extent at `pgoff`. A read maps the run of contiguous blocks there, or a
 * one-block hole (ext2_iomap_begin). A write on a hole allocates the hole's pages in the range
 * before anything is copied — as ext4_iomap_alloc does with ext4_map_blocks over the whole
 * length — each block zeroed before it is linked (ext2_get_blocks: sb_issue_zeroout before
 * ext2_splice_branch), the run going on while the allocator hands out the next block on the
 * device (ext2_try_to_allocate / mballoc extend a run while the next bit is free), under
 * truncate_mutex.
 */
export function* ext2_iomap_begin(ctx: Ctx, ino: number, pgoff: number, pages: number, write: boolean): Proc<Iomap> {
  const found = yield* atomic('ext2_get_blocks', (s): readonly [State, Iomap] => {
    const run = mappedRun(s, ino, pgoff, pages);
    if (!run.length) return [s, { type: 'hole', pgoff, pages: 1 }];
    const [s2, pfns] = pfnsOf(s, ino, run);
    return [s2, { type: 'mapped', pgoff, pages: pfns.length, pfns, fresh: false }];
  });
  if (!('err' in found) && (found.type === 'mapped' || !write)) {
    yield* cover(B_EXT2_IOMAP, found.type);
    return found;
  }
  yield* lock(truncateMutex(ino));
  const got = yield* atomic('ext2_get_blocks(create=1)', (s): readonly [State, Iomap] => {
    let next = s;
    const blocks: number[] = [];
    for (let p = pgoff; p < pgoff + pages && !ext2_bmap(next, ino, p); p++) {
      const bitmap = EXT2_SB(sbOf(next, ino)!).bitmap;
      if (blocks.length && bitmap[blocks[blocks.length - 1] + 1] !== false) break;
      const [s2, r] = ext2_get_blocks_alloc(ctx, next, ino, p);
      if ('err' in r) { if (!blocks.length) return [s2, { err: r.err }]; break; }
      next = s2;
      blocks.push(r.block);
    }
    // another thread mapped the page meanwhile (the re-check under truncate_mutex)
    if (!blocks.length) blocks.push(...mappedRun(next, ino, pgoff, pages));
    const [s3, pfns] = pfnsOf(next, ino, blocks);
    return [s3, { type: 'mapped', pgoff, pages: pfns.length, pfns, fresh: true }];
  });
  yield* unlock(truncateMutex(ino));
  yield* cover(B_EXT2_IOMAP, 'err' in got ? (got.err === -ENOSPC ? 'enospc' : 'hole') : 'allocated');
  return got;
}

/** ext2_iomap_ops (6.1). ->iomap_end frees nothing, as ext4_iomap_end: a failed write's blocks are the write_iter's to trim. */
export const ext2_iomap_ops: IomapOps = { name: 'ext2_iomap_ops', iomap_begin: ext2_iomap_begin };

/** ext2_dax_read_iter (6.1): dax_iomap_rw under inode_lock_shared. */
export function* ext2_dax_read_iter(ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf): Proc<Transfer> {
  yield* lock(i_mutex(ino), 'shared');
  const r = yield* dax_iomap_read(ctx, pid, ino, pos, len, buf, ext2_iomap_ops);
  yield* unlock(i_mutex(ino));
  return r;
}

/**
 * ext2_dax_write_iter (6.1) under inode_lock: generic_write_checks, dax_iomap_rw, and i_size
 * moved to the position reached only if bytes were written ("if (ret > 0 && iocb->ki_pos >
 * i_size_read(inode))"; xfs_file_dax_write alike) — XIP 3.19 moved it even when nothing was.
 * A write that was to extend the file and stopped short has its blocks past the new i_size
 * freed, as ext4_dax_write_iter's ext4_inode_extension_cleanup → ext4_truncate_failed_write.
 */
export function* ext2_dax_write_iter(ctx: Ctx, pid: number, ino: number, pos0: number, count0: number, buf: Buf, append: boolean): Proc<Transfer> {
  yield* lock(i_mutex(ino));
  const chk = yield* read('generic_write_checks', (s) => generic_write_checks(s, ino, pos0, count0, append, has(ctx.variant, 'mut-efbig-off-by-one')));
  if (chk.err || chk.count === 0) {
    yield* unlock(i_mutex(ino));
    return { ret: chk.err, pos: pos0 };
  }
  const extend = yield* read('i_size_read', (s) => chk.pos + chk.count > s.inodes[ino]!.size);
  const w = yield* dax_iomap_write(ctx, pid, ino, chk.pos, chk.count, buf, ext2_iomap_ops);
  const end = chk.pos + w.done;
  yield* atomic('i_size_write', (s) => [w.done > 0 && end > s.inodes[ino]!.size ? updateInode(s, ino, (i) => ({ ...i, size: end })) : s, null] as const);
  if (extend && w.done < chk.count) {
    yield* cover(B_EXT2_IOMAP, 'failed-write-truncate');
    yield* lock(truncateMutex(ino));
    yield* atomic('ext4_truncate_failed_write', (s) => [ext2_truncate_blocks(s, ino, pagesFor(s.inodes[ino]!.size, ctx.pageSize)), null] as const);
    yield* unlock(truncateMutex(ino));
  }
  yield* unlock(i_mutex(ino));
  return { ret: w.done ? w.done : w.err, pos: end, status: w.err || undefined, ...w.fail };
}

/** ext2_dax_fault (6.1): dax_iomap_fault under mapping->invalidate_lock shared, so truncate cannot free what it maps. */
export function* ext2_dax_fault(ctx: Ctx, pid: number, vma: Vma, vpage: number, write: boolean): Proc<FaultResult> {
  yield* lock(invalidate_lock(vma.ino!), 'shared');
  const r = yield* dax_iomap_pte_fault(ctx, pid, vma, vpage, write, ext2_iomap_ops);
  yield* unlock(invalidate_lock(vma.ino!));
  return r;
}

/** ext2_dax_vm_ops (6.1): .fault, .page_mkwrite and .pfn_mkwrite all ext2_dax_fault. */
export const ext2_dax_vm_ops = register_vm_ops({
  name: 'ext2_dax_vm_ops',
  fault: ext2_dax_fault,
  pfn_mkwrite: (ctx, pid, vma, vpage) => ext2_dax_fault(ctx, pid, vma, vpage, true),
});

/**
 * ext2_file_operations of 6.1 on a DAX inode: read_iter/write_iter reach the DAX paths
 * (ext2_file_read_iter: `if (IS_DAX(iocb->ki_filp->f_mapping->host)) return
 * ext2_dax_read_iter(…)`), ->mmap installs ext2_dax_vm_ops (ext2_file_mmap).
 */
export const ext2_dax_file_operations: FileOperations = {
  name: 'ext2_dax_file_operations', read: ext2_dax_read_iter, write: ext2_dax_write_iter, read_iter: true, write_iter: true,
  mmap: () => ({ vmOps: ext2_dax_vm_ops.name, branch: 'dax_file_mmap' }), fsync: ext2_fsync,
};

/** The variant's switch, read where ext2 picks an inode's tables. */
export const daxOf = (ctx: Ctx): boolean => has(ctx.variant, 'dax-6.1');
