import type { Action } from '../../model/actions.ts';
import { EACCES, EBADF, EBUSY, EEXIST, EFAULT, EIO, EFBIG, EINVAL, ENODEV, ENOENT, ENOMEM, ENOSPC, ENXIO, EOPNOTSUPP, ERANGE, EROFS } from '../../model/kernel/errno.ts';
import { PAGE_SECTORS, fsConfig, fsConfigs, mountOfPath } from '../../model/config.ts';
import type { Observation, State } from '../../model/state.ts';
import { pagesFor } from '../../model/state.ts';
import { errnoWord, exhaustedDuring, ownerOfDevicePage, unexplainedAllocFailure, type Exhaustion } from './borrowed.ts';
import { allocFailureOf } from '../invariants/medium.ts';
// the machine's description, not behaviour: listed in BORROWED
import { pfnOf } from '../../model/kernel/physmem.ts';
import { dcssReadOnly, hasDirectAccess, type RefDev, type RefFd, type RefMount, type RefState, type RefVma } from './state.ts';
import { insideWindow, openWindow, reachedOldPage, windowIndex, type PhasedAction } from './truncate-window.ts';

export { refInit } from './state.ts';
export type { RefState, RefFile } from './state.ts';
export { BORROWED } from './borrowed.ts';

/**
 * The abstract reference: what POSIX (as Linux 3.x implements it) says each call returns, and
 * its next state, computed from the reference's own state before the call — every return
 * value of every action, errors included. A file is bytes plus a size; a shared mapping is a
 * window on the file; a private mapping's page tracks the file until written, then is
 * private; a load beyond the end of the file's last page is SIGBUS. Descriptors, mappings,
 * the directory, the mount and the block devices' administrative state are the reference's
 * own bookkeeping. What it borrows from the concrete machine is listed in BORROWED.
 *
 * A byte is `null` when the reference leaves it unspecified: bytes a shared mapping stored
 * past EOF in the last page (POSIX says they are never written to the file; Linux keeps them
 * and an extending truncate or write shows them — see docs/findings.md).
 */

/** What the reference expects. `expect` fields left undefined are not compared. */
export interface RefStep {
  readonly next: RefState;
  readonly expect: Expected | null;
}

export interface Expected {
  /** A claim of the concrete observation the reference refutes outright. */
  readonly claim?: string;
  readonly ret?: number;
  /** Where the kernel may legitimately choose: the return values allowed (with why). */
  readonly retIn?: { readonly values: readonly number[]; readonly why: string };
  readonly data?: readonly (number | null)[];
  readonly signal?: Observation['signal'] | null;
  /** fstat: st_size and the XIP-ness of the file (st_blocks is allocation policy: pinned by scenarios, not judged). */
  readonly stat?: { readonly size: number; readonly xip: boolean };
  /** statfs: f_blocks, read-only, xip in the options; f_bfree only bounded by f_blocks (allocation policy). */
  readonly statfs?: { readonly blocks: number; readonly ro: boolean; readonly xip: boolean };
}

type Access = { ok: true } | { ok: false; signal: 'SIGSEGV' | 'SIGBUS' };

type MFile = { size: number; data: (number | null)[]; xip: boolean; fs: number };

/** A mutable working copy, used inside one step only. */
class Work {
  files: Record<number, MFile>;
  names: [string, number][];
  fds: (RefFd | null)[][];
  vmas: RefVma[][];
  priv: Record<number, (number | null)[]>[];
  mounts: (RefMount | null)[];
  devs: RefDev[];
  /** The user page whose fault the concrete model reports failed for want of a block (checked: the medium is exhausted). */
  allocFail: { pid: number; vpage: number } | null = null;
  /** The user buffer of the transfer in progress. */
  bufBase = 0;
  /** An open truncate window: the old bytes a surviving pte still reaches (truncate-window.ts). */
  window: { ino: number; firstPage: number; old: (number | null)[] } | null;
  /** For the call being judged: did its byte at `addr` reach a page a surviving pte maps? */
  reachedOld: (addr: number) => boolean = () => false;
  readonly design: RefState['design'];
  /** `post`: the concrete state after the call (after its whole group, inside one); both read only for BORROWED facts. */
  constructor(r: RefState, readonly g: State, readonly post: State) {
    this.design = r.design;
    this.window = r.window ? { ...r.window, old: r.window.old.slice() } : null;
    this.files = {};
    for (const [k, f] of Object.entries(r.files)) this.files[Number(k)] = { size: f.size, data: f.data.slice(), xip: f.xip, fs: f.fs };
    this.names = r.names.map(([n, i]) => [n, i]);
    this.fds = r.fds.map((p) => p.slice());
    this.vmas = r.vmas.map((p) => p.slice());
    this.priv = r.priv.map((p) => { const o: Record<number, (number | null)[]> = {}; for (const [k, v] of Object.entries(p)) o[Number(k)] = v.slice(); return o; });
    this.mounts = r.mounts.slice();
    this.devs = r.devs.slice();
  }
  get PS(): number { return this.g.cfg.pageSize; }
  freeze(): RefState {
    return { design: this.design, files: this.files, names: this.names, fds: this.fds, vmas: this.vmas, priv: this.priv, mounts: this.mounts, devs: this.devs, ...(this.window ? { window: this.window } : {}) };
  }
  file(id: number): MFile {
    return (this.files[id] ??= { size: 0, data: [], xip: !!this.mounts[0]?.xip, fs: 0 });
  }
  lookup(name: string): number | undefined {
    return this.names.find((e) => e[0] === name)?.[1];
  }
  fd(pid: number, fd: number): RefFd | null {
    return this.fds[pid]?.[fd] ?? null;
  }
  setPos(pid: number, fd: number, pos: number): void {
    const f = this.fds[pid][fd];
    if (f) this.fds[pid][fd] = { ...f, pos };
  }
  /** A file lives while it has a name, a descriptor or a mapping (then ext2_evict_inode frees it). */
  evictIfUnused(id: number): void {
    if (this.names.some((e) => e[1] === id)) return;
    if (this.fds.some((p) => p.some((f) => f?.file === id))) return;
    if (this.vmas.some((p) => p.some((v) => v.file === id))) return;
    delete this.files[id];
  }
  /** Whether file `id` lives on mount point k. */
  onFs(id: number | null, k: number): boolean {
    return id !== null && this.files[id]?.fs === k;
  }
  /** Holders of write access to mount k: descriptors open for write and mappings of such files, of its files. */
  writers(k: number): boolean {
    return this.fds.some((p) => p.some((f) => f?.write && this.onFs(f.file, k))) || this.vmas.some((p) => p.some((v) => v.fmodeWrite && this.onFs(v.file, k)));
  }
  /** Files of mount k held open or mapped (its umount is -EBUSY). */
  busy(k: number): boolean {
    return this.fds.some((p) => p.some((f) => f !== null && this.onFs(f.file, k))) || this.vmas.some((p) => p.some((v) => this.onFs(v.file, k)));
  }
  /** s_maxbytes of the file system file `id` is on, in bytes. */
  maxBytes(id: number): number {
    return fsConfig(this.g.cfg, this.file(id).fs).maxFilePages * this.PS;
  }
  setDev(i: number, f: (d: RefDev) => RefDev): void {
    this.devs[i] = f(this.devs[i]);
  }
  /** blkdev_get: one holder more; a partition's first holder holds its disk too. */
  hold(i: number): void {
    const d = this.devs[i];
    if (d.disk !== i && d.openers === 0) this.hold(d.disk);
    this.setDev(i, (x) => ({ ...x, openers: x.openers + 1 }));
  }
  /** blkdev_put: one holder fewer; dcssblk's release runs a save requested while busy; a partition's last holder lets its disk go. */
  release(i: number): void {
    this.setDev(i, (d) => {
      const openers = Math.max(0, d.openers - 1);
      if (openers === 0 && d.dcss?.savePending) return { ...d, openers, dcss: { ...d.dcss, savePending: false, saves: d.dcss.saves + 1 } };
      return { ...d, openers };
    });
    if (this.devs[i].disk !== i && this.devs[i].openers === 0) this.release(this.devs[i].disk);
  }

  vma(pid: number, vpage: number): RefVma | undefined {
    return this.vmas[pid].find((v) => vpage >= v.start && vpage < v.start + v.pages);
  }

  access(pid: number, addr: number, write: boolean): Access {
    const vp = Math.floor(addr / this.PS);
    const v = this.vma(pid, vp);
    if (!v || (write ? !v.write : !v.read)) return { ok: false, signal: 'SIGSEGV' };
    if (v.file === null) return { ok: true };
    if (this.allocFail && this.allocFail.pid === pid && this.allocFail.vpage === vp && v.shared && !this.priv[pid][vp]) return { ok: false, signal: 'SIGBUS' };
    if (this.priv[pid][vp]) return { ok: true };
    const pgoff = v.pgoff + (vp - v.start);
    if (pgoff >= pagesFor(this.file(v.file).size, this.PS)) {
      // inside an ftruncate's window a pte installed before its unmap still reaches the old page
      if (windowIndex(this.window, v.file, pgoff, addr % this.PS, this.PS) !== null && this.reachedOld(addr)) return { ok: true };
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
    if (v.file === null) return 0;
    const f = this.file(v.file);
    const wi = this.oldPage(v, vp, off);
    if (wi !== null) return this.window!.old[wi];
    const b = f.data[(v.pgoff + (vp - v.start)) * this.PS + off];
    return b === undefined ? 0 : b; // null (unspecified) stays null
  }

  store(pid: number, addr: number, b: number | null): void {
    const vp = Math.floor(addr / this.PS), off = addr % this.PS;
    const v = this.vma(pid, vp)!;
    if (v.file === null || !v.shared) {
      // anonymous page, or the COW of a private file page: a private copy of what was seen
      if (!this.priv[pid][vp]) {
        const page: (number | null)[] = [];
        for (let k = 0; k < this.PS; k++) page.push(this.load(pid, vp * this.PS + k));
        this.priv[pid][vp] = page;
      }
      this.priv[pid][vp][off] = b;
      return;
    }
    const f = this.file(v.file);
    const wi = this.oldPage(v, vp, off);
    if (wi !== null) { this.window!.old[wi] = b; return; } // into the block truncate is about to free
    const at = (v.pgoff + (vp - v.start)) * this.PS + off;
    while (f.data.length <= at) f.data.push(0);
    // a store past EOF in the last page: POSIX says it never reaches the file
    f.data[at] = at < f.size ? b : null;
  }

  /** A page beyond EOF still reached through a pte the open truncate window has not unmapped. */
  oldPage(v: RefVma, vp: number, off: number): number | null {
    const pgoff = v.pgoff + (vp - v.start);
    if (v.file === null || pgoff < pagesFor(this.file(v.file).size, this.PS)) return null;
    return windowIndex(this.window, v.file, pgoff, off, this.PS);
  }

  writeFile(id: number, at: number, b: number | null): void {
    const f = this.file(id);
    while (f.data.length < pagesFor(at + 1, this.PS) * this.PS) f.data.push(0);
    f.data[at] = b;
  }

  /** i_size grows (write past EOF): the bytes between are what the pages hold, zeros if never written. */
  extend(id: number, size: number): void {
    const f = this.file(id);
    while (f.data.length < pagesFor(size, this.PS) * this.PS) f.data.push(0);
    f.size = size;
  }

  setSize(id: number, size: number): void {
    const f = this.file(id);
    const end = pagesFor(size, this.PS) * this.PS;
    if (size < f.size) {
      // xip_truncate_page / block_truncate_page zero the rest of the page holding the new EOF
      f.data = f.data.slice(0, end);
      for (let k = size; k < end; k++) f.data[k] = 0;
    } else while (f.data.length < end) f.data.push(0);
    f.size = size;
  }

  /** unmap_mapping_range(even_cows=1): private copies of pages past the new EOF's page go. */
  dropPrivBeyond(id: number, size: number): void {
    const first = pagesFor(size, this.PS);
    this.vmas.forEach((vs, pid) => {
      for (const v of vs) {
        if (v.file !== id) continue;
        for (let vp = v.start; vp < v.start + v.pages; vp++) if (v.pgoff + (vp - v.start) >= first) delete this.priv[pid][vp];
      }
    });
  }

  truncate(id: number, size: number): void {
    if (this.file(id).size !== size) { this.setSize(id, size); this.dropPrivBeyond(id, size); }
  }
}

/** access_ok(): the whole buffer lies below the top of the user address space. */
function accessOk(w: Work, addr: number, len: number): boolean {
  return addr + len <= w.g.cfg.vpages * w.PS;
}

/** fdget plus the mode a call needs: EBADF for a free descriptor or the wrong mode. */
function fdFor(w: Work, pid: number, fd: number, mode: 'read' | 'write' | 'any'): RefFd | null {
  const f = w.fd(pid, fd);
  if (!f || (mode === 'read' && !f.read) || (mode === 'write' && !f.write)) return null;
  return f;
}

/**
 * An allocation failure the concrete call reports — ENOSPC (a full bitmap; brd's exhausted
 * memory from 3.16), or brd's ENOMEM (2.6.25–3.15): accepted only when the medium really is
 * exhausted in the way that errno means on the disk's kernel (borrowed.ts
 * unexplainedAllocFailure) and — for a transfer — only at a page boundary of the file, where
 * a block is needed.
 */
type AllocLimit = { readonly bytes: number; readonly status: number } | null;

const ALLOC_ERRNOS: ReadonlySet<number> = new Set([-ENOSPC, -ENOMEM]);

function allocLimit(obs: Observation, before = 0): AllocLimit {
  const status = obs.status ?? (obs.ret < 0 ? obs.ret : undefined);
  return status !== undefined && ALLOC_ERRNOS.has(status) ? { bytes: Math.max(0, obs.ret) - before, status } : null;
}

/**
 * Writeback's errors (fsync, msync): -ENOSPC when a dirty page finds no block; -EIO when the
 * bio writing it fails, which here only brd's exhausted backing memory causes
 * (brd_insert_page's failure, -ENOSPC from 3.16 and -ENOMEM before, which
 * end_buffer_async_write reports as AS_EIO whatever the errno).
 */
function writebackExhaustion(obs: Observation): Exhaustion | null {
  return obs.ret === -ENOSPC ? 'blocks' : obs.ret === -EIO ? 'backing' : null;
}

/**
 * One read: file bytes [pos, min(pos+len, size)) copied chunk by chunk (a chunk ends at a
 * file page and at a user page), each chunk's source read before its bytes are stored.
 * XIP (do_xip_mapping_read) does not count a file-page chunk that faulted part-way; the page
 * cache (file_read_actor) counts what it copied.
 */
function doRead(w: Work, pid: number, id: number, pos: number, len: number, user: boolean): { ret: number; bytes: (number | null)[] } {
  const f = w.file(id);
  const xip = f.xip;
  const PS = w.PS;
  const base = w.bufBase;
  const end = Math.min(pos + len, f.size);
  const bytes: (number | null)[] = [];
  let counted = 0;
  let p = pos;
  while (p < end) {
    const fileChunkEnd = Math.min(end, (Math.floor(p / PS) + 1) * PS);
    let q = p;
    let failed = false;
    while (q < fileChunkEnd) {
      const ua = base + (q - pos);
      const sub = user ? Math.min(fileChunkEnd, q + (PS - (ua % PS))) : fileChunkEnd;
      const src: (number | null)[] = [];
      if (user && !w.access(pid, ua, true).ok) { failed = true; break; }
      // byte by byte, forward: a buffer mapping the file page being read sees its own stores
      for (let k = q; k < sub; k++) {
        const b = k < f.data.length ? f.data[k] : 0;
        src.push(b);
        if (user) w.store(pid, base + (k - pos), b);
      }
      bytes.push(...src);
      q = sub;
    }
    if (failed) {
      // XIP 3.19 does not count (or report) the part of the chunk it copied before the fault;
      // the page cache (file_read_actor) and DAX 6.1 (dax_copy_to_iter) count every byte
      counted += xip && w.design === 'xip-3.19' ? 0 : q - p;
      return { ret: counted ? counted : -EFAULT, bytes: bytes.slice(0, counted) };
    }
    counted += fileChunkEnd - p;
    p = fileChunkEnd;
  }
  return { ret: counted, bytes };
}

/**
 * One write at `pos`: generic_write_checks (EFBIG at s_maxbytes, count clipped), then page by
 * page, each user-page piece read then stored; a partial copy counts; i_size grows to the
 * position reached — once at the end for XIP, page by page for the page cache (it matters when
 * the buffer is a mapping of the same file).
 */
function doWrite(w: Work, pid: number, id: number, pos: number, len: number, src: { user: true } | { user: false; data: readonly (number | null)[] }, alloc: AllocLimit): { ret: number; pos: number; claim?: string } {
  const PS = w.PS;
  const f = w.file(id);
  const xip = f.xip;
  const base = w.bufBase;
  const max = w.maxBytes(id);
  if (len > 0 && pos >= max) return { ret: -EFBIG, pos: NaN }; // *ppos untouched
  const count = Math.min(len, max - pos);
  // a write of nothing returns before *ppos is touched, O_APPEND or not (xip_file_write,
  // generic_file_aio_write: `if (count == 0) goto out`)
  if (count === 0) return { ret: 0, pos: NaN };
  // An allocation failure stops a write where a new block is needed: at the start of a page.
  const limit = alloc ? Math.min(alloc.bytes, count) : count;
  if (alloc && limit < count && limit > 0 && (pos + limit) % PS !== 0) {
    return { ret: limit, pos: pos + limit, claim: `stopped by ${alloc.status} after ${limit} bytes, inside file page ${Math.floor((pos + limit) / PS)} (an allocation can only fail where a page starts)` };
  }
  let done = 0;
  let p = pos;
  while (done < limit) {
    const chunkEnd = Math.min(pos + limit, (Math.floor(p / PS) + 1) * PS);
    const chunkStart = p;
    let faulted = false;
    while (p < chunkEnd) {
      let sub = chunkEnd;
      if (src.user) sub = Math.min(chunkEnd, p + (PS - ((base + (p - pos)) % PS)));
      if (src.user) {
        if (!w.access(pid, base + (p - pos), false).ok) { faulted = true; break; }
        // byte by byte, forward: a buffer mapping the file page being written sees the bytes
        // this copy already stored
        for (let k = 0; k < sub - p; k++) w.writeFile(id, p + k, w.load(pid, base + (p - pos) + k));
      } else src.data.slice(p - pos, sub - pos).forEach((b, k) => w.writeFile(id, p + k, b));
      done += sub - p;
      p = sub;
    }
    // the page cache grows i_size page by page, for a page that took bytes (generic_write_end)
    if (!xip && p > chunkStart && p > f.size) w.extend(id, p);
    if (faulted) break;
  }
  // __xip_file_write extends i_size to the position reached even when nothing was copied;
  // a DAX 6.1 write_iter only by bytes written (ext2_dax_write_iter, xfs_file_dax_write)
  if (xip && p > f.size && (w.design === 'xip-3.19' || done > 0)) w.extend(id, p);
  if (done === 0 && limit < count) return { ret: alloc?.status ?? -ENOSPC, pos: p };
  if (done < count && done === 0) return { ret: -EFAULT, pos: p };
  return { ret: done, pos: p };
}

/** The reference's step for one completed call. `g`/`post`: the concrete states around it, read only for BORROWED facts. */
export function refStep(r: RefState, call: Action, g: State, post: State, obs: Observation): RefStep {
  const refused = insideWindow(r.window, call, (fd) => r.fds[call.pid]?.[fd]?.file ?? null);
  if (refused) return { next: r, expect: { claim: refused } };
  const w = new Work(r, g, post);
  if (call.op === 'load' || call.op === 'store') {
    const base = call.addr;
    w.reachedOld = (addr) => reachedOldPage(call, obs, addr - base);
  }
  // the file systems whose media the call may allocate on: those of the files it names
  const on = callMounts(r, call, post.cfg.pageSize);
  if (obs.allocFail !== undefined) {
    // Trust "no block could be had" only when the medium really is exhausted. The fault's errno
    // never reaches the caller (VM_FAULT_SIGBUS: SIGBUS, or EFAULT from a copy).
    if (!exhaustedDuring(obs, post, 'blocks', on) && !exhaustedDuring(obs, post, 'backing', on)) return { next: r, expect: { claim: `reports an allocation failure (a fault found no block) at user page ${obs.allocFail}, but the file system has free blocks and backing memory` } };
    w.allocFail = { pid: call.pid, vpage: obs.allocFail };
  }
  if (call.op === 'fsync' || call.op === 'msync') {
    const wb = writebackExhaustion(obs);
    if (wb && !exhaustedDuring(obs, post, wb, on)) {
      return { next: r, expect: { claim: `${call.op} reports ${obs.ret === -EIO ? 'EIO' : 'ENOSPC'} from writeback, but the medium is not exhausted (${wb === 'blocks' ? 'free blocks in the bitmap' : 'brd backing pages left'})` } };
    }
  }
  const alloc = ALLOCATING.has(call.op) ? allocLimit(obs) : null;
  const unexplained = alloc && obs.allocFail === undefined ? unexplainedAllocFailure(obs, post, alloc.status, on) : null;
  if (unexplained) return { next: r, expect: { claim: `${call.op} reports ${errnoWord(alloc!.status)}, but ${unexplained}` } };
  const expect = apply(w, call, obs);
  return { next: w.freeze(), expect };
}

/**
 * The mount points of the files a call names — through its descriptors (both of sendfile) or
 * the file mappings its address range meets — whose exhaustion alone may excuse an allocation
 * failure: a full file system does not excuse a failure on another one.
 */
function callMounts(r: RefState, call: Action, PS: number): number[] {
  const out = new Set<number>();
  const add = (id: number | null | undefined): void => { if (id !== null && id !== undefined && r.files[id]) out.add(r.files[id].fs); };
  const fd = (n: number): void => add(r.fds[call.pid]?.[n]?.file);
  const range = (addr: number, len: number): void => {
    const v0 = Math.floor(addr / PS), v1 = Math.floor((addr + Math.max(1, len) - 1) / PS);
    for (const v of r.vmas[call.pid] ?? []) if (v.start <= v1 && v0 < v.start + v.pages) add(v.file);
  };
  switch (call.op) {
    case 'sendfile': fd(call.inFd); fd(call.outFd); break;
    case 'load': range(call.addr, call.len); break;
    case 'store': range(call.addr, call.bytes.length); break;
    case 'msync': range(call.addr, call.pages * PS); break;
    default: if ('fd' in call && typeof call.fd === 'number') fd(call.fd);
  }
  // a user buffer of a read or write may be a mapping whose fault allocates (a hole of a shared mapping)
  if ('buf' in call && typeof call.buf === 'number' && 'len' in call && typeof call.len === 'number') range(call.buf, call.len);
  if ('iov' in call && Array.isArray(call.iov)) for (const v of call.iov) range(v.buf, v.len);
  return [...out];
}

/** Calls that may allocate blocks or backing pages for a file, hence fail for want of one. */
const ALLOCATING: ReadonlySet<string> = new Set(['write', 'pwrite', 'writev', 'aio_write', 'sendfile', 'store', 'load', 'read', 'pread', 'readv', 'aio_read']);

/** The lowest file id not in use (ext2's choice of inode number: the first free one). */
function freshId(w: Work): number {
  let id = 1;
  while (w.files[id]) id++;
  return id;
}

/** get_unused_fd: the lowest free descriptor (POSIX requires it). */
function installFd(w: Work, pid: number, f: RefFd): number {
  const t = w.fds[pid];
  let fd = t.indexOf(null);
  if (fd < 0) fd = t.length;
  t[fd] = f;
  return fd;
}

function apply(w: Work, c: Action, obs: Observation): Expected | null {
  const pid = c.pid;
  const PS = w.PS;
  switch (c.op) {
    case 'open': {
      const fl = c.flags;
      // path lookup: the mount point's file system (an unmounted one, or a directory no file
      // system is mounted on, has no files: ENOENT)
      const at = mountOfPath(w.g.cfg, c.name);
      const m = at && w.mounts[at.fs];
      if (!at || !m) return { ret: -ENOENT };
      let id = w.lookup(c.name);
      if (id !== undefined && fl.creat && fl.excl) return { ret: -EEXIST };
      if (id === undefined) {
        if (!fl.creat) return { ret: -ENOENT };
        if (m.ro) return { ret: -EROFS };
      }
      if ((fl.write || fl.trunc) && m.ro) return { ret: -EROFS };
      if (id === undefined) {
        id = freshId(w);
        w.files[id] = { size: 0, data: [], xip: m.xip, fs: at.fs };
        w.names.push([c.name, id]);
        w.names.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      }
      const fd = installFd(w, pid, { file: id, read: fl.read ?? !fl.write, write: !!fl.write, append: !!fl.append, pos: 0 });
      // may_open / handle_truncate: O_TRUNC truncates whatever the access mode (O_RDONLY too)
      if (fl.trunc) w.truncate(id, 0);
      return { ret: fd };
    }
    case 'close': {
      const f = w.fd(pid, c.fd);
      if (!f) return { ret: -EBADF };
      w.fds[pid][c.fd] = null;
      w.evictIfUnused(f.file);
      return { ret: 0 };
    }
    case 'unlink': {
      const at = mountOfPath(w.g.cfg, c.name);
      const m = at && w.mounts[at.fs];
      const id = m ? w.lookup(c.name) : undefined;
      if (!m) return { ret: -ENOENT };
      // unlink(2) lists EROFS and ENOENT without an order; Linux asks for write access to the
      // mount before it looks the name up (do_unlinkat: mnt_want_write, then lookup_hash)
      if (m.ro) return { ret: -EROFS };
      if (id === undefined) return { ret: -ENOENT };
      w.names = w.names.filter((e) => e[0] !== c.name);
      w.evictIfUnused(id);
      return { ret: 0 };
    }
    case 'lseek': {
      const f = w.fd(pid, c.fd);
      if (!f) return { ret: -EBADF };
      // lseek(2): SEEK_END from the size, SEEK_CUR from the position; SEEK_DATA/SEEK_HOLE see
      // one data extent with a hole at EOF (ENXIO at or past it); EINVAL below 0 or past the
      // largest file size
      const eof = w.file(f.file).size;
      let off = c.pos;
      if (c.whence === 'end') off += eof;
      else if (c.whence === 'cur') off += f.pos;
      else if ((c.whence === 'data' || c.whence === 'hole') && off >= eof) return { ret: -ENXIO };
      if (c.whence === 'hole') off = eof;
      if (off < 0 || off > w.maxBytes(f.file)) return { ret: -EINVAL };
      w.setPos(pid, c.fd, off);
      return { ret: off };
    }
    case 'fstat': {
      const f = w.fd(pid, c.fd);
      if (!f) return { ret: -EBADF };
      const file = w.file(f.file);
      return { ret: 0, stat: { size: file.size, xip: file.xip } };
    }
    case 'statfs': {
      const m = w.mounts[c.mnt ?? 0];
      if (!m) return { ret: -ENOENT };
      const bfree = obs.statfs?.bfree ?? -1;
      // ext2_fill_super's block count is the partition's size; the super block is overhead
      const blocks = w.devs[m.dev].fsPages - 1;
      if (bfree < 0 || bfree > blocks) return { claim: `statfs f_bfree ${bfree} is outside 0..f_blocks (${blocks})` };
      return { ret: 0, statfs: { blocks, ro: m.ro, xip: m.xip } };
    }
    case 'msync': return msync(w, c, obs);
    case 'mprotect': return mprotect(w, c);
    case 'dcssblk_save_show': {
      const d = w.devs[c.dev];
      if (!d || !d.present || !d.dcss) return { ret: -ENODEV };
      return { ret: d.dcss.savePending ? 1 : 0 };
    }
    case 'read': case 'pread': case 'aio_read': {
      const f = fdFor(w, pid, c.fd, 'read');
      if (!f) return { ret: -EBADF };
      if (!accessOk(w, c.buf, c.len)) return { ret: -EFAULT };
      if (c.op === 'aio_read' && w.file(f.file).xip && w.design === 'xip-3.19') return { ret: -EINVAL };
      const pos = c.op === 'read' ? f.pos : c.pos;
      w.bufBase = c.buf;
      const r = doRead(w, pid, f.file, pos, c.len, true);
      if (c.op === 'read') w.setPos(pid, c.fd, pos + Math.max(0, r.ret));
      return { ret: r.ret, data: r.bytes };
    }
    case 'readv': case 'writev': {
      const f = fdFor(w, pid, c.fd, c.op === 'readv' ? 'read' : 'write');
      if (!f) return { ret: -EBADF };
      if (!c.iov.every((v) => accessOk(w, v.buf, v.len))) return { ret: -EFAULT };
      let pos = f.pos;
      let done = 0, err = 0;
      const data: (number | null)[] = [];
      for (const v of c.iov) {
        // do_loop_readv_writev: an empty segment moves nothing, not even an O_APPEND position
        if (v.len === 0) continue;
        w.bufBase = v.buf;
        const at = c.op === 'writev' && f.append ? w.file(f.file).size : pos;
        const r = c.op === 'readv' ? doRead(w, pid, f.file, at, v.len, true) : doWrite(w, pid, f.file, at, v.len, { user: true }, allocLimit(obs, done));
        if ('claim' in r && r.claim) return { claim: r.claim };
        if ('bytes' in r) data.push(...r.bytes);
        if (r.ret < 0) { err = r.ret; break; }
        done += r.ret;
        pos = at + r.ret;
        if (r.ret !== v.len) break;
      }
      const ret = done ? done : err;
      // sys_readv/sys_writev: the position is written back only `if (ret >= 0)`
      if (ret >= 0) w.setPos(pid, c.fd, pos);
      return { ret, ...(c.op === 'readv' ? { data } : {}) };
    }
    case 'write': case 'pwrite': case 'aio_write': {
      const f = fdFor(w, pid, c.fd, 'write');
      if (!f) return { ret: -EBADF };
      if (!accessOk(w, c.buf, c.len)) return { ret: -EFAULT };
      if (c.op === 'aio_write' && w.file(f.file).xip && w.design === 'xip-3.19') return { ret: -EINVAL };
      // O_APPEND appends even with pwrite (pwrite(2), BUGS)
      const pos = f.append ? w.file(f.file).size : c.op === 'write' ? f.pos : c.pos;
      w.bufBase = c.buf;
      const r = doWrite(w, pid, f.file, pos, c.len, { user: true }, allocLimit(obs));
      if (r.claim) return { claim: r.claim };
      // sys_write: the position is written back only `if (ret >= 0)`
      if (c.op === 'write' && r.ret >= 0 && !Number.isNaN(r.pos)) w.setPos(pid, c.fd, r.pos);
      return { ret: r.ret };
    }
    case 'sendfile': {
      const fin = fdFor(w, pid, c.inFd, 'read');
      if (!fin) return { ret: -EBADF };
      const fout = fdFor(w, pid, c.outFd, 'write');
      if (!fout) return { ret: -EBADF };
      const rd = doRead(w, pid, fin.file, fin.pos, c.count, false);
      if (rd.ret <= 0) return { ret: rd.ret };
      const outPos = fout.append ? w.file(fout.file).size : w.fd(pid, c.outFd)!.pos;
      const wr = doWrite(w, pid, fout.file, outPos, rd.bytes.length, { user: false, data: rd.bytes }, allocLimit(obs));
      if (wr.claim) return { claim: wr.claim };
      w.setPos(pid, c.inFd, fin.pos + Math.max(0, wr.ret));
      if (!Number.isNaN(wr.pos)) w.setPos(pid, c.outFd, wr.pos);
      return { ret: wr.ret };
    }
    case 'ftruncate': {
      const f = w.fd(pid, c.fd);
      if (!f) return { ret: -EBADF };
      if (!f.write) return { ret: -EINVAL };
      if (c.len > w.maxBytes(f.file)) return { ret: -EFBIG };
      // a concurrent ftruncate is two events (truncate-window.ts): i_size_write, then the unmap
      const phase = (c as PhasedAction).truncatePhase;
      if (phase === 'unmap') {
        if (w.window?.ino === f.file) { w.window = null; w.dropPrivBeyond(f.file, c.len); }
        return null;
      }
      if (phase === 'size' && w.file(f.file).size !== c.len) {
        const win = openWindow(f.file, w.file(f.file), c.len, PS);
        w.window = win && { ...win, old: win.old.slice() };
        w.setSize(f.file, c.len);
        if (!win) w.dropPrivBeyond(f.file, c.len);
      } else w.truncate(f.file, c.len);
      return { ret: 0 };
    }
    case 'fsync': {
      const f = w.fd(pid, c.fd);
      if (!f) return { ret: -EBADF };
      // A page-cache file writes its dirty pages back here and may find no block for one: the
      // error is accepted only with the medium exhausted (refStep); an XIP file has nothing to write.
      if (w.file(f.file).xip) return { ret: 0 };
      return { retIn: { values: [0, -ENOSPC, -EIO], why: 'writeback allocates blocks for dirty pages and writes them' } };
    }
    case 'mmap': {
      const f = w.fd(pid, c.fd);
      if (!f) return { ret: -EBADF };
      if (c.pages <= 0) return { ret: -EINVAL };
      // POSIX names both errors and no order; Linux finds the room first (get_unmapped_area)
      const free = freeStarts(w, pid, c.pages);
      if (!free.length) return { ret: -ENOMEM };
      if (!f.read || (c.shared && c.write && !f.write)) return { ret: -EACCES };
      // The kernel chooses the address (get_unmapped_area): any free, page-aligned range of
      // user space above the heap is allowed; the reference adopts the one chosen.
      const addrs = free.map((vp) => vp * PS);
      if (!addrs.includes(obs.ret)) return { retIn: { values: addrs, why: 'a free page-aligned range of the requested length' } };
      const vma: RefVma = { start: obs.ret / PS, pages: c.pages, file: f.file, pgoff: c.pgoff, shared: c.shared, read: c.read || c.write, write: c.write, mayWrite: c.shared ? f.write : true, fmodeWrite: f.write };
      w.vmas[pid] = [...w.vmas[pid], vma].sort((a, b) => a.start - b.start);
      return { ret: obs.ret };
    }
    case 'munmap': {
      if (c.addr % PS) return { ret: -EINVAL };
      const vstart = c.addr / PS, end = vstart + c.pages;
      if (end > w.g.cfg.vpages) return { ret: -EINVAL };
      const heapEnd = w.g.cfg.heapPages;
      const out: RefVma[] = [];
      const touched = new Set<number>();
      for (const v of w.vmas[pid]) {
        const vEnd = v.start + v.pages;
        // the model's heap is not unmappable (docs/limitations.md): munmap leaves it
        if (vEnd <= vstart || v.start >= end || (v.file === null && v.start < heapEnd)) { out.push(v); continue; }
        if (v.file !== null) touched.add(v.file);
        if (v.start < vstart) out.push({ ...v, pages: vstart - v.start });
        if (vEnd > end) out.push({ ...v, start: end, pages: vEnd - end, pgoff: v.pgoff + (end - v.start) });
      }
      w.vmas[pid] = out;
      // every pte in the range is zapped, the heap's too: its bytes are gone though its vma stays
      for (let vp = vstart; vp < end; vp++) delete w.priv[pid][vp];
      for (const id of touched) w.evictIfUnused(id);
      return { ret: 0 };
    }
    case 'load': {
      const data: (number | null)[] = [];
      for (let k = 0; k < c.len; k++) {
        const a = c.addr + k;
        const acc = w.access(pid, a, false);
        // access is decided page by page, so this is the first byte of the page that faults
        if (!acc.ok) return { ret: 0, data, signal: acc.signal };
        data.push(w.load(pid, a));
      }
      return { ret: 0, data, signal: null };
    }
    case 'store': {
      for (let k = 0; k < c.bytes.length; k++) {
        const a = c.addr + k;
        // a page is stored whole or not at all: check the page before storing any of it
        if (k === 0 || a % PS === 0) {
          const acc = w.access(pid, a, true);
          if (!acc.ok) return { ret: k, signal: acc.signal };
        }
        w.store(pid, a, c.bytes[k]);
      }
      return { ret: c.bytes.length, signal: null };
    }
    case 'mount': return mount(w, c);
    case 'remount': return remount(w, c);
    case 'umount': {
      const k = c.mnt ?? 0;
      const m = w.mounts[k];
      if (!m) return { ret: -EINVAL };
      if (w.busy(k)) return { ret: -EBUSY };
      const dev = m.dev;
      w.mounts[k] = null;
      w.release(dev);
      return { ret: 0 };
    }
    case 'blkdev_open': {
      const d = w.devs[c.dev];
      if (!d || !d.present) return { ret: -ENODEV };
      if (c.write && d.readOnly) return { ret: -EACCES };
      w.hold(c.dev);
      w.setDev(c.dev, (x) => ({ ...x, raw: x.raw.map((n, p) => (p === pid ? n + 1 : n)) }));
      return { ret: 0 };
    }
    case 'blkdev_close': {
      const d = w.devs[c.dev];
      if (!d || !d.raw[pid]) return { ret: -EINVAL };
      w.setDev(c.dev, (x) => ({ ...x, raw: x.raw.map((n, p) => (p === pid ? n - 1 : n)) }));
      w.release(c.dev);
      return { ret: 0 };
    }
    case 'dcssblk_remove': {
      const d = w.devs[c.dev];
      if (!d || !d.present || !d.dcss) return { ret: -ENODEV };
      if (d.openers !== 0) return { ret: -EBUSY };
      w.setDev(c.dev, (x) => ({ ...x, present: false, formatted: false }));
      return { ret: 0 };
    }
    case 'dcssblk_save': {
      const d = w.devs[c.dev];
      if (!d || !d.present || !d.dcss) return { ret: -ENODEV };
      const dc = d.dcss;
      if (!c.on) w.setDev(c.dev, (x) => ({ ...x, dcss: { ...dc, savePending: false } }));
      else if (d.openers === 0) w.setDev(c.dev, (x) => ({ ...x, dcss: { ...dc, saves: dc.saves + 1 } }));
      else w.setDev(c.dev, (x) => ({ ...x, dcss: { ...dc, savePending: true } }));
      return { ret: 0 };
    }
    case 'dcssblk_shared': {
      const d = w.devs[c.dev];
      if (!d || !d.present || !d.dcss) return { ret: -ENODEV };
      if (d.openers !== 0) return { ret: -EBUSY };
      if (!c.shared && d.dcss.segmentType === 'SC') return { ret: -EINVAL };
      const dc = d.dcss;
      w.setDev(c.dev, (x) => ({ ...x, readOnly: dcssReadOnly(dc.segmentType, c.shared), dcss: { ...dc, shared: c.shared } }));
      return { ret: 0 };
    }
    case 'brd_blkflsbuf': {
      const d = w.devs[c.dev];
      if (!d || !d.present) return { ret: -ENODEV };
      if (d.driver !== 'brd') return { ret: 0 };
      // brd_ioctl: -EBUSY unless bd_openers <= 1, counting the open the ioctl goes through —
      // the caller's own raw descriptor when it holds one, else a transient open of its own
      if (d.openers + (d.raw[pid] ? 0 : 1) > 1) return { ret: -EBUSY };
      // "we want to actually release and destroy the ramdisk data": the file system is gone,
      // and so is every partition's: brd_free_pages frees the whole disk's memory
      w.devs.forEach((x, k) => { if (x.disk === d.disk) w.setDev(k, (y) => ({ ...y, formatted: false })); });
      return { ret: 0 };
    }
    case 'brd_discard': {
      const d = w.devs[c.dev];
      if (!d || !d.present || d.driver !== 'brd') return { ret: -EOPNOTSUPP };
      if (d.readOnly) return { ret: -EACCES };
      if (c.page >= d.pages) return { ret: -EINVAL };
      // discard_from_brd zeroes the page in place: whatever file page it held now reads zeros —
      // through XIP at once; under a page-cache mount a cached copy may still be what is read
      // (and written back later), so the reference leaves those bytes unspecified there.
      // Which file page that was is the block maps' to say (borrowed): those of the state before
      // the call, for a call alone. Inside a concurrent group another call may allocate the block
      // or free it before or after discard_from_brd runs (no lock orders a discard against ext2's
      // allocator), so where the group ends with another owner than it began, either may have
      // been zeroed, and the bytes of both are unspecified.
      const before = ownerOfDevicePage(w.g, c.dev, c.page), after = ownerOfDevicePage(w.post, c.dev, c.page);
      const uncertain = before?.ino !== after?.ino || before?.pgoff !== after?.pgoff;
      for (const own of uncertain ? [before, after] : [before]) {
        const f = own ? w.files[own.ino] : undefined;
        if (!own || !f) continue;
        const cached = !!w.mounts[f.fs] && !f.xip;
        for (let k = 0; k < PS; k++) {
          const at = own.pgoff * PS + k;
          if (at < f.data.length) f.data[at] = cached || uncertain ? null : 0;
        }
      }
      return { ret: 0 };
    }
    case 'bdev_direct_access': return directAccess(w, c);
  }
}

/**
 * msync(2) as sys_msync does it: -EINVAL unaligned; a range with no mapping at its start or
 * beyond is -ENOMEM (a gap inside it is remembered and returned at the end); MS_SYNC of a
 * shared file mapping writes back the page cache of that range (0, or -ENOSPC with the medium
 * exhausted; nothing to write on XIP) and stops at an error.
 */
function msync(w: Work, c: Extract<Action, { op: 'msync' }>, obs: Observation): Expected {
  const PS = w.PS;
  if (c.addr % PS) return { ret: -EINVAL };
  if (c.pages === 0) return { ret: 0 };
  let start = c.addr / PS;
  const end = start + c.pages;
  let unmapped = 0;
  for (;;) {
    const v = w.vmas[c.pid].find((x) => x.start + x.pages > start);
    if (!v) return { ret: -ENOMEM };
    if (start < v.start) {
      start = v.start;
      if (start >= end) return { ret: -ENOMEM };
      unmapped = -ENOMEM;
    }
    start = v.start + v.pages;
    // writeback of a page-cache range may find no block (accepted only with the medium
    // exhausted, in refStep); then msync stops there
    if (c.sync && v.file !== null && v.shared && !w.file(v.file).xip && (obs.ret === -ENOSPC || obs.ret === -EIO)) return { ret: obs.ret };
    if (start >= end) return { ret: unmapped };
  }
}

/**
 * mprotect(2) as sys_mprotect does it: -EINVAL unaligned; -ENOMEM when the range starts in no
 * mapping or meets a gap; -EACCES for PROT_WRITE on a mapping that may not be written (a
 * shared mapping of a file opened read-only). Mappings changed before an error stay changed.
 */
function mprotect(w: Work, c: Extract<Action, { op: 'mprotect' }>): Expected {
  const PS = w.PS;
  if (c.addr % PS) return { ret: -EINVAL };
  if (c.pages === 0) return { ret: 0 };
  const start = c.addr / PS, end = start + c.pages;
  let v = w.vmas[c.pid].find((x) => x.start + x.pages > start);
  if (!v || v.start > start) return { ret: -ENOMEM };
  let nstart = start;
  for (;;) {
    if (c.write && !v.mayWrite) return { ret: -EACCES };
    const tmp = Math.min(v.start + v.pages, end);
    const pieces: RefVma[] = [];
    if (v.start < nstart) pieces.push({ ...v, pages: nstart - v.start });
    pieces.push({ ...v, start: nstart, pages: tmp - nstart, pgoff: v.pgoff + (nstart - v.start), read: c.read || c.write, write: c.write });
    if (v.start + v.pages > tmp) pieces.push({ ...v, start: tmp, pages: v.start + v.pages - tmp, pgoff: v.pgoff + (tmp - v.start) });
    const old = v;
    w.vmas[c.pid] = [...w.vmas[c.pid].filter((x) => x !== old), ...pieces].sort((a, b) => a.start - b.start);
    nstart = tmp;
    if (nstart >= end) return { ret: 0 };
    const next = w.vmas[c.pid].find((x) => x.start === nstart);
    if (!next) return { ret: -ENOMEM };
    v = next;
  }
}

/** Virtual pages where a mapping of `pages` pages fits, above the heap. */
function freeStarts(w: Work, pid: number, pages: number): number[] {
  const out: number[] = [];
  for (let start = w.g.cfg.heapPages; start + pages <= w.g.cfg.vpages; start++) {
    if (!w.vmas[pid].some((v) => start < v.start + v.pages && v.start < start + pages)) out.push(start);
  }
  return out;
}

/**
 * mount -t ext2 [-o xip][,ro] DEV: the file system made on DEV goes to its mount point (the
 * root's when DEV holds none of the configured ones). -EBUSY when that mount point is
 * mounted, -ENODEV for a missing device, -EACCES rw on a read-only disk, -EINVAL without a
 * file system; xip is dropped on a disk without direct_access and refused with a block size
 * other than the page. That file system's files are instantiated anew: their file operations
 * follow the new mount's xip; another mount's files are untouched.
 */
function mount(w: Work, c: Extract<Action, { op: 'mount' }>): Expected {
  const name = w.g.cfg.devices[c.dev]?.name;
  const k = Math.max(0, fsConfigs(w.g.cfg).findIndex((f) => f.device === name));
  if (w.mounts[k]) return { ret: -EBUSY };
  const d = w.devs[c.dev];
  if (!d || !d.present) return { ret: -ENODEV };
  if (!c.ro && d.readOnly) return { ret: -EACCES };
  if (!d.formatted) return { ret: -EINVAL };
  const xip = c.xip && hasDirectAccess(d);
  const blocksize = fsConfig(w.g.cfg, k).mount.blocksize ?? w.PS;
  if (xip && blocksize !== w.PS) return { ret: -EINVAL };
  w.mounts[k] = { dev: c.dev, ro: c.ro, xip };
  w.hold(c.dev);
  for (const f of Object.values(w.files)) if (f.fs === k) f.xip = xip;
  return { ret: 0 };
}

/**
 * mount -o remount of one mount point (each mount judged on its own files): -EINVAL unmounted, -EACCES rw on a read-only disk, -EBUSY going read-only
 * while anything holds write access; the xip flag never changes on remount (ext2_remount:
 * "refusing change of xip flag with busy inodes"), but asking for xip with a block size other
 * than the page is still -EINVAL.
 */
function remount(w: Work, c: Extract<Action, { op: 'remount' }>): Expected {
  const k = c.mnt ?? 0;
  const m = w.mounts[k];
  if (!m) return { ret: -EINVAL };
  if (!c.ro && w.devs[m.dev].readOnly) return { ret: -EACCES };
  // going read-only: -EBUSY while an unlinked file still lives (s_remove_count, 3.3+;
  // fs_may_remount_ro's i_nlink test before) or anything holds write access
  if (c.ro && !m.ro && Object.keys(w.files).some((id) => w.onFs(Number(id), k) && !w.names.some((e) => e[1] === Number(id)))) return { ret: -EBUSY };
  if (c.ro && !m.ro && w.writers(k)) return { ret: -EBUSY };
  const blocksize = fsConfig(w.g.cfg, k).mount.blocksize ?? w.PS;
  if (c.xip && hasDirectAccess(w.devs[m.dev]) && blocksize !== w.PS) return { ret: -EINVAL };
  w.mounts[k] = { ...m, ro: c.ro };
  return { ret: 0 };
}

/**
 * A kernel caller of block_device_operations.direct_access for one sector: the page frame of
 * that sector of that device (axonram adds the partition start), or the driver's error —
 * -ENODEV removed, -EOPNOTSUPP no direct_access, -EINVAL unaligned (dcssblk, brd; axonram does
 * not check), -ERANGE past the end, and when brd has no backing page left to allocate -ENOSPC
 * (3.16 on) or -ENOMEM (2.6.25–3.15).
 */
function directAccess(w: Work, c: Extract<Action, { op: 'bdev_direct_access' }>): Expected {
  const d = w.devs[c.dev];
  if (!d || !d.present) return { ret: -ENODEV };
  if (!hasDirectAccess(d)) return { ret: -EOPNOTSUPP };
  let page: number;
  if (d.driver === 'axonram') {
    const off = c.sector + d.startSect;
    if (off >= d.pages * PAGE_SECTORS) return { ret: -ERANGE };
    page = Math.floor(off / PAGE_SECTORS);
  } else {
    if (c.sector % PAGE_SECTORS) return { ret: -EINVAL };
    page = c.sector / PAGE_SECTORS;
    if (page + 1 > d.pages) return { ret: -ERANGE };
  }
  // pfns name the disk's memory (a partition's page is its disk's)
  const pfn = pfnOf(d.disk, page);
  if (d.driver === 'brd') {
    // an unbacked page is allocated here; it fails only with brd's backing memory exhausted,
    // with the errno of the disk's kernel (-ENOSPC from 3.16, -ENOMEM before: BORROWED)
    const backed = w.g.devices[c.dev].data[page] !== null;
    const cfg = w.g.cfg.devices[d.disk];
    const allocated = w.g.devices[c.dev].data.filter((p) => p !== null).length;
    if (!backed && allocated >= (cfg.maxBackingPages ?? cfg.pages)) return { ret: allocFailureOf(w.g.devices[c.dev]) };
  }
  return { ret: pfn };
}

/**
 * What kind of disagreement: `return` — a return value or error the reference derives
 * otherwise (invariant posix-returns); `data` — bytes read or loaded, or a signal (coherence).
 */
export type MismatchKind = 'return' | 'data';

export interface Mismatch {
  readonly kind: MismatchKind;
  readonly message: string;
}

/** Compare a concrete observation with the reference's expectation; null when they agree. */
export function judge(e: Expected | null, o: Observation): Mismatch | null {
  if (!e) return null;
  const ret = (message: string): Mismatch => ({ kind: 'return', message });
  const data = (message: string): Mismatch => ({ kind: 'data', message });
  if (e.claim) return ret(e.claim);
  if (e.signal !== undefined && (e.signal ?? undefined) !== o.signal) return data(`signal ${o.signal ?? 'none'}, reference says ${e.signal ?? 'none'}`);
  if (e.data) {
    const got = o.data ?? [];
    if (got.length !== e.data.length) return data(`read ${got.length} bytes [${got}], reference says ${e.data.length} [${e.data.map((b) => b ?? '?')}]`);
    for (let k = 0; k < got.length; k++) {
      if (e.data[k] !== null && e.data[k] !== got[k]) return data(`byte ${k} is ${got[k]}, reference says ${e.data[k]} (got [${got}], expected [${e.data.map((b) => b ?? '?')}])`);
    }
  }
  if (e.ret !== undefined && e.ret !== o.ret) return ret(`returned ${o.ret}, reference says ${e.ret}`);
  if (e.stat && (o.stat?.size !== e.stat.size || o.stat.xip !== e.stat.xip)) return ret(`fstat says size ${o.stat?.size} xip ${o.stat?.xip}, reference says size ${e.stat.size} xip ${e.stat.xip}`);
  if (e.statfs && (o.statfs?.blocks !== e.statfs.blocks || o.statfs.ro !== e.statfs.ro || o.statfs.xip !== e.statfs.xip)) {
    return ret(`statfs says f_blocks ${o.statfs?.blocks} ro ${o.statfs?.ro} xip ${o.statfs?.xip}, reference says f_blocks ${e.statfs.blocks} ro ${e.statfs.ro} xip ${e.statfs.xip}`);
  }
  if (e.retIn && !e.retIn.values.includes(o.ret)) return ret(`returned ${o.ret}, reference allows ${e.retIn.values.join(' or ')} (${e.retIn.why})`);
  return null;
}

/** `judge` as one line, for callers that only print. */
export function compare(e: Expected | null, o: Observation): string | null {
  return judge(e, o)?.message ?? null;
}

