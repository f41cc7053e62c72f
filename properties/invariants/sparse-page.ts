import type { Invariant } from '../invariant.ts';
import { isZero, readPfn } from '../../model/kernel/physmem.ts';
import { fsBlockPfn } from '../../model/block/block_device.ts';
import type { State } from '../../model/state.ts';
import { bmap } from './layout.ts';

function sparsePtes(s: State): { pid: number; vp: number; ino: number; pgoff: number; write: boolean }[] {
  const out = [];
  for (const p of s.procs) {
    for (const v of p.vmas) {
      if (v.ino === null) continue;
      for (let vp = v.start; vp < v.start + v.pages; vp++) {
        const pte = p.ptes[vp];
        if (pte?.kind === 'sparse') out.push({ pid: p.pid, vp, ino: v.ino, pgoff: v.pgoff + (vp - v.start), write: pte.write });
      }
    }
  }
  return out;
}

/**
 * 5. The sparse page is all zero and read-only, never shadows data, and — once the operation
 * that allocated the block has finished — no pte maps it at an allocated pgoff.
 */
export const sparsePage: Invariant = {
  id: 'sparse-page',
  title: 'the sparse page is zero, read-only, and never outlives a hole',
  why: 'The shared zero page stands for a hole in every file at once: written, it leaks one process’s data into every hole; left mapped after the block is allocated, a process keeps reading zeros while the file holds data.',
  source: 'mm/filemap_xip.c (2.6.27–3.19) __xip_sparse_page, __xip_unmap: BUG_ON(pte_dirty(pteval)); xip_file_fault maps the sparse page read-only; Nick Piggin 2008 "dangling sparse page … data corruption"',
  when: 'every-step',
  brokenBy: 'sparse-writable',
  needsLayout: true,
  check(s) {
    if (!isZero(s.sparse.data)) return `the sparse page holds [${s.sparse.data}]`;
    for (const sp of sparsePtes(s)) {
      if (sp.write) return `pid ${sp.pid} vpage ${sp.vp} maps the sparse page writable`;
      const b = bmap(s, sp.ino, sp.pgoff);
      const sb = s.inodes[sp.ino] && s.sbs[s.inodes[sp.ino]!.fs];
      if (b && sb && !isZero(readPfn(s, fsBlockPfn(s, sb.dev, b)))) return `pid ${sp.pid} vpage ${sp.vp} maps the sparse page over inode ${sp.ino} pgoff ${sp.pgoff}, whose block ${b} holds data`;
    }
    return null;
  },
};

/** 5b. Between operations: no sparse pte at a pgoff that has a block (after __xip_unmap ran). */
export const sparseRetired: Invariant = {
  id: 'sparse-retired',
  title: 'the sparse page is unmapped once its hole is filled',
  why: 'After a write or a shared fault allocated the block, __xip_unmap must have removed every sparse pte of that pgoff; one left behind shows zeros forever (the 2.6.26 race). In between, the allocating thread itself leaves it mapped until __xip_unmap runs: that is not a violation.',
  source: 'mm/filemap_xip.c (2.6.27–3.19) __xip_file_write and xip_file_fault call __xip_unmap after get_xip_mem(create=1)',
  when: 'between-operations',
  brokenBy: 'no-xip-unmap',
  needsLayout: true,
  check(s) {
    for (const sp of sparsePtes(s)) {
      const b = bmap(s, sp.ino, sp.pgoff);
      if (b) return `pid ${sp.pid} vpage ${sp.vp} still maps the sparse page at inode ${sp.ino} pgoff ${sp.pgoff}, which has block ${b}`;
    }
    return null;
  },
};
