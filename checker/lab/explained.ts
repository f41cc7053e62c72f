import type { Difference, LabMount } from './diff.ts';

/**
 * Differences between the model and a real kernel that are understood: each a documented row
 * (docs/lab.md) with the kernel code behind it. A difference no row explains is a bug to explain,
 * in the model or in the kernel, and fails `xipcheck lab diff`.
 *
 * A row names the mounts it applies to and what must hold of the scenario and the difference.
 * Rows are deliberately narrow: a row that matched more than its reason covers would hide bugs.
 */
export interface ScenarioFacts {
  /** The model's file system ran out of blocks in this scenario (a call returned -ENOSPC, or a fault could not allocate). */
  readonly fills: boolean;
  /** A read fault of the model allocated a block somewhere in this scenario (XIP's shared writable hole). */
  readonly readFaultAllocated?: boolean;
  /** A write of the model stopped short at a faulting user buffer (status -EFAULT, some bytes written). */
  readonly shortWrite?: boolean;
  /** A write of the model faulted on its user buffer before writing a byte (-EFAULT). */
  readonly failedWrite?: boolean;
  /** A read()/readv()/write()/writev() returned another count on the kernel: the file positions differ from there on. */
  readonly posShifted?: boolean;
}

export interface Explanation {
  readonly id: string;
  /**
   * The model it explains a difference with: `xip`, a difference of design between XIP 3.19 and
   * DAX 6.1, which the variant dax-6.1 must not show (held to it, such a difference is unexplained);
   * `any`, a difference of the real file systems or of the kernel from either design.
   */
  readonly models: 'xip' | 'any';
  readonly mounts: (m: LabMount) => boolean;
  readonly matches: (d: Difference, f: ScenarioFacts) => boolean;
  /** One sentence: what differs and why. */
  readonly why: string;
  /** The kernel code behind it, each "file function (version)". */
  readonly cites: readonly string[];
}

const num = (v: string) => (/^-?\d+$/.test(v) ? Number(v) : NaN);
const bytes = (v: string) => (/^\[[-\d ]*\]$/.test(v) ? v.slice(1, -1).split(' ').filter(Boolean).map(Number) : null);
/** Same length, and wherever the two differ the kernel's group was read half written (-1). */
function tornOnly(kernel: string, model: string): boolean {
  const k = bytes(kernel), m = bytes(model);
  return !!k && !!m && k.length === m.length && k.some((b) => b === -1) && k.every((b, i) => b === m[i] || b === -1);
}

/** Same length, and wherever the two differ the kernel's byte is 0. */
function zerosWhereDiffer(kernel: string, model: string): boolean {
  const k = bytes(kernel), m = bytes(model);
  return !!k && !!m && k.length === m.length && k.every((b, i) => b === m[i] || b === 0);
}

export const EXPLAINED: readonly Explanation[] = [
  {
    id: 'xip-read-fault-allocates',
    models: 'xip',
    mounts: (m) => m.dax,
    // the model's load failed for want of a block; the kernel read zeros without a signal
    matches: (d) => (d.op === 'load' && d.modelAllocFail !== undefined && ((d.field === 'signal' && d.kernel === 'none' && d.model === 'SIGBUS')
      || (d.field === 'data' && /^\[(0 ?)+\]$/.test(d.kernel))))
      // after the model allocated on a read fault, the kernel has that block more to spare:
      // fewer blocks in use, more free, an allocation the model refuses succeeding
      || (d.after?.readFaultAllocated === true && ((d.field === 'blocks' && num(d.kernel) < num(d.model)) || (d.field === 'bfree' && num(d.kernel) > num(d.model))
        || (['write', 'pwrite', 'writev'].includes(d.op) && d.field === 'ret' && d.modelRet !== undefined && d.kernelRet !== undefined && (d.modelRet === -28 || d.kernelRet > d.modelRet) && d.kernelRet >= 0))),
    why: 'A read fault on a hole of a shared mapping that may be written: XIP 3.19 allocates a block (get_xip_mem with create=1 when VM_MAYWRITE|VM_MAYSHARE), so on a full file system the load gets SIGBUS; DAX 6.1 allocates nothing on a read fault (dax_load_hole maps the zero page), so the load reads zeros. Once the model has allocated on a read fault, the kernel has that block to spare: st_blocks lower, f_bfree higher, a later write the model cuts short with ENOSPC going further.',
    cites: ['mm/filemap_xip.c xip_file_fault: "if ((vma->vm_flags & (VM_WRITE | VM_MAYWRITE)) && (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) && ...)" then get_xip_mem(mapping, vmf->pgoff, 1, …) (3.19)', 'fs/dax.c dax_iomap_pte_fault: IOMAP_WRITE only for a write fault; dax_fault_iter → dax_load_hole (6.1)'],
  },
  {
    id: 'kernel-dax-hole-read-fault-returns-0',
    models: 'xip',
    mounts: (m) => m.dax,
    matches: (d) => ['read', 'pread', 'readv'].includes(d.op) && d.field === 'ret' && d.kernelRet === 0 && d.modelRet === -14,
    why: 'A defect of the 6.1 kernel, found by the lab: a read of a hole (or unwritten extent) of a DAX file into a user buffer that faults at its first byte returns 0 — end of file — instead of -EFAULT. dax_iomap_iter returns what iov_iter_zero zeroed, 0; iomap_iter_advance ends the walk on a step that processed nothing with 0, not an error, and dax_iomap_rw returns "done ? done : ret", 0. The page-cache path (filemap_read) and XIP 3.19 return -EFAULT.',
    cites: ['fs/dax.c dax_iomap_iter: "return iov_iter_zero(min(length, end - pos), iter);"; dax_iomap_rw: "return done ? done : ret;" (6.1)', 'fs/iomap/iter.c iomap_iter_advance: "if (!iter->processed && !stale) return 0;" (6.1)', 'mm/filemap_xip.c do_xip_mapping_read: __clear_user of a hole, "if (left) { error = -EFAULT; goto out; }" (3.19)'],
  },
  {
    id: 'dax-write-allocates-whole-range',
    models: 'xip',
    mounts: (m) => m.dax,
    matches: (d) => d.after?.shortWrite === true && ((d.field === 'blocks' && num(d.kernel) > num(d.model)) || (d.field === 'bfree' && num(d.kernel) < num(d.model))),
    why: 'A write cut short by a faulting user buffer: DAX 6.1 allocates the blocks of the whole range the file system maps before copying (ext4_iomap_begin, xfs_direct_write_iomap_begin) and keeps them when the copy stops (ext4_iomap_end frees nothing; xfs_dax_write_iomap_end only ends CoW), so a block past the bytes written stays allocated; XIP 3.19 allocates page by page as it copies (__xip_file_write: get_xip_mem(create=1), then the copy) and stops at the fault.',
    cites: ['fs/ext4/inode.c ext4_iomap_begin: map.m_len over the whole length, ext4_iomap_alloc; ext4_iomap_end (6.1)', 'fs/xfs/xfs_iomap.c xfs_direct_write_iomap_begin, xfs_dax_write_iomap_end (6.1)', 'fs/dax.c dax_iomap_iter: "if (xfer < map_len) break;" (6.1)', 'mm/filemap_xip.c __xip_file_write (3.19)'],
  },
  {
    id: 'seek-hole-data',
    models: 'any',
    mounts: () => true,
    matches: (d) => d.op === 'lseek' && d.field === 'ret' && d.action?.op === 'lseek' && (d.action.whence === 'hole' || d.action.whence === 'data'),
    why: 'SEEK_HOLE/SEEK_DATA: ext2 uses generic_file_llseek, in 3.19 and still in 6.1, which sees the whole file as data with one virtual hole at EOF; ext4 and xfs 6.1 walk the extent map (iomap_seek_hole/iomap_seek_data) and report the real holes. The model sides with ext2, its file system, under both designs.',
    cites: ['fs/read_write.c generic_file_llseek_size, SEEK_DATA/SEEK_HOLE cases (3.19, 6.1); fs/ext2/file.c .llseek = generic_file_llseek (3.19, 6.1)', 'fs/ext4/file.c ext4_llseek → iomap_seek_hole/iomap_seek_data (6.1)', 'fs/xfs/xfs_file.c xfs_file_llseek → iomap_seek_hole/iomap_seek_data (6.1)'],
  },
  {
    id: 'pagecache-delayed-allocation',
    models: 'any',
    mounts: (m) => !m.dax,
    // in one direction only: the kernel has reserved blocks the model has not allocated yet
    matches: (d) => (d.field === 'blocks' && num(d.kernel) > num(d.model)) || (d.field === 'bfree' && num(d.kernel) < num(d.model))
      || (d.op === 'store' && ((d.field === 'signal' && d.kernel === 'SIGBUS' && d.model === 'none') || (d.field === 'ret' && num(d.kernel) < num(d.model))))
      // after a store the kernel refused: its bytes are not in the file (the kernel reads 0
      // where the model reads them) and its block was never taken (more free on the kernel)
      || (d.after?.storeRefused === true && ((d.field === 'data' && zerosWhereDiffer(d.kernel, d.model)) || (d.field === 'bfree' && num(d.kernel) > num(d.model)))),
    why: 'On a page-cache mount ext4 and xfs reserve a block when a page is first dirtied (a write, or a store through a shared mapping: ext4_page_mkwrite, iomap_page_mkwrite): st_blocks counts the reservation and f_bfree loses it at once, and when none is left the store gets SIGBUS. ext2 3.19 allocates only at writeback (filemap_page_mkwrite allocates nothing), so its st_blocks and f_bfree change later and a full file system shows at fsync. After a store the kernel refused, its bytes are missing from the file and its block was never taken: later reads show 0 where the model shows them, and f_bfree is higher.',
    cites: ['fs/ext4/inode.c ext4_page_mkwrite → ext4_da_get_block_prep; ext4_getattr adds i_reserved_data_blocks to st_blocks (6.1)', 'fs/ext4/super.c ext4_statfs subtracts s_dirtyclusters_counter (6.1)', 'fs/xfs/xfs_iops.c xfs_vn_getattr: stat->blocks from i_nblocks + i_delayed_blks (6.1)', 'mm/filemap.c filemap_page_mkwrite (3.19)'],
  },
  {
    id: 'xip-read-discards-faulting-chunk',
    models: 'xip',
    mounts: (m) => m.dax,
    matches: (d) => (['read', 'pread', 'readv'].includes(d.op) && (d.field === 'ret' || d.field === 'data')
      && d.kernelRet !== undefined && d.kernelRet > 0 && d.modelRet !== undefined && (d.modelRet === -14 || d.modelRet < d.kernelRet))
      // the file position moved by what each side counted: a later read()/write() of the same
      // length starts elsewhere and sees other bytes
      || (d.after?.posShifted === true && ['read', 'readv', 'write', 'writev'].includes(d.op) && d.field === 'data'),
    why: 'A read whose user buffer faults part-way through a page: XIP 3.19 tests the uncopied count before adding the chunk, so the bytes of the faulting chunk are not counted (-EFAULT if it was the first); DAX 6.1 counts every byte dax_copy_to_iter copied and returns the short count.',
    cites: ['mm/filemap_xip.c do_xip_mapping_read: "if (left) { error = -EFAULT; goto out; }" before "copied += (nr - left)" (3.19)', 'fs/dax.c dax_iomap_iter: "done += xfer; if (xfer == 0) ret = -EFAULT; if (xfer < map_len) break;" (6.1)'],
  },
  {
    id: 'kernel-ext4-dax-failed-write-isize-by-errno',
    models: 'any',
    // before xip-failed-write-extends-isize: on ext4 the size is this defect's, whatever the design
    mounts: (m) => m.fstype === 'ext4' && m.dax,
    // ext4's file ends 14 bytes (EFAULT) before the write's offset: longer than xfs's, shorter
    // than XIP's, and not on a page (the executor's partial size)
    // (and the blocks that size covers stay: ext4_truncate_failed_write trims only past it)
    matches: (d) => d.after?.failedWrite === true && (d.field === 'partial' || (d.field === 'size' && num(d.kernel) !== num(d.model))
      || (d.field === 'blocks' && num(d.kernel) > num(d.model)) || (d.field === 'bfree' && num(d.kernel) < num(d.model))
      || (['read', 'pread', 'readv'].includes(d.op) && (d.field === 'ret' || d.field === 'data') && d.kernelRet !== undefined && d.modelRet !== undefined && d.kernelRet > d.modelRet)),
    why: 'A defect of ext4 in 6.1, found by the lab: an extending DAX write whose user buffer faults before its first byte gets -EFAULT from dax_iomap_rw, and ext4_dax_write_iter hands that negative count to ext4_handle_inode_extension, which sets i_size to offset + count — 14 bytes (EFAULT) before the offset — whenever that is past the old size. The file grows with nothing written, to a size no write asked for. xfs and ext2 test "ret > 0" first.',
    cites: ['fs/ext4/file.c ext4_dax_write_iter: "ret = ext4_handle_inode_extension(inode, offset, ret);" after dax_iomap_rw (6.1.192)', 'fs/ext4/file.c ext4_handle_inode_extension: "if (ext4_update_inode_size(inode, offset + count))" (6.1.192)', 'fs/ext4/inode.c ext4_update_inode_size: i_size_write only when larger (6.1)'],
  },
  {
    id: 'xip-failed-write-extends-isize',
    models: 'xip',
    mounts: (m) => m.dax,
    // after a write that wrote nothing past EOF: the model's file is longer, so it reads (and
    // maps) what the kernel's file does not have
    matches: (d) => d.after?.failedWrite === true && ((d.field === 'size' && num(d.kernel) < num(d.model))
      || (['read', 'pread', 'readv'].includes(d.op) && (d.field === 'ret' || d.field === 'data') && d.kernelRet !== undefined && d.modelRet !== undefined && d.kernelRet < d.modelRet)),
    why: 'A write past EOF whose user buffer faults before its first byte: XIP 3.19 moves i_size to the position it reached after the loop whatever ended it, so the file grows to the write\'s offset with nothing written; xfs 6.1 (and ext2 6.1) move i_size only when bytes were written, so the file keeps its size and a later access past the old EOF fails where the model\'s succeeds.',
    cites: ['mm/filemap_xip.c __xip_file_write: "if (pos > inode->i_size) { i_size_write(inode, pos); …}" after the loop (3.19)', 'fs/xfs/xfs_file.c xfs_file_dax_write: "if (ret > 0 && iocb->ki_pos > i_size_read(inode))" (6.1)', 'fs/ext2/file.c ext2_dax_write_iter, the same test (6.1)'],
  },
  {
    id: 'xfs-failed-write-keeps-blocks-past-eof',
    models: 'any',
    mounts: (m) => m.fstype === 'xfs' && m.dax,
    matches: (d) => (d.after?.failedWrite === true || d.after?.shortWrite === true) && ((d.field === 'blocks' && num(d.kernel) > num(d.model)) || (d.field === 'bfree' && num(d.kernel) < num(d.model))),
    why: 'A write past EOF that stopped at a faulting user buffer: xfs mapped (allocated) the whole range before copying and leaves the blocks past the new EOF allocated — xfs_file_dax_write trims nothing, xfs_dax_write_iomap_end only ends a CoW — until the file is released (xfs_release → xfs_free_eofblocks). XIP 3.19 allocated only the page it was copying into; ext4 (and the variant dax-6.1, which follows it) free them at once (ext4_truncate_failed_write).',
    cites: ['fs/xfs/xfs_file.c xfs_file_dax_write: dax_iomap_rw, then only "if (ret > 0 && iocb->ki_pos > i_size_read(inode))" (6.1)', 'fs/xfs/xfs_iomap.c xfs_dax_write_iomap_end (6.1)', 'fs/xfs/xfs_inode.c xfs_release → xfs_free_eofblocks (6.1)'],
  },
  {
    id: 'pagecache-enospc-at-mkwrite',
    models: 'any',
    mounts: (m) => !m.dax,
    matches: (d, f) => f.fills && ((d.op === 'store' && (d.field === 'ret' || d.field === 'signal')) || (d.op === 'fsync' && d.field === 'ret')),
    why: 'A shared store into a hole of a page-cache file on a full file system: ext4 and xfs reserve the block when the page is first written through the mapping (ext4_page_mkwrite → ext4_da_get_block_prep; xfs_filemap_page_mkwrite → iomap_page_mkwrite → xfs_buffered_write_iomap_begin) and the store gets SIGBUS; ext2 3.19 has no allocating page_mkwrite (filemap_page_mkwrite), so the store succeeds and writeback fails later, fsync returning -ENOSPC.',
    cites: ['fs/ext4/inode.c ext4_page_mkwrite, ext4_da_get_block_prep (6.1)', 'fs/xfs/xfs_file.c xfs_filemap_page_mkwrite, fs/iomap/buffered-io.c iomap_page_mkwrite (6.1)', 'mm/filemap.c generic_file_vm_ops, filemap_page_mkwrite (3.19)', 'fs/ext2/inode.c ext2_writepage → ext2_get_block (3.19)'],
  },
  {
    id: 'ext4-remount-refuses-dax-change',
    models: 'any',
    mounts: (m) => m.fstype === 'ext4',
    // only a remount asking for DAX (dax=always) of a mount that does not have it
    matches: (d) => (d.op === 'remount' && d.field === 'ret' && d.kernel === '-22' && d.model === '0' && d.action?.op === 'remount' && d.action.xip && d.kernelDax === false)
      // after it, a remount read-only that ext4 refused left the mount read-write: what the
      // model refuses with -EROFS the kernel does (or refuses otherwise), and statfs says rw
      || (d.after?.remountRefused === true && ((d.field === 'ret' && d.model === '-30') || (d.op === 'statfs' && d.field === 'ro'))),
    why: 'A remount asking for DAX of a mount without it: ext4 6.1 refuses the whole remount with -EINVAL ("can\'t change dax mount option while remounting"); ext2 keeps the mode it has and returns 0, in 6.1 ("refusing change of dax flag with busy inodes while remounting", whatever the inodes) as in the model of 3.19, which keeps every in-core inode and so always has busy ones; xfs ignores the option (xfs_fs_reconfigure applies only inode32/inode64 and ro/rw). The mode stays on every file system; only ext4\'s answer differs, and what else the remount asked (read-only) ext4 does not do: from there the model refuses with -EROFS what the kernel does.',
    cites: ['fs/ext4/super.c ext4_check_opt_consistency: "can\'t change dax mount option while remounting", -EINVAL (6.1)', 'fs/ext2/super.c ext2_remount: "refusing change of dax flag with busy inodes while remounting" (6.1); "refusing change of xip flag with busy inodes" (3.19)', 'fs/xfs/xfs_super.c xfs_fs_reconfigure (6.1)'],
  },
  {
    id: 'harness-torn-group',
    models: 'any',
    mounts: () => true,
    // a load in a concurrent group whose bytes are the model's but for groups read mid-copy (-1)
    matches: (d) => d.group === true && d.op === 'load' && d.field === 'data' && tornOnly(d.kernel, d.model),
    why: 'Of the harness, not of either kernel: a model byte is 4096/pageSize real bytes (1024 here), and a store of the other thread of the group, or the kernel zeroing a truncated tail, writes them with memcpy, not at once; with two CPUs a load can read such a group half written, which the executor reports as -1 (a group that is not uniform). The model\'s byte is atomic. Only a load of a concurrent group, only where the kernel\'s group is -1.',
    cites: ['lab/guest/executor.c: a load folds each group of SCALE bytes to one model byte, -1 if they differ', 'arch/x86/lib/memcpy_64.S (6.1): a store of many bytes is not one access'],
  },
  {
    id: 'xfs-slack',
    models: 'any',
    mounts: (m) => m.fstype === 'xfs',
    // only what allocation decides: a store's or a write's outcome, the bytes that landed, the
    // blocks in use and free — never a read's count, a seek, a descriptor or a mapping
    matches: (d, f) => f.fills && ((['store', 'load'].includes(d.op) && ['ret', 'signal', 'data'].includes(d.field))
      || (['write', 'pwrite', 'writev'].includes(d.op) && d.field === 'ret')
      || (d.op === 'fstat' && (d.field === 'blocks' || d.field === 'size'))
      || (d.op === 'statfs' && d.field === 'bfree')
      || (['read', 'pread', 'readv'].includes(d.op) && d.field === 'data')),
    why: 'xfs reserves blocks for each transaction (inode chunks, btree splits: xfs_create, xfs_iomap_write_direct) and refuses an allocation that would leave it fewer, so near a full file system its ENOSPC does not fall where the model\'s does: the lab leaves xfs 64 spare blocks hidden from f_bfree, and in a scenario that fills the model\'s file system xfs makes some allocations the model refuses and refuses some the model makes (a write fault of a store, whose reservation is larger: SIGBUS). Only what allocation decides may differ: a store\'s or a write\'s outcome, the bytes that landed, st_blocks, st_size, f_bfree.',
    cites: ['fs/xfs/xfs_inode.c xfs_create (6.1)', 'fs/xfs/xfs_iomap.c xfs_iomap_write_direct (6.1)', 'fs/xfs/xfs_trans.c xfs_trans_reserve (6.1)'],
  },
];

/**
 * The row that explains a difference, against the XIP design (`dax` false) or the variant
 * dax-6.1. A row's mounts are judged by the mode the kernel's file system had at the call: a
 * scenario that mounted it again without DAX (or with it) ran from there on as that mount.
 */
export function explain(mount: LabMount, d: Difference, f: ScenarioFacts, dax = false): Explanation | null {
  const now = d.kernelDax === undefined || d.kernelDax === mount.dax ? mount : { ...mount, dax: d.kernelDax };
  return EXPLAINED.find((e) => (e.models === 'any' || !dax) && e.mounts(now) && e.matches(d, f)) ?? null;
}
