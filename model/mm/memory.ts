import { branches } from '../kernel/coverage.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import { readPfn, writePfn, zeros } from '../kernel/physmem.ts';
import type { Pte, State, Vma } from '../state.ts';
import { setAt, updateInode, withState } from '../state.ts';
import { find_vma, setPte } from './vma.ts';
import { mmap_sem } from './locks.ts';
import { vmOpsByName, type FaultResult } from './vm_operations.ts';

const CITE = 'mm/memory.c handle_mm_fault/do_anonymous_page/do_wp_page (3.13–3.19)';
export const B_MM = branches('handle_mm_fault', CITE, [
  'sigsegv-no-vma', 'sigsegv-access', 'anon-zero-page', 'file-fault', 'fault-sigbus', 'fault-oom',
  'wp-pfn-shared-reuse', 'wp-pfn-private-cow', 'wp-sparse-private-cow', 'wp-pagecache-shared-dirty', 'wp-pagecache-private-cow',
  'wp-pfn-private-writes-medium', 'wp-pfn-mkwrite',
] as const, {
  'wp-pfn-mkwrite': 'a ->pfn_mkwrite of 4.1+: reached only by the variant dax-6.1',
  'wp-pfn-private-writes-medium': 'the mutation of broken-private-write-shared: do_wp_page always copies for a private vma',
  'fault-oom': 'VM_FAULT_OOM comes only from xip_file_fault:lookup-error-oom and sparse-recheck-error-oom (and from the missing sparse page of the historical variant 2.6.23-sparse-highmem)',
});

/** What a user access ends in: done, or what the fault raised (VM_FAULT_OOM: the OOM killer, reported as SIGKILL). */
export type Access = 'ok' | 'SIGSEGV' | 'SIGBUS' | 'OOM' | 'SIGBUS_ALLOC';

type Classified =
  | { readonly kind: 'segv-no-vma' | 'segv-access' | 'present' }
  | { readonly kind: 'none'; readonly vma: Vma }
  | { readonly kind: 'wp'; readonly vma: Vma };

function classify(s: State, pid: number, vpage: number, write: boolean): Classified {
  const vma = find_vma(s, pid, vpage);
  if (!vma) return { kind: 'segv-no-vma' };
  if (write ? !vma.write : !vma.read) return { kind: 'segv-access' };
  const pte = s.procs[pid].ptes[vpage];
  if (!pte) return { kind: 'none', vma };
  if (write && !pte.write) return { kind: 'wp', vma };
  return { kind: 'present' };
}

/**
 * One pass of handle_mm_fault for a user access to `vpage`, under mmap_sem (read). The caller
 * retries the access afterwards, as the CPU re-executes the faulting instruction.
 */
export function* handle_mm_fault(ctx: Ctx, pid: number, vpage: number, write: boolean): Proc<Access> {
  yield* lock(mmap_sem(pid), 'shared');
  const r = yield* faultLocked(ctx, pid, vpage, write);
  yield* unlock(mmap_sem(pid));
  return r;
}

function* faultLocked(ctx: Ctx, pid: number, vpage: number, write: boolean): Proc<Access> {
  const c = yield* read('find_vma', (s) => classify(s, pid, vpage, write));
  switch (c.kind) {
    case 'segv-no-vma':
    case 'segv-access':
      yield* cover(B_MM, c.kind === 'segv-no-vma' ? 'sigsegv-no-vma' : 'sigsegv-access');
      return 'SIGSEGV';
    case 'present':
      return 'ok';
    case 'none': {
      if (c.vma.ino === null) {
        yield* cover(B_MM, 'anon-zero-page');
        yield* atomic('do_anonymous_page', (s) => [s.procs[pid].ptes[vpage] ? s : setPte(s, pid, vpage, { kind: 'anon', data: zeros(ctx.pageSize), write: c.vma.write, cow: false }), null] as const);
        return 'ok';
      }
      yield* cover(B_MM, 'file-fault');
      // __do_fault: vma->vm_ops->fault, the table the file's f_op->mmap installed
      const fr: FaultResult = yield* vmOpsByName(c.vma.vmOps!).fault(ctx, pid, c.vma, vpage, write);
      if (fr === 'SIGBUS' || fr === 'SIGBUS_ALLOC') yield* cover(B_MM, 'fault-sigbus');
      if (fr === 'OOM') yield* cover(B_MM, 'fault-oom');
      return fr === 'NOPAGE' ? 'ok' : fr;
    }
    case 'wp': {
      // wp_pfn_shared (4.1+): a special pte of a shared writable mapping goes to ->pfn_mkwrite
      const mkwrite = c.vma.shared && c.vma.vmOps ? vmOpsByName(c.vma.vmOps).pfn_mkwrite : undefined;
      // (only a table with ->pfn_mkwrite reads the pte again: the step counts of 3.19 stay as they were)
      if (mkwrite && (yield* read('vm_normal_page', (s) => ['pfn', 'sparse'].includes(s.procs[pid].ptes[vpage]?.kind ?? '')))) {
        yield* cover(B_MM, 'wp-pfn-mkwrite');
        const fr = yield* mkwrite(ctx, pid, c.vma, vpage);
        if (fr === 'SIGBUS' || fr === 'SIGBUS_ALLOC') yield* cover(B_MM, 'fault-sigbus');
        return fr === 'NOPAGE' ? 'ok' : fr;
      }
      const br = yield* atomic('do_wp_page', (s) => do_wp_page(ctx, s, pid, vpage, c.vma));
      if (br) yield* cover(B_MM, br);
      return 'ok';
    }
  }
}

/**
 * do_wp_page (3.13, read in the source for this model; the walkthrough marks it as recalled): a special pfn pte (vm_normal_page() == NULL) in a
 * shared writable vma is simply made writable ("reuse": no page_mkwrite, no dirty
 * accounting); in a private vma the page is copied by cow_user_page from the user address. The
 * sparse page is a normal page: a private write copies it (zeros) into a fresh anonymous page.
 */
function do_wp_page(ctx: Ctx, s: State, pid: number, vpage: number, vma: Vma): readonly [State, string | null] {
  const pte = s.procs[pid].ptes[vpage];
  if (!pte || pte.write) return [s, null];
  const cowOf = (data: readonly number[]): Pte => ({ kind: 'anon', data: data.slice(), write: true, cow: true });
  switch (pte.kind) {
    case 'pfn':
      if (vma.shared || has(ctx.variant, 'private-write-shared')) return [setPte(s, pid, vpage, { ...pte, write: true }), vma.shared ? 'wp-pfn-shared-reuse' : 'wp-pfn-private-writes-medium'];
      return [setPte(s, pid, vpage, cowOf(readPfn(s, pte.pfn))), 'wp-pfn-private-cow'];
    case 'sparse': {
      const s2 = withState(s, { sparse: { ...s.sparse, refs: s.sparse.refs - 1 } });
      return [setPte(s2, pid, vpage, cowOf(zeros(ctx.pageSize))), 'wp-sparse-private-cow'];
    }
    case 'pagecache': {
      const page = s.inodes[pte.ino]!.pageCache[pte.pgoff];
      if (vma.shared) {
        // filemap_page_mkwrite → set_page_dirty
        const s2 = page ? updateInode(s, pte.ino, (i) => ({ ...i, pageCache: setAt(i.pageCache, pte.pgoff, { ...page, dirty: true }) })) : s;
        return [setPte(s2, pid, vpage, { ...pte, write: true }), 'wp-pagecache-shared-dirty'];
      }
      return [setPte(s, pid, vpage, cowOf(page ? page.data : zeros(ctx.pageSize))), 'wp-pagecache-private-cow'];
    }
    case 'anon':
      return [setPte(s, pid, vpage, { ...pte, write: true }), null];
  }
}

/** Bytes a present pte maps. */
export function ptePageData(s: State, pte: Pte): readonly number[] {
  switch (pte.kind) {
    case 'pfn': return readPfn(s, pte.pfn);
    case 'sparse': return s.sparse.data;
    case 'anon': return pte.data;
    case 'pagecache': return s.inodes[pte.ino]?.pageCache[pte.pgoff]?.data ?? zeros(s.cfg.pageSize);
  }
}

/** A store through a present, writable pte. */
export function ptePageStore(s: State, pid: number, vpage: number, off: number, bytes: readonly number[]): State {
  const pte = s.procs[pid].ptes[vpage]!;
  switch (pte.kind) {
    case 'pfn':
      return writePfn(s, pte.pfn, off, bytes);
    case 'sparse':
    {
      // Only reachable in the broken variant `sparse-writable`: the store lands in the shared zero page.
      const data = s.sparse.data.slice();
      for (let i = 0; i < bytes.length; i++) data[off + i] = bytes[i];
      return withState(s, { sparse: { ...s.sparse, data } });
    }
    case 'anon': {
      const data = pte.data.slice();
      for (let i = 0; i < bytes.length; i++) data[off + i] = bytes[i];
      return setPte(s, pid, vpage, { ...pte, data });
    }
    case 'pagecache': {
      const page = s.inodes[pte.ino]?.pageCache[pte.pgoff];
      if (!page) return s;
      const data = page.data.slice();
      for (let i = 0; i < bytes.length; i++) data[off + i] = bytes[i];
      return updateInode(s, pte.ino, (i) => ({ ...i, pageCache: setAt(i.pageCache, pte.pgoff, { data, dirty: true }) }));
    }
  }
}

const MAX_RETRIES = 6;

/**
 * Access `len` bytes of user memory at `addr`, one page at a time. Each page's access is one
 * atomic step that re-checks the pte, so a pte zapped between the fault and the access makes
 * it fault again. `move` does the transfer of one in-page chunk (load, store or the kernel
 * side of a copy). Returns how many bytes were done and the access that stopped it.
 */
export function* userAccess(
  ctx: Ctx, pid: number, addr: number, len: number, write: boolean, label: string,
  move: (s: State, pte: Pte, vpage: number, off: number, done: number, n: number) => State | readonly [State, readonly number[]],
): Proc<{ done: number; stop: Access; at?: number; bytes: readonly number[] }> {
  let done = 0;
  // bytes a load step read: part of the step's recorded result, so replay-safe
  const bytes: number[] = [];
  while (done < len) {
    const a = addr + done;
    const vpage = Math.floor(a / ctx.pageSize), off = a % ctx.pageSize;
    const n = Math.min(len - done, ctx.pageSize - off);
    let tries = 0;
    for (;;) {
      const ok = yield* atomic(label, (s): readonly [State, readonly number[] | boolean] => {
        const pte = s.procs[pid].ptes[vpage];
        const vma = find_vma(s, pid, vpage);
        // a pte mprotect made PROT_NONE is present but gives a protection fault on any access
        // (change_pte_range: pte_modify(ptent, vm_page_prot of VM_NONE)); the fault path then
        // finds the vma without VM_READ (x86 access_error: "read, present: PF_PROT") → SIGSEGV
        if (!pte || !vma || (write ? !pte.write : !vma.read)) return [s, false];
        const m = move(s, pte, vpage, off, done, n);
        return Array.isArray(m) ? [m[0], m[1]] : [m as State, true];
      });
      if (Array.isArray(ok)) bytes.push(...ok);
      if (ok) break;
      const r = yield* handle_mm_fault(ctx, pid, vpage, write);
      if (r !== 'ok') return { done, stop: r, at: vpage, bytes };
      if (++tries > MAX_RETRIES) return { done, stop: 'SIGBUS', at: vpage, bytes };
    }
    done += n;
  }
  return { done, stop: 'ok', bytes };
}
