import { generic_file_fsync, generic_file_mmap, generic_file_read, generic_file_write, xip_file_mmap, xip_file_read, xip_file_write, type Ctx, type FileOperations, type Proc, type WritebackRange } from '../kernel_api.ts';

/**
 * ext2_fsync (fs/ext2/file.c, 3.19): generic_file_fsync, then -EIO if the block device's
 * mapping recorded a metadata write error (AS_EIO), which the model's metadata never has.
 */
export function* ext2_fsync(ctx: Ctx, ino: number, range: WritebackRange): Proc<number> {
  return yield* generic_file_fsync(ctx, ino, range);
}

/** fs/ext2/file.c ext2_xip_file_operations (3.19): .read, .write, .mmap = xip_file_mmap, .fsync; no read_iter/write_iter, no splice. */
export const ext2_xip_file_operations: FileOperations = {
  name: 'ext2_xip_file_operations', read: xip_file_read, write: xip_file_write, mmap: xip_file_mmap, fsync: ext2_fsync,
};

/** fs/ext2/file.c ext2_file_operations (3.19): the page-cache path, with read_iter/write_iter (so aio) and generic_file_mmap. */
export const ext2_file_operations: FileOperations = {
  name: 'ext2_file_operations', read: generic_file_read, write: generic_file_write, read_iter: true, write_iter: true, mmap: generic_file_mmap, fsync: ext2_fsync,
};
