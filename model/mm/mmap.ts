import { EACCES, EBADF, EINVAL, ENOMEM } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import type { State, Vma } from '../state.ts';
import { updateInode, updateProc } from '../state.ts';
import { zapPte } from './vma.ts';
import { i_fop } from '../fs/file_operations.ts';
import { iput_final } from '../vfs/inode.ts';

const CITE = 'mm/mmap.c do_mmap_pgoff/do_munmap, mm/filemap_xip.c xip_file_mmap (3.x)';
export const B_MMAP = branches('do_mmap_pgoff', CITE, ['ebadf', 'eacces', 'einval', 'enomem', 'xip_file_mmap', 'generic_file_mmap', 'dax_file_mmap', 'munmap', 'munmap-split', 'munmap-einval'] as const, {
  dax_file_mmap: 'a DAX file\'s ->mmap (6.1): reached only by the variant dax-6.1',
});

export interface MmapArgs { readonly fd: number; readonly pages: number; readonly pgoff: number; readonly shared: boolean; readonly read: boolean; readonly write: boolean }

/**
 * do_mmap_pgoff + f_op->mmap, one step under mmap_sem (write). Shared writable needs a file
 * open for write (EACCES); VM_MAYWRITE of a shared mapping follows the open mode, which is what
 * decides whether xip_file_fault allocates on a hole. f_op->mmap (xip_file_mmap, generic_file_mmap)
 * sets vm_ops. The address is the lowest free range (no hint), returned in bytes.
 */
export function do_mmap_pgoff(s: State, pid: number, a: MmapArgs, skipWriteCheck = false): readonly [State, number, string] {
  const p = s.procs[pid];
  const f = p.files[a.fd];
  if (!f) return [s, -EBADF, 'ebadf'];
  if (a.pages <= 0 || a.pgoff < 0) return [s, -EINVAL, 'einval']; // do_mmap_pgoff: !len
  // get_unmapped_area comes before the open-mode tests (mm/mmap.c do_mmap_pgoff, 3.19): no room is
  // -ENOMEM even for a mapping the file's mode forbids
  const start = freeRange(s, pid, a.pages);
  if (start < 0) return [s, -ENOMEM, 'enomem'];
  if (!f.read || (a.shared && a.write && !f.write && !skipWriteCheck)) return [s, -EACCES, 'eacces'];
  // mmap_region → file->f_op->mmap: the file's table installs the vma's vm_ops
  const m = i_fop(s, f.ino).mmap(s, f.ino);
  const vma: Vma = {
    start, pages: a.pages, ino: f.ino, pgoff: a.pgoff, shared: a.shared, read: a.read || a.write, write: a.write,
    mayWrite: a.shared ? f.write : true, fmodeWrite: f.write, vmOps: m.vmOps,
  };
  let next = updateProc(s, pid, (x) => ({ ...x, vmas: [...x.vmas, vma].sort((u, v) => u.start - v.start) }));
  next = updateInode(next, f.ino, (i) => ({ ...i, refs: i.refs + 1 }));
  return [next, start * s.cfg.pageSize, m.branch];
}

function freeRange(s: State, pid: number, pages: number): number {
  const p = s.procs[pid];
  for (let start = s.cfg.heapPages; start + pages <= s.cfg.vpages; start++) {
    if (!p.vmas.some((v) => start < v.start + v.pages && v.start < start + pages)) return start;
  }
  return -1;
}

/** do_munmap: drop ptes and vmas in [vstart, vstart+pages), splitting vmas at the edges. */
export function do_munmap(s: State, pid: number, vstart: number, pages: number): readonly [State, number, string] {
  if (pages <= 0 || vstart < 0 || vstart + pages > s.cfg.vpages) return [s, -EINVAL, 'munmap-einval'];
  let next = s;
  for (let vp = vstart; vp < vstart + pages; vp++) next = zapPte(next, pid, vp);
  const end = vstart + pages;
  const vmas: Vma[] = [];
  let split = false;
  const refDelta = new Map<number, number>();
  const bump = (ino: number | null, d: number) => { if (ino !== null) refDelta.set(ino, (refDelta.get(ino) ?? 0) + d); };
  for (const v of next.procs[pid].vmas) {
    const vEnd = v.start + v.pages;
    if (vEnd <= vstart || v.start >= end || v.ino === null && v.start < s.cfg.heapPages) { vmas.push(v); continue; }
    bump(v.ino, -1);
    if (v.start < vstart) { vmas.push({ ...v, pages: vstart - v.start }); bump(v.ino, 1); }
    if (vEnd > end) { vmas.push({ ...v, start: end, pages: vEnd - end, pgoff: v.pgoff + (end - v.start) }); bump(v.ino, 1); }
    if (v.start < vstart && vEnd > end) split = true;
  }
  next = updateProc(next, pid, (x) => ({ ...x, vmas }));
  for (const [ino, d] of refDelta) {
    next = updateInode(next, ino, (i) => ({ ...i, refs: i.refs + d }));
    next = iput_final(next, ino);
  }
  return [next, 0, split ? 'munmap-split' : 'munmap'];
}
