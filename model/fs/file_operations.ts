import { tableRegistry, tracked } from '../kernel/tables.ts';
import type { Ctx, Proc } from '../kernel/step.ts';
import type { State } from '../state.ts';
import type { Buf } from '../mm/user_copy.ts';
import type { Transfer } from '../mm/filemap_xip.ts';

/**
 * What filemap_write_and_wait_range finds for ->fsync, read in the caller's step (fdget for
 * fsync, the vma walk for msync): the mapping's a_ops by name and its dirty page-cache pages
 * in the range.
 */
export interface WritebackRange { readonly aops: string; readonly dirty: readonly number[] }

/** What ->mmap installs: the vm_operations_struct (by name, mm/vm_operations.ts) and which mmap ran. */
export type MmapResult = { readonly vmOps: string; readonly branch: 'xip_file_mmap' | 'generic_file_mmap' | 'dax_file_mmap' };

/**
 * include/linux/fs.h `struct file_operations` (3.19), the members the model's system calls
 * reach. ext2_xip_file_operations has .read/.write/.mmap/.fsync and no .read_iter/.write_iter
 * (nor .aio_read/.aio_write) and no .splice_read: io_submit on an XIP file is -EINVAL
 * (fs/aio.c aio_run_iocb: `if (!rw_op && !iter_op) return -EINVAL`), readv/writev loop over
 * ->read/->write (do_loop_readv_writev), sendfile reads through ->read
 * (default_file_splice_read → kernel_readv).
 */
export interface FileOperations {
  readonly name: string;
  readonly read: (ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf) => Proc<Transfer>;
  readonly write: (ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf, append: boolean) => Proc<Transfer>;
  /** ->read_iter / ->write_iter: present ⇒ io_submit(IOCB_CMD_PREAD/PWRITE) runs (through ->read/->write here). */
  readonly read_iter?: true;
  readonly write_iter?: true;
  /** ->mmap, inside do_mmap_pgoff's step: sets vma->vm_ops (xip_file_mmap, generic_file_mmap). */
  readonly mmap: (s: State, ino: number) => MmapResult;
  /** ->fsync(file, start, end, datasync) as vfs_fsync_range calls it, for sys_fsync and sys_msync. */
  readonly fsync: (ctx: Ctx, ino: number, range: WritebackRange) => Proc<number>;
}

/** Every file_operations table an inode's i_fop can name (filled by register_filesystem). */
const fops = tableRegistry<FileOperations>('file_operations', ': no registered file system provides it');
tracked('file_operations', fops.map);
export const fopsRegistry = fops.map;
export const register_fops = fops.register;
export const unregister_fops = fops.forget;
export const fopsByName = fops.byName;

/** inode->i_fop, which do_dentry_open copies into file->f_op. */
export function i_fop(s: State, ino: number): FileOperations {
  return fopsByName(s.inodes[ino]!.fops);
}
