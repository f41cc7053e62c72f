import { EACCES, EINVAL, ENOMEM } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import type { Observation, Pte, State, Vma } from '../state.ts';
import { setAt, updateInode, updateProc } from '../state.ts';
import { mmap_sem } from './locks.ts';

const CITE = 'mm/mprotect.c sys_mprotect/mprotect_fixup/change_protection (3.19)';
export const B_MPROTECT = branches('sys_mprotect', CITE, ['einval-unaligned', 'empty', 'enomem-unmapped', 'eacces-maywrite', 'ok'] as const);

/**
 * mprotect(addr, len, PROT_READ|PROT_WRITE), one step under mmap_sem (write). sys_mprotect
 * finds the vma holding `addr` (-ENOMEM if none), then vma by vma: a protection the vma may
 * not have (PROT_WRITE without VM_MAYWRITE: a shared mapping of a file opened read-only) is
 * -EACCES; mprotect_fixup splits the vma at the range's edges and sets the new flags, and
 * change_protection takes the write bit off the ptes when write is revoked (granting it
 * leaves them read-only: the next store write-faults into do_wp_page). A gap before the end
 * is -ENOMEM. Vmas already changed stay changed when it stops at an error, as in the kernel.
 */
export function* sys_mprotect(ctx: Ctx, pid: number, a: { addr: number; pages: number; read: boolean; write: boolean }): Proc<Observation> {
  // the argument checks take a step of their own: every call is at least one atomic step
  const bad = yield* read('sys_mprotect: args', () => (a.addr % ctx.pageSize ? 'einval-unaligned' : a.pages === 0 ? 'empty' : null));
  if (bad) { yield* cover(B_MPROTECT, bad); return { ret: bad === 'empty' ? 0 : -EINVAL }; }
  yield* lock(mmap_sem(pid));
  const r = yield* atomic('mprotect_fixup', (s) => mprotect(s, pid, a.addr / ctx.pageSize, a.pages, a.read, a.write));
  yield* unlock(mmap_sem(pid));
  yield* cover(B_MPROTECT, r[1]);
  return { ret: r[0] };
}

function mprotect(s: State, pid: number, start: number, pages: number, read: boolean, write: boolean): readonly [State, readonly [number, string]] {
  const end = start + pages;
  let vmas = s.procs[pid].vmas.slice();
  let ptes = s.procs[pid].ptes;
  // split_vma: each new piece of a file mapping holds its own file reference (get_file)
  const splits = new Map<number, number>();
  const done = (ret: number, br: string): readonly [State, readonly [number, string]] => {
    let next = updateProc(s, pid, (p) => ({ ...p, vmas, ptes }));
    for (const [ino, n] of splits) next = updateInode(next, ino, (i) => ({ ...i, refs: i.refs + n }));
    return [next, [ret, br]];
  };
  let v = vmas.find((x) => x.start + x.pages > start);
  if (!v || v.start > start) return done(-ENOMEM, 'enomem-unmapped');
  let nstart = start;
  for (;;) {
    if (write && !v.mayWrite) return done(-EACCES, 'eacces-maywrite');
    const tmp = Math.min(v.start + v.pages, end);
    const pieces: Vma[] = [];
    if (v.start < nstart) pieces.push({ ...v, pages: nstart - v.start });
    pieces.push({ ...v, start: nstart, pages: tmp - nstart, pgoff: v.pgoff + (nstart - v.start), read: read || write, write });
    if (v.start + v.pages > tmp) pieces.push({ ...v, start: tmp, pages: v.start + v.pages - tmp, pgoff: v.pgoff + (tmp - v.start) });
    const old = v;
    vmas = [...vmas.filter((x) => x !== old), ...pieces].sort((x, y) => x.start - y.start);
    if (old.ino !== null) splits.set(old.ino, (splits.get(old.ino) ?? 0) + pieces.length - 1);
    if (!write) for (let vp = nstart; vp < tmp; vp++) ptes = setAt(ptes, vp, readOnly(ptes[vp]));
    nstart = tmp;
    if (nstart >= end) return done(0, 'ok');
    const next = vmas.find((x) => x.start === nstart);
    if (!next) return done(-ENOMEM, 'enomem-unmapped');
    v = next;
  }
}

function readOnly(p: Pte | null): Pte | null {
  return p && p.write ? { ...p, write: false } as Pte : p;
}
