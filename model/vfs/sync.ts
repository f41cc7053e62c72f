import type { Ctx } from '../kernel/step.ts';
import type { State } from '../state.ts';
import { aopsByName } from '../fs/aops.ts';

/**
 * sync_filesystem(sb) at umount (fs/sync.c, 3.x): every inode of that super block's dirty page-cache pages written back
 * through its a_ops->writepages (do_writepages), inside the umount step. An XIP mapping's a_ops
 * has none: its stores went to the medium. A writeback error here is lost, as at umount.
 */
export function sync_filesystem(ctx: Ctx, s: State, fs: number): State {
  let next = s;
  for (const i of s.inodes) {
    if (!i || i.fs !== fs) continue;
    const writepages = aopsByName(i.aops).writepages;
    if (writepages) next = writepages(ctx, next, i.ino);
  }
  return next;
}
