import type { Invariant } from '../invariant.ts';
import { mapping_is_xip } from '../../model/fs/aops.ts';

/** 2. An XIP inode (mapping_is_xip: its a_ops has get_xip_mem) never has page-cache pages, and no pte maps a page-cache page of one. */
export const noPagecacheCopies: Invariant = {
  id: 'no-pagecache-copies',
  title: 'no page-cache copies of an XIP file',
  why: 'XIP exists to remove the page-cache copy; a copy would also go stale against stores made through direct mappings.',
  source: 'xip.txt (3.19): "the need to have a page cache copy is eliminated completely. With execute-in-place, read&write type operations are performed directly from/to the memory backed storage device."',
  when: 'every-step',
  brokenBy: 'xip-uses-pagecache',
  check(s) {
    for (const i of s.inodes) {
      if (!i || !mapping_is_xip(s, i.ino)) continue;
      const pg = i.pageCache.findIndex((p) => p);
      if (pg >= 0) return `XIP inode ${i.ino} has a page-cache page at pgoff ${pg}`;
    }
    for (const p of s.procs) {
      for (let vp = 0; vp < p.ptes.length; vp++) {
        const pte = p.ptes[vp];
        if (pte?.kind === 'pagecache' && s.inodes[pte.ino] && mapping_is_xip(s, pte.ino)) return `pid ${p.pid} vpage ${vp} maps a page-cache page of XIP inode ${pte.ino}`;
      }
    }
    return null;
  },
};
