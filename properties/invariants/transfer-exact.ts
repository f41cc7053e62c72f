import { partitionPage } from '../../model/block/block_device.ts';
import type { Invariant } from '../invariant.ts';
import type { State } from '../../model/state.ts';
import { fileContent } from './util.ts';
import { blocksOf } from './layout.ts';

/** Bytes of every page the process maps, before and after (pages mapped in both only). */
function userView(s: State, pid: number): Map<number, number> {
  const m = new Map<number, number>();
  const PS = s.cfg.pageSize;
  for (let vp = 0; vp < s.procs[pid].ptes.length; vp++) {
    const pte = s.procs[pid].ptes[vp];
    if (!pte) continue;
    const data = pte.kind === 'anon' ? pte.data : null;
    if (data) data.forEach((b, k) => m.set(vp * PS + k, b));
  }
  return m;
}

/**
 * 11. read and write move exactly the bytes asked for: the count is within the request, the
 * buffer and EOF; a write changes the file only in [pos, pos+ret); a read stores only inside
 * the user buffer.
 */
export const transferExact: Invariant = {
  id: 'transfer-exact',
  title: 'read and write transfer exactly the bytes asked for',
  why: 'A copy that strays outside the user buffer or the file range corrupts memory or file data that the caller never named.',
  source: 'mm/filemap_xip.c do_xip_mapping_read / __xip_file_write (2.6.27–3.19): nr clipped to len - copied and to EOF; bytes = min(PAGE_SIZE - offset, count)',
  when: 'operation',
  perCall: { ops: ['read', 'pread', 'write', 'pwrite'] },
  brokenBy: 'write-overruns-buffer',
  needsLayout: true,
  checkOp({ call, pre, post, obs }) {
    if (!['read', 'pread', 'write', 'pwrite'].includes(call.op)) return null;
    const c = call as { op: string; pid: number; fd: number; buf: number; len: number; pos?: number };
    if (obs.ret > c.len) return `${c.op} returned ${obs.ret} for a request of ${c.len}`;
    const f = pre.procs[c.pid].files[c.fd];
    if (!f || obs.ret < 0) return null;
    if (c.op === 'write' || c.op === 'pwrite') {
      const pos = f.append ? pre.inodes[f.ino]!.size : c.op === 'write' ? f.pos : c.pos!;
      const a = fileContent(pre, f.ino), b = fileContent(post, f.ino);
      // compare whole pages, so stores past EOF in the last page count too
      for (let k = 0; k < Math.max(a.length, b.length); k++) {
        if (k >= pos && k < pos + obs.ret) continue;
        const x = a[k] ?? 0, y = b[k] ?? 0;
        if (x !== y && !(k >= a.length)) return `${c.op} of ${obs.ret} bytes at ${pos} changed file byte ${k}: ${x} → ${y}`;
      }
      const post_i = post.inodes[f.ino]!;
      if (k_beyond(pre, post, f.ino, pos + obs.ret)) return `${c.op} of ${obs.ret} bytes at ${pos} changed the file past ${pos + obs.ret} (size ${post_i.size})`;
    } else {
      const size = pre.inodes[f.ino]!.size, pos = c.op === 'read' ? f.pos : c.pos!;
      if (obs.ret > Math.max(0, size - pos)) return `${c.op} at ${pos} returned ${obs.ret} bytes past EOF ${size}`;
      const a = userView(pre, c.pid), b = userView(post, c.pid);
      for (const [addr, x] of a) {
        if (addr >= c.buf && addr < c.buf + c.len) continue;
        if (b.has(addr) && b.get(addr) !== x) return `${c.op} into [${c.buf}, ${c.buf + c.len}) changed user byte ${addr}: ${x} → ${b.get(addr)}`;
      }
    }
    return null;
  },
};

/** Did a write change any byte of the file's pages past `end` that existed before (the tail included)? */
function k_beyond(pre: State, post: State, ino: number, end: number): boolean {
  const PS = pre.cfg.pageSize;
  const i = pre.inodes[ino]!;
  const dev = pre.sbs[i.fs]?.dev;
  if (dev === undefined) return false;
  const before = blocksOf(pre, ino), after = blocksOf(post, ino);
  for (let pg = Math.floor(end / PS); pg < before.length; pg++) {
    const b = before[pg];
    if (!b || after[pg] !== b) continue;
    const x = pre.devices[dev].data[partitionPage(pre.devices[dev], b)], y = post.devices[dev].data[partitionPage(post.devices[dev], b)];
    for (let k = Math.max(0, end - pg * PS); k < PS; k++) if (x && y && x[k] !== y[k]) return true;
  }
  return false;
}
