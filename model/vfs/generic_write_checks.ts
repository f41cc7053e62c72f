import { EFBIG } from '../kernel/errno.ts';
import type { State } from '../state.ts';
import { fsConfig } from '../config.ts';

/**
 * generic_write_checks (mm/filemap.c, 3.x), the parts the model has: O_APPEND moves the
 * position to i_size, a write starting at or past the inode's s_maxbytes is -EFBIG, a longer one is cut
 * there. Read by both write paths in one step under i_mutex.
 */
export function generic_write_checks(s: State, ino: number, pos0: number, count: number, append: boolean, offByOne = false): { pos: number; count: number; err: number } {
  const pos = append ? s.inodes[ino]!.size : pos0;
  const max = fsConfig(s.cfg, s.inodes[ino]!.fs).maxFilePages * s.cfg.pageSize;
  if (count > 0 && (offByOne ? pos > max : pos >= max)) return { pos, count: 0, err: -EFBIG };
  return { pos, count: Math.min(count, max - pos), err: 0 };
}
