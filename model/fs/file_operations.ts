import type { Ctx, Proc } from '../kernel/step.ts';
import type { Buf } from '../mm/user_copy.ts';
import type { Transfer } from '../mm/filemap_xip.ts';

/**
 * include/linux/fs.h `struct file_operations`, the members the model's system calls reach.
 * ext2_xip_file_operations (3.x) has .read/.write/.mmap/.fsync and no .aio_read/.aio_write/
 * .splice_read: io_submit on an XIP file is -EINVAL (fs/aio.c aio_run_iocb), readv/writev
 * loop over ->read/->write (do_loop_readv_writev), sendfile reads through ->read
 * (default_file_splice_read → kernel_readv).
 */
export interface FileOperations {
  readonly name: string;
  readonly read: (ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf) => Proc<Transfer>;
  readonly write: (ctx: Ctx, pid: number, ino: number, pos: number, len: number, buf: Buf, append: boolean) => Proc<Transfer>;
  readonly aio: boolean;
}
