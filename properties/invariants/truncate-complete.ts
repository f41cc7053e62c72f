import type { Invariant } from '../invariant.ts';
import { pagesFor } from '../../model/state.ts';
import { readPfn } from '../../model/kernel/physmem.ts';
import { fsBlockPfn } from '../../model/block/block_device.ts';
import { bmap } from './layout.ts';

/**
 * 8a. Between operations, every pfn pte of a file mapping maps exactly the block linked at its
 * pgoff, inside EOF: no pte is left to a freed (and maybe reused) block or past the end.
 */
export const noStaleMapping: Invariant = {
  id: 'no-stale-mapping',
  title: 'truncate leaves no mapping to a freed block',
  why: 'A pfn pte is not refcounted: if truncate frees a block still mapped, the block is reused by another file and the old mapping reads and writes that file’s data.',
  source: 'fs/ext2/inode.c ext2_setsize (3.x): xip_truncate_page, truncate_setsize (unmap_mapping_range), then __ext2_truncate_blocks; mm/filemap_xip.c xip_file_fault i_size recheck under i_mmap lock (4.0 DAX series)',
  when: 'between-operations',
  brokenBy: 'truncate-no-unmap',
  needsLayout: true,
  check(s) {
    for (const p of s.procs) {
      for (const v of p.vmas) {
        if (v.ino === null) continue;
        const i = s.inodes[v.ino];
        for (let vp = v.start; vp < v.start + v.pages; vp++) {
          const pte = p.ptes[vp];
          if (!pte || (pte.kind !== 'pfn' && pte.kind !== 'pagecache' && pte.kind !== 'sparse')) continue;
          const pgoff = v.pgoff + (vp - v.start);
          if (!i || pgoff >= pagesFor(i.size, s.cfg.pageSize)) return `pid ${p.pid} vpage ${vp} still maps inode ${v.ino} pgoff ${pgoff}, beyond EOF (size ${i?.size})`;
          const sb = s.sbs[i.fs];
          if (pte.kind !== 'pfn' || !sb) continue;
          const b = bmap(s, v.ino, pgoff);
          if (pte.pfn !== fsBlockPfn(s, sb.dev, b || -1)) return `pid ${p.pid} vpage ${vp} maps pfn ${pte.pfn}, but inode ${v.ino} pgoff ${pgoff} has block ${b}`;
        }
      }
    }
    return null;
  },
};

/** 8b. When ftruncate returns, the bytes from the new EOF to the end of its page are zero. */
export const truncateZeroesTail: Invariant = {
  id: 'truncate-zeroes-tail',
  title: 'truncate zeroes the tail of the new last page',
  why: 'Bytes past EOF in the last block become file data again when the file grows; unless truncate zeroes them, an extending write or truncate reveals data that was cut off.',
  source: 'mm/filemap_xip.c xip_truncate_page (2.6.26–3.19), called first by ext2_setsize',
  when: 'operation',
  perCall: { ops: ['ftruncate'] },
  brokenBy: 'truncate-no-zero-tail',
  needsLayout: true,
  checkOp({ call, pre, post, obs }) {
    if (call.op !== 'ftruncate' || obs.ret !== 0) return null;
    const f = pre.procs[call.pid].files[call.fd];
    // ext2_setattr calls ext2_setsize only when the size changes
    if (!f || pre.inodes[f.ino]?.size === call.len) return null;
    const i = post.inodes[f.ino];
    const sb = i && post.sbs[i.fs];
    if (!i || !sb) return null;
    const PS = post.cfg.pageSize, pg = Math.floor(call.len / PS), off = call.len % PS;
    if (!off) return null;
    const b = bmap(post, i.ino, pg);
    const bytes = i.pageCache[pg]?.data ?? (b ? readPfn(post, fsBlockPfn(post, sb.dev, b)) : null);
    if (bytes && bytes.slice(off).some((b) => b !== 0)) return `after ftruncate(${call.len}) inode ${i.ino} page ${pg} holds [${bytes}] past EOF`;
    return null;
  },
};
