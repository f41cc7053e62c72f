import type { Action } from '../../model/actions.ts';
import { EFAULT, EFBIG, EINVAL, ENOMEM, ENOSPC } from '../../model/kernel/errno.ts';
import type { Observation, State, Vma } from '../../model/state.ts';
import { pagesFor } from '../../model/state.ts';
import { partitionPage } from '../../model/block/block_device.ts';
import { insideWindow, openWindow, reachedOldPage, windowIndex, type PhasedAction, type TruncateWindow } from './truncate-window.ts';

/**
 * The abstract reference: what POSIX (as Linux implements it) says each operation returns,
 * with no pages, blocks, drivers or sparse page. A file is bytes plus a size; a shared mapping
 * is a window on the file; a private mapping's page tracks the file until written, then is
 * private; a load beyond the end of the file's last page is SIGBUS.
 *
 * Bookkeeping that carries no data — which vma sits where, which descriptor names which
 * inode, whether a file was opened for write — is read from the concrete state before the
 * step; the reference owns every byte. A byte is `null` when the reference leaves it
 * unspecified: bytes a shared mapping stored past EOF in the last page (POSIX says they are
 * never written to the file; Linux keeps them and an extending truncate or write shows them —
 * see docs/findings.md).
 */
export interface RefState {
  /** File contents by inode number: bytes up to the end of the last page (the tail may be null). */
  readonly files: Readonly<Record<number, RefFile>>;
  /** Private bytes of each process: anonymous pages and COW'd private file pages, by virtual page. */
  readonly priv: readonly Readonly<Record<number, readonly (number | null)[]>>[];
  /** File positions by (pid, fd). */
  readonly pos: readonly Readonly<Record<number, number>>[];
  /** An ftruncate between i_size_write and its unmap (concurrent groups only: truncate-window.ts). */
  readonly window?: TruncateWindow;
}

export interface RefFile {
  readonly size: number;
  readonly data: readonly (number | null)[];
}

export function refInit(s: State): RefState {
  const files: Record<number, RefFile> = {};
  for (const i of s.inodes) if (i) files[i.ino] = { size: i.size, data: fileBytes(s, i.ino) };
  return { files, priv: s.procs.map(() => ({})), pos: s.procs.map(() => ({})) };
}

/** The bytes of a concrete file as the initial reference takes them (used once, at init). */
function fileBytes(s: State, ino: number): (number | null)[] {
  const i = s.inodes[ino]!;
  const PS = s.cfg.pageSize;
  const out: (number | null)[] = [];
  for (let pg = 0; pg < pagesFor(i.size, PS); pg++) {
    const b = i.blocks[pg];
    const dev = s.sb?.dev ?? s.cfg.devices.findIndex((d) => d.name === s.cfg.fs.device);
    const page = b ? s.devices[dev].data[partitionPage(s.devices[dev], b)] : null;
    for (let k = 0; k < PS; k++) out.push(page ? page[k] : 0);
  }
  return out;
}

/** What the reference expects, and its next state. `expect` fields left undefined are not compared. */
export interface RefStep {
  readonly next: RefState;
  readonly expect: Expected | null;
}

export interface Expected {
  /** A claim of the concrete observation the reference refutes outright. */
  readonly claim?: string;
  readonly ret?: number;
  readonly data?: readonly (number | null)[];
  readonly signal?: Observation['signal'] | null;
}

type Access = { ok: true } | { ok: false; signal: 'SIGSEGV' | 'SIGBUS' };

/** A mutable working copy, used inside one step only. */
class Work {
  files: Record<number, { size: number; data: (number | null)[] }>;
  priv: Record<number, (number | null)[]>[];
  pos: Record<number, number>[];
  /** The user page whose fault the concrete model reports failed for want of a block. */
  allocFail: { pid: number; vpage: number } | null = null;
  window: { ino: number; firstPage: number; old: (number | null)[] } | null;
  /** For the call being judged: did its byte at `addr` reach a page a surviving pte maps? */
  reachedOld: (addr: number) => boolean = () => false;
  constructor(r: RefState, readonly g: State) {
    this.window = r.window ? { ...r.window, old: r.window.old.slice() } : null;
    this.files = Object.fromEntries(Object.entries(r.files).map(([k, f]) => [k, { size: f.size, data: f.data.slice() }]));
    this.priv = r.priv.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.slice()])));
    this.pos = r.pos.map((p) => ({ ...p }));
  }
  get PS(): number { return this.g.cfg.pageSize; }
  freeze(): RefState { return { files: this.files, priv: this.priv, pos: this.pos, ...(this.window ? { window: this.window } : {}) }; }
  file(ino: number) {
    return (this.files[ino] ??= { size: 0, data: [] });
  }

  vma(pid: number, vpage: number): Vma | undefined {
    return this.g.procs[pid].vmas.find((v) => vpage >= v.start && vpage < v.start + v.pages);
  }

  access(pid: number, addr: number, write: boolean): Access {
    const vp = Math.floor(addr / this.PS);
    const v = this.vma(pid, vp);
    if (!v || (write ? !v.write : !v.read)) return { ok: false, signal: 'SIGSEGV' };
    if (v.ino === null) return { ok: true };
    if (this.allocFail && this.allocFail.pid === pid && this.allocFail.vpage === vp && v.shared && !this.priv[pid][vp]) return { ok: false, signal: 'SIGBUS' };
    if (this.priv[pid][vp]) return { ok: true };
    const pgoff = v.pgoff + (vp - v.start);
    if (pgoff >= pagesFor(this.file(v.ino).size, this.PS)) {
      if (windowIndex(this.window, v.ino, pgoff, addr % this.PS, this.PS) !== null && this.reachedOld(addr)) return { ok: true };
      return { ok: false, signal: 'SIGBUS' };
    }
    return { ok: true };
  }

  /** The byte a process sees at `addr` (access already checked). */
  load(pid: number, addr: number): number | null {
    const vp = Math.floor(addr / this.PS), off = addr % this.PS;
    const p = this.priv[pid][vp];
    if (p) return p[off];
    const v = this.vma(pid, vp)!;
    if (v.ino === null) return 0;
    const f = this.file(v.ino);
    const wi = this.oldPage(v, vp, off);
    if (wi !== null) return this.window!.old[wi];
    const b = f.data[(v.pgoff + (vp - v.start)) * this.PS + off];
    return b === undefined ? 0 : b; // null (unspecified) stays null
  }

  store(pid: number, addr: number, b: number | null): void {
    const vp = Math.floor(addr / this.PS), off = addr % this.PS;
    const v = this.vma(pid, vp)!;
    if (v.ino === null || !v.shared) {
      // anonymous page, or the COW of a private file page: a private copy of what was seen
      if (!this.priv[pid][vp]) {
        const page: (number | null)[] = [];
        for (let k = 0; k < this.PS; k++) page.push(this.load(pid, vp * this.PS + k));
        this.priv[pid][vp] = page;
      }
      this.priv[pid][vp][off] = b;
      return;
    }
    const f = this.file(v.ino);
    const wi = this.oldPage(v, vp, off);
    if (wi !== null) { this.window!.old[wi] = b; return; } // into the block truncate is about to free
    const at = (v.pgoff + (vp - v.start)) * this.PS + off;
    while (f.data.length <= at) f.data.push(0);
    // a store past EOF in the last page: POSIX says it never reaches the file
    f.data[at] = at < f.size ? b : null;
  }

  /** A page beyond EOF still reached through a pte the open truncate window has not unmapped. */
  oldPage(v: Vma, vp: number, off: number): number | null {
    const pgoff = v.pgoff + (vp - v.start);
    if (v.ino === null || pgoff < pagesFor(this.file(v.ino).size, this.PS)) return null;
    return windowIndex(this.window, v.ino, pgoff, off, this.PS);
  }

  writeFile(ino: number, at: number, b: number | null): void {
    const f = this.file(ino);
    while (f.data.length < pagesFor(at + 1, this.PS) * this.PS) f.data.push(0);
    f.data[at] = b;
  }

  /** i_size grows (write past EOF): the bytes between are what the pages hold, zeros if never written. */
  extend(ino: number, size: number): void {
    const f = this.file(ino);
    while (f.data.length < pagesFor(size, this.PS) * this.PS) f.data.push(0);
    f.size = size;
  }

  setSize(ino: number, size: number): void {
    const f = this.file(ino);
    const end = pagesFor(size, this.PS) * this.PS;
    if (size < f.size) {
      // xip_truncate_page / block_truncate_page zero the rest of the page holding the new EOF
      f.data = f.data.slice(0, end);
      for (let k = size; k < end; k++) f.data[k] = 0;
    } else while (f.data.length < end) f.data.push(0);
    f.size = size;
  }
}

/** The inode an fd names in the concrete state before the step, with its mode. */
function fdInfo(g: State, pid: number, fd: number) {
  const f = g.procs[pid].files[fd];
  if (!f) return null;
  return { ...f, xip: g.inodes[f.ino]!.xip };
}

const ALLOC_FAIL = new Set([-ENOSPC, -ENOMEM]);

/**
 * An allocation failure (ENOSPC, or brd's ENOMEM) is the concrete model's to report — the
 * reference has no blocks. When the concrete call ended in one, the reference accepts the
 * shorter count it returned (`bytes` still to be written by this call) and checks the bytes.
 */
type AllocLimit = { readonly bytes: number; readonly status: number } | null;

function allocLimit(obs: Observation, before = 0): AllocLimit {
  return obs.status !== undefined && ALLOC_FAIL.has(obs.status) ? { bytes: Math.max(0, obs.ret) - before, status: obs.status } : null;
}

/**
 * One read: file bytes [pos, min(pos+len, size)) copied chunk by chunk (a chunk ends at a
 * file page and at a user page), each chunk's source read before its bytes are stored.
 * XIP (do_xip_mapping_read) does not count a file-page chunk that faulted part-way; the page
 * cache (file_read_actor) counts what it copied.
 */
function doRead(w: Work, pid: number, ino: number, xip: boolean, pos: number, len: number, user: boolean): { ret: number; bytes: (number | null)[] } {
  const f = w.file(ino);
  const PS = w.PS;
  const end = Math.min(pos + len, f.size);
  const bytes: (number | null)[] = [];
  let counted = 0;
  let p = pos;
  while (p < end) {
    const fileChunkEnd = Math.min(end, (Math.floor(p / PS) + 1) * PS);
    let q = p;
    let failed = false;
    while (q < fileChunkEnd) {
      const ua = bufBase + (q - pos);
      const sub = user ? Math.min(fileChunkEnd, q + (PS - (ua % PS))) : fileChunkEnd;
      const src: (number | null)[] = [];
      if (user && !w.access(pid, bufBase + (q - pos), true).ok) { failed = true; break; }
      // byte by byte, forward: a buffer mapping the file page being read sees its own stores
      for (let k = q; k < sub; k++) {
        const b = k < f.data.length ? f.data[k] : 0;
        src.push(b);
        if (user) w.store(pid, bufBase + (k - pos), b);
      }
      bytes.push(...src);
      q = sub;
    }
    if (failed) {
      // XIP does not count (or report) the part of the chunk it copied before the fault
      counted += xip ? 0 : q - p;
      return { ret: counted ? counted : -EFAULT, bytes: bytes.slice(0, counted) };
    }
    counted += fileChunkEnd - p;
    p = fileChunkEnd;
  }
  return { ret: counted, bytes };
}
let bufBase = 0; // the user buffer of the transfer in progress (set by callers before doRead/doWrite)

/**
 * One write at `pos`: generic_write_checks (EFBIG at s_maxbytes, count clipped), then page by
 * page, each user-page piece read then stored; a partial copy counts; i_size grows to the
 * position reached — once at the end for XIP, page by page for the page cache (it matters when
 * the buffer is a mapping of the same file).
 */
function doWrite(w: Work, pid: number, ino: number, xip: boolean, pos: number, len: number, src: { user: true } | { user: false; data: readonly (number | null)[] }, alloc: AllocLimit): { ret: number; pos: number } {
  const PS = w.PS;
  const f = w.file(ino);
  const max = w.g.cfg.fs.maxFilePages * PS;
  if (len > 0 && pos >= max) return { ret: -EFBIG, pos: NaN }; // *ppos untouched
  const count = Math.min(len, max - pos);
  if (count === 0) return { ret: 0, pos };
  // An allocation failure (ENOSPC, or brd's ENOMEM) is the concrete model's to report: the
  // reference accepts the shorter, page-aligned count it returned and checks the bytes.
  const limit = alloc ? Math.min(alloc.bytes, count) : count;
  let done = 0;
  let p = pos;
  while (done < limit) {
    const chunkEnd = Math.min(pos + limit, (Math.floor(p / PS) + 1) * PS);
    const chunkStart = p;
    let faulted = false;
    while (p < chunkEnd) {
      let sub = chunkEnd;
      if (src.user) sub = Math.min(chunkEnd, p + (PS - ((bufBase + (p - pos)) % PS)));
      if (src.user) {
        if (!w.access(pid, bufBase + (p - pos), false).ok) { faulted = true; break; }
        // byte by byte, forward: a buffer mapping the file page being written sees the bytes
        // this copy already stored
        for (let k = 0; k < sub - p; k++) w.writeFile(ino, p + k, w.load(pid, bufBase + (p - pos) + k));
      } else src.data.slice(p - pos, sub - pos).forEach((b, k) => w.writeFile(ino, p + k, b));
      done += sub - p;
      p = sub;
    }
    // the page cache grows i_size page by page, for a page that took bytes (generic_write_end)
    if (!xip && p > chunkStart && p > f.size) w.extend(ino, p);
    if (faulted) break;
  }
  // __xip_file_write extends i_size to the position reached even when nothing was copied
  if (xip && p > f.size) w.extend(ino, p);
  if (done === 0 && limit < count) return { ret: alloc?.status ?? -ENOSPC, pos: p };
  if (done < count && done === 0) return { ret: -EFAULT, pos: p };
  return { ret: done, pos: p };
}

/** The reference's step for one completed call. `g` is the concrete state before the call. */
export function refStep(r: RefState, call: Action, g: State, post: State, obs: Observation): RefStep {
  const w = new Work(r, g);
  const refused = insideWindow(r.window, call, (fd) => g.procs[call.pid].files[fd]?.ino ?? null);
  if (refused) return { next: r, expect: { claim: refused } };
  if (call.op === 'load' || call.op === 'store') {
    const base = call.addr;
    w.reachedOld = (addr) => reachedOldPage(call, obs, addr - base);
  }
  if (obs.allocFail !== undefined) {
    // Trust the concrete model's "no block could be had" only when the medium really is full.
    if (!allocationExhausted(post)) return { next: r, expect: { claim: `reports an allocation failure at user page ${obs.allocFail}, but the file system has free blocks and backing memory` } };
    w.allocFail = { pid: call.pid, vpage: obs.allocFail };
  }
  const expect = apply(w, call, g, post, obs);
  return { next: w.freeze(), expect };
}

/** No free block in the bitmap, or (brd) no backing page left to allocate. */
function allocationExhausted(s: State): boolean {
  if (!s.sb) return false;
  const d = s.devices[s.sb.dev];
  return s.sb.used.every(Boolean) || (!!d.backing && d.backing.allocated >= d.backing.max);
}

function apply(w: Work, c: Action, g: State, post: State, obs: Observation): Expected | null {
  const pid = c.pid;
  switch (c.op) {
    case 'open': {
      if (obs.ret < 0) return null;
      const ino = post.procs[pid].files[obs.ret]!.ino;
      if (!g.inodes[ino] || g.dir[c.name] === undefined) w.files[ino] = { size: 0, data: [] };
      if (c.flags.trunc) { w.setSize(ino, 0); dropPrivBeyond(w, ino, 0); }
      w.pos[pid][obs.ret] = 0;
      return null;
    }
    case 'close':
      delete w.pos[pid][c.fd];
      return null;
    case 'lseek':
      if (obs.ret >= 0) w.pos[pid][c.fd] = c.pos;
      return null;
    case 'read': case 'pread': case 'aio_read': {
      const fi = fdInfo(g, pid, c.fd);
      if (!fi || !fi.read || c.buf + c.len > g.cfg.vpages * w.PS) return null; // errors decided by the vfs: bookkeeping
      if (c.op === 'aio_read' && fi.xip) return { ret: -EINVAL };
      const pos = c.op === 'read' ? (w.pos[pid][c.fd] ?? 0) : c.pos;
      bufBase = c.buf;
      const r = doRead(w, pid, fi.ino, fi.xip, pos, c.len, true);
      if (c.op === 'read') w.pos[pid][c.fd] = pos + Math.max(0, r.ret);
      return { ret: r.ret, data: r.bytes };
    }
    case 'readv': case 'writev': {
      const fi = fdInfo(g, pid, c.fd);
      if (!fi || !(c.op === 'readv' ? fi.read : fi.write) || !c.iov.every((v) => v.buf + v.len <= g.cfg.vpages * w.PS)) return null;
      let pos = c.op === 'writev' && fi.append ? w.file(fi.ino).size : (w.pos[pid][c.fd] ?? 0);
      let done = 0, err = 0;
      const data: (number | null)[] = [];
      for (const v of c.iov) {
        bufBase = v.buf;
        if (c.op === 'writev' && fi.append) pos = w.file(fi.ino).size;
        const r = c.op === 'readv' ? doRead(w, pid, fi.ino, fi.xip, pos, v.len, true) : doWrite(w, pid, fi.ino, fi.xip, pos, v.len, { user: true }, allocLimit(obs, done));
        if ('bytes' in r) data.push(...r.bytes);
        if (r.ret < 0) { err = r.ret; break; }
        done += r.ret;
        pos += r.ret;
        if (r.ret !== v.len) break;
      }
      w.pos[pid][c.fd] = pos;
      return { ret: done ? done : err, ...(c.op === 'readv' ? { data } : {}) };
    }
    case 'write': case 'pwrite': case 'aio_write': {
      const fi = fdInfo(g, pid, c.fd);
      if (!fi || !fi.write || c.buf + c.len > g.cfg.vpages * w.PS) return null;
      if (c.op === 'aio_write' && fi.xip) return { ret: -EINVAL };
      const pos = fi.append ? w.file(fi.ino).size : c.op === 'write' ? (w.pos[pid][c.fd] ?? 0) : c.pos;
      bufBase = c.buf;
      const r = doWrite(w, pid, fi.ino, fi.xip, pos, c.len, { user: true }, allocLimit(obs));
      if (c.op === 'write' && !Number.isNaN(r.pos)) w.pos[pid][c.fd] = r.pos;
      return { ret: r.ret };
    }
    case 'sendfile': {
      const fin = fdInfo(g, pid, c.inFd), fout = fdInfo(g, pid, c.outFd);
      if (!fin || !fin.read || !fout || !fout.write) return null;
      const inPos = w.pos[pid][c.inFd] ?? 0;
      const rd = doRead(w, pid, fin.ino, fin.xip, inPos, c.count, false);
      if (rd.ret <= 0) return { ret: rd.ret };
      const outPos = fout.append ? w.file(fout.ino).size : (w.pos[pid][c.outFd] ?? 0);
      const wr = doWrite(w, pid, fout.ino, fout.xip, outPos, rd.bytes.length, { user: false, data: rd.bytes }, allocLimit(obs));
      w.pos[pid][c.inFd] = inPos + Math.max(0, wr.ret);
      if (!Number.isNaN(wr.pos)) w.pos[pid][c.outFd] = wr.pos;
      return { ret: wr.ret };
    }
    case 'ftruncate': {
      if (obs.ret < 0) return null;
      const fi = fdInfo(g, pid, c.fd)!;
      // a concurrent ftruncate is two events (truncate-window.ts): i_size_write, then the unmap
      const phase = (c as PhasedAction).truncatePhase;
      if (phase === 'unmap') {
        if (w.window?.ino === fi.ino) { w.window = null; dropPrivBeyond(w, fi.ino, c.len); }
        return null;
      }
      if (w.file(fi.ino).size !== c.len) {
        if (phase === 'size') {
          const win = openWindow(fi.ino, w.file(fi.ino), c.len, w.PS);
          w.window = win && { ...win, old: win.old.slice() };
          w.setSize(fi.ino, c.len);
          if (!win) dropPrivBeyond(w, fi.ino, c.len);
        } else { w.setSize(fi.ino, c.len); dropPrivBeyond(w, fi.ino, c.len); }
      }
      return { ret: 0 };
    }
    case 'load': {
      const data: (number | null)[] = [];
      for (let k = 0; k < c.len; k++) {
        const a = c.addr + k;
        const acc = w.access(pid, a, false);
        // access is decided page by page, so this is the first byte of the page that faults
        if (!acc.ok) return { data, signal: acc.signal };
        data.push(w.load(pid, a));
      }
      return { ret: 0, data, signal: null };
    }
    case 'store': {
      for (let k = 0; k < c.bytes.length; k++) {
        const a = c.addr + k;
        // a page is stored whole or not at all: check the page before storing any of it
        if (k === 0 || a % w.PS === 0) {
          const acc = w.access(pid, a, true);
          if (!acc.ok) return { ret: k, signal: acc.signal };
        }
        w.store(pid, a, c.bytes[k]);
      }
      return { ret: c.bytes.length, signal: null };
    }
    case 'munmap': {
      if (obs.ret < 0) return null;
      for (let vp = c.addr / w.PS; vp < c.addr / w.PS + c.pages; vp++) delete w.priv[pid][vp];
      return null;
    }
    case 'unlink': case 'fsync': case 'mmap': case 'mount': case 'remount': case 'umount':
    case 'blkdev_open': case 'blkdev_close': case 'dcssblk_remove': case 'dcssblk_save': case 'dcssblk_shared':
    case 'brd_blkflsbuf': case 'brd_discard': case 'bdev_direct_access':
      return null;
  }
}

/** unmap_mapping_range(even_cows=1): private copies of pages past the new EOF's page go. */
function dropPrivBeyond(w: Work, ino: number, size: number): void {
  const first = pagesFor(size, w.PS);
  w.g.procs.forEach((p, pid) => {
    for (const v of p.vmas) {
      if (v.ino !== ino) continue;
      for (let vp = v.start; vp < v.start + v.pages; vp++) if (v.pgoff + (vp - v.start) >= first) delete w.priv[pid][vp];
    }
  });
}

/** Compare a concrete observation with the reference's expectation; null when they agree. */
export function compare(e: Expected | null, o: Observation): string | null {
  if (!e) return null;
  if (e.claim) return e.claim;
  if (e.ret !== undefined && e.ret !== o.ret) return `returned ${o.ret}, reference says ${e.ret}`;
  if (e.signal !== undefined && (e.signal ?? undefined) !== o.signal) return `signal ${o.signal ?? 'none'}, reference says ${e.signal ?? 'none'}`;
  if (e.data) {
    const got = o.data ?? [];
    if (got.length !== e.data.length) return `loaded ${got.length} bytes [${got}], reference says ${e.data.length} [${e.data}]`;
    for (let k = 0; k < got.length; k++) {
      if (e.data[k] !== null && e.data[k] !== got[k]) return `byte ${k} is ${got[k]}, reference says ${e.data[k]} (got [${got}], expected [${e.data.map((b) => b ?? '?')}])`;
    }
  }
  return null;
}
