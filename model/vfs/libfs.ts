import type { Ctx, Proc } from '../kernel/step.ts';
import type { WritebackRange } from '../fs/file_operations.ts';
import { filemap_write_and_wait_range } from '../mm/filemap.ts';

/**
 * generic_file_fsync (fs/libfs.c, 3.19): filemap_write_and_wait_range, then the inode's
 * metadata (sync_inode_metadata), which the model does not keep apart from the data.
 */
export function* generic_file_fsync(ctx: Ctx, ino: number, range: WritebackRange): Proc<number> {
  return yield* filemap_write_and_wait_range(ctx, ino, range);
}
