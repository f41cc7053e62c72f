import type { Mutation } from './kernel/variant.ts';

/**
 * The mutation corpus: defects of the kinds an implementer of a file system, a driver or the
 * XIP paths makes — a wrong errno, a spurious failure, success where the kernel fails, an
 * off-by-one at EOF or at a bound. Each is one switch at one named place in the model; the
 * default `check` (or `explore`) must catch every one, and which invariant catches it is
 * expected data (properties/expected/mutants.json, judged by test/mutants.test.ts).
 */
export interface Mutant {
  readonly flag: Mutation;
  readonly kind: 'wrong errno' | 'spurious failure' | 'success where the kernel fails' | 'off-by-one' | 'wrong value';
  /** What the defective code does, and where (the kernel function it corrupts). */
  readonly description: string;
}

export const MUTANTS: readonly Mutant[] = [
  { flag: 'mut-xip-hole-write-enospc', kind: 'spurious failure', description: '__xip_file_write: every write into a hole fails with -ENOSPC, whatever the free space' },
  { flag: 'mut-ftruncate-odd-einval', kind: 'wrong errno', description: 'do_sys_ftruncate: -EINVAL for an odd length' },
  { flag: 'mut-open-append-enoent', kind: 'wrong errno', description: 'do_sys_open: O_APPEND of an existing file is -ENOENT' },
  { flag: 'mut-close-fd0-ebadf', kind: 'spurious failure', description: 'filp_close: descriptor 0 is -EBADF and stays open' },
  { flag: 'mut-lseek-off-by-one', kind: 'off-by-one', description: 'generic_file_llseek: f_pos is set one past the offset returned' },
  { flag: 'mut-unlink-ro', kind: 'success where the kernel fails', description: 'vfs_unlink: no -EROFS on a read-only mount' },
  { flag: 'mut-mmap-shared-write-rdonly', kind: 'success where the kernel fails', description: 'do_mmap_pgoff: a shared writable mapping of a file opened read-only is allowed (no -EACCES)' },
  { flag: 'mut-read-past-eof', kind: 'off-by-one', description: 'do_xip_mapping_read: i_size read one too large, so a read returns a byte past EOF' },
  { flag: 'mut-efbig-off-by-one', kind: 'off-by-one', description: 'generic_write_checks (XIP path): pos > s_maxbytes instead of >=, a write at s_maxbytes returns 0, not -EFBIG' },
  { flag: 'mut-umount-ignores-busy', kind: 'success where the kernel fails', description: 'generic_shutdown_super: umount succeeds with files open or mapped' },
  { flag: 'mut-remount-ro-ignores-writers', kind: 'success where the kernel fails', description: 'do_remount_sb: going read-only succeeds while files are open for write' },
  { flag: 'mut-fd-not-lowest', kind: 'wrong value', description: 'get_unused_fd: a new descriptor is the next unused number, not the lowest free one' },
  { flag: 'mut-blkdev-open-ro-write', kind: 'success where the kernel fails', description: 'blkdev_get: opening a read-only disk for write succeeds (no -EACCES)' },
  { flag: 'mut-brd-discard-off-by-one', kind: 'off-by-one', description: 'discard_from_brd: a page just past the end is accepted (page > pages instead of >=)' },
  { flag: 'mut-pread-moves-fpos', kind: 'wrong value', description: 'sys_pread64: the file position moves as with read' },
  { flag: 'mut-alloc-first-sb', kind: 'wrong value', description: 'ext2_new_blocks: a new block is taken from the first mounted super block\'s bitmap while it has a free bit, not from the inode\'s i_sb\'s (only a machine with several mounts tells)' },
];

export function mutantVariantName(m: Mutant): string {
  return `mutant-${m.flag.replace(/^mut-/, '')}`;
}
