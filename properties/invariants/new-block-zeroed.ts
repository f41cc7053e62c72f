import type { Invariant } from '../invariant.ts';
import { isZero, readPfn } from '../../model/kernel/physmem.ts';
import { fsBlockPfn } from '../../model/block/block_device.ts';
import { mapping_is_xip } from '../../model/fs/aops.ts';
import { blocksOf } from './layout.ts';

/** 7. A block is zeroed (or, through the page cache, written whole) before it is linked into an inode. */
export const newBlockZeroed: Invariant = {
  id: 'new-block-zeroed',
  title: 'new blocks are zeroed before anyone can see them',
  why: 'A freed block keeps its old bytes; linked into a file before being cleared, it shows another file’s (or another user’s) old data through read() and through mappings — a data leak no permission check stops.',
  source: 'fs/ext2/inode.c ext2_get_blocks (2.6.26–3.19): ext2_clear_xip_target after ext2_alloc_branch and before ext2_splice_branch, all under truncate_mutex',
  when: 'step',
  brokenBy: 'no-zero-new-block',
  needsLayout: true,
  checkStep(pre, post) {
    for (const i of post.inodes) {
      // each inode's blocks are on its own file system's device (i_sb->s_bdev)
      const sb = i && post.sbs[i.fs];
      if (!i || !sb) continue;
      // bmap before and after: a block newly at a file page
      const map = blocksOf(post, i.ino), was = blocksOf(pre, i.ino);
      for (let pg = 0; pg < map.length; pg++) {
        const b = map[pg];
        if (!b || was[pg] === b) continue;
        const bytes = readPfn(post, fsBlockPfn(post, sb.dev, b));
        if (mapping_is_xip(post, i.ino)) {
          if (!isZero(bytes)) return `inode ${i.ino} pgoff ${pg}: block ${b} was linked holding [${bytes}]`;
        } else {
          // a failed bio (brd_insert_page's -ENOSPC) leaves the spliced block unwritten and the
          // page dirty in the page cache, which is what every reader sees until a retry
          const pc = i.pageCache[pg];
          if (!pc || (pc.data.join() !== bytes.join() && !pc.dirty)) return `inode ${i.ino} pgoff ${pg}: block ${b} was linked holding [${bytes}], not the page written back`;
        }
      }
    }
    return null;
  },
};
