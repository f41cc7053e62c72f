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
}

export interface Explanation {
  readonly id: string;
  readonly mounts: (m: LabMount) => boolean;
  readonly matches: (d: Difference, f: ScenarioFacts) => boolean;
  /** One sentence: what differs and why. */
  readonly why: string;
  /** The kernel code behind it, each "file function (version)". */
  readonly cites: readonly string[];
}

export const EXPLAINED: readonly Explanation[] = [
  {
    id: 'xip-read-discards-faulting-chunk',
    mounts: (m) => m.dax,
    matches: (d) => ['read', 'pread', 'readv'].includes(d.op) && (d.field === 'ret' || d.field === 'data')
      && d.kernelRet !== undefined && d.kernelRet > 0 && d.modelRet !== undefined && (d.modelRet === -14 || d.modelRet < d.kernelRet),
    why: 'A read whose user buffer faults part-way through a page: XIP 3.19 tests the uncopied count before adding the chunk, so the bytes of the faulting chunk are not counted (-EFAULT if it was the first); DAX 6.1 counts every byte dax_copy_to_iter copied and returns the short count.',
    cites: ['mm/filemap_xip.c do_xip_mapping_read: "if (left) { error = -EFAULT; goto out; }" before "copied += (nr - left)" (3.19)', 'fs/dax.c dax_iomap_iter: "done += xfer; if (xfer == 0) ret = -EFAULT; if (xfer < map_len) break;" (6.1)'],
  },
  {
    id: 'pagecache-enospc-at-mkwrite',
    mounts: (m) => m.fstype === 'ext4' && !m.dax,
    matches: (d, f) => f.fills && ((d.op === 'store' && (d.field === 'ret' || d.field === 'signal')) || (d.op === 'fsync' && d.field === 'ret')),
    why: 'A shared store into a hole of a page-cache file on a full file system: ext4 reserves the block when the page is first written through the mapping (ext4_page_mkwrite → ext4_da_get_block_prep) and the store gets SIGBUS; ext2 3.19 has no allocating page_mkwrite (filemap_page_mkwrite), so the store succeeds and writeback fails later, fsync returning -ENOSPC.',
    cites: ['fs/ext4/inode.c ext4_page_mkwrite, ext4_da_get_block_prep (6.1)', 'mm/filemap.c generic_file_vm_ops, filemap_page_mkwrite (3.19)', 'fs/ext2/inode.c ext2_writepage → ext2_get_block (3.19)'],
  },
  {
    id: 'xfs-slack',
    mounts: (m) => m.fstype === 'xfs',
    matches: (_d, f) => f.fills,
    why: 'xfs reserves blocks for each transaction (inode chunks, btree splits: xfs_create, xfs_iomap_write_direct) and refuses a create or an allocation that would leave it fewer, so ENOSPC comes while f_bfree is still positive; the lab leaves xfs 64 spare blocks (hidden from f_bfree) and a scenario that fills the model\'s file system does not fill xfs.',
    cites: ['fs/xfs/xfs_inode.c xfs_create (6.1)', 'fs/xfs/xfs_iomap.c xfs_iomap_write_direct (6.1)', 'fs/xfs/xfs_trans.c xfs_trans_reserve (6.1)'],
  },
];

export function explain(mount: LabMount, d: Difference, f: ScenarioFacts): Explanation | null {
  return EXPLAINED.find((e) => e.mounts(mount) && e.matches(d, f)) ?? null;
}
