import type { Ctx, Proc } from '../kernel/step.ts';
import { atomic } from '../kernel/step.ts';
import type { State } from '../state.ts';
import { ptePageData, ptePageStore, userAccess, type Access } from './memory.ts';

/**
 * Where a transfer's bytes live on the caller's side. System calls use user memory, which may
 * lie inside any mapping (an XIP one included), so copies fault like copy_to_user and
 * copy_from_user do; sendfile uses a kernel buffer.
 */
export type Buf = { readonly kind: 'user'; readonly addr: number } | { readonly kind: 'kernel'; readonly data: readonly number[] };

/**
 * __copy_to_user of `n` bytes produced by `src` (called in the same atomic step as the store
 * into each user page). Returns how many bytes were copied and the bytes themselves.
 *
 * Within a user page the copy runs byte by byte, forward, each byte read after the previous
 * one was stored. copy_{to,from}_user are memcpy-like: forward, with no promise for
 * overlapping operands; x86_64's __copy_user_nocache and copy_user_generic move a piece
 * shorter than 8 bytes with a forward byte loop — all the model's 4-byte pages ever are (real
 * 4 KiB pages go in 8- and 64-byte groups, so there the overlap result is per architecture).
 * It shows when the user buffer is a mapping of the very file page being read or written
 * (do_xip_mapping_read, __xip_file_write, and the page-cache paths).
 */
export function* copy_to_user(
  ctx: Ctx, pid: number, buf: Buf, at: number, n: number, src: (s: State, from: number, n: number) => readonly number[],
): Proc<{ done: number; stop: Access; at?: number; bytes?: readonly number[] }> {
  if (buf.kind === 'kernel') {
    const bytes = yield* atomic('memcpy(kernel buffer)', (s) => [s, src(s, 0, n).slice()] as const);
    return { done: n, stop: 'ok', bytes };
  }
  // each step reports the bytes it stored, so the call can return what it read (replay-safe)
  return yield* userAccess(ctx, pid, buf.addr + at, n, true, '__copy_to_user', (s, _pte, vpage, off, done, k) => {
    let st = s;
    const bytes: number[] = [];
    for (let j = 0; j < k; j++) {
      const b = src(st, done + j, 1)[0];
      st = ptePageStore(st, pid, vpage, off + j, [b]);
      bytes.push(b);
    }
    return [st, bytes] as const;
  });
}

/** __copy_from_user(_nocache): bytes of the user buffer handed to `sink` page by page. */
export function* copy_from_user(
  ctx: Ctx, pid: number, buf: Buf, at: number, n: number, sink: (s: State, from: number, bytes: readonly number[]) => State,
): Proc<{ done: number; stop: Access; at?: number }> {
  if (buf.kind === 'kernel') {
    yield* atomic('memcpy(kernel buffer)', (s) => [sink(s, 0, buf.data.slice(at, at + n)), null] as const);
    return { done: n, stop: 'ok' };
  }
  return yield* userAccess(ctx, pid, buf.addr + at, n, false, '__copy_from_user', (s, _pte, vpage, off, done, k) => {
    let st = s;
    for (let j = 0; j < k; j++) st = sink(st, done + j, [ptePageData(st, st.procs[pid].ptes[vpage]!)[off + j]]);
    return st;
  });
}
