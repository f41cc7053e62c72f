import type { Pte, State, Vma } from '../state.ts';
import { setAt, updateProc } from '../state.ts';

/** find_vma: the vma containing virtual page `vpage`. */
export function find_vma(s: State, pid: number, vpage: number): Vma | undefined {
  return s.procs[pid]?.vmas.find((v) => vpage >= v.start && vpage < v.start + v.pages);
}

/** The file page a virtual page of a file vma maps (linear_page_index). */
export function linear_page_index(v: Vma, vpage: number): number {
  return v.pgoff + (vpage - v.start);
}

/** The virtual page at which `vma` maps file page `pgoff`, if inside it (vma_address). */
export function vma_address(v: Vma, pgoff: number): number | null {
  const vp = v.start + (pgoff - v.pgoff);
  return vp >= v.start && vp < v.start + v.pages ? vp : null;
}

export function setPte(s: State, pid: number, vpage: number, pte: Pte | null): State {
  return updateProc(s, pid, (p) => ({ ...p, ptes: setAt(p.ptes, vpage, pte) }));
}

/**
 * Drop one pte, keeping the counts right: a sparse-page pte holds a page reference and an
 * rmap count (vm_insert_page); pfn ptes are special and hold nothing (vm_insert_mixed).
 */
export function zapPte(s: State, pid: number, vpage: number): State {
  const pte = s.procs[pid].ptes[vpage];
  if (!pte) return s;
  let next = setPte(s, pid, vpage, null);
  if (pte.kind === 'sparse') next = { ...next, sparse: { ...next.sparse, refs: next.sparse.refs - 1 } };
  return next;
}

/** Every (pid, vma) that maps inode `ino` (the i_mmap tree, shared and private vmas alike). */
export function* vmasOf(s: State, ino: number): Generator<{ pid: number; vma: Vma }> {
  for (const p of s.procs) for (const v of p.vmas) if (v.ino === ino) yield { pid: p.pid, vma: v };
}
