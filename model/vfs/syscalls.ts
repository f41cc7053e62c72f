import { EBADF, EFAULT, EFBIG, EINVAL, ENOENT, ENXIO, EROFS, EEXIST } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { atomic, cover, lock, read, unlock, type Ctx, type Proc } from '../kernel/step.ts';
import { has } from '../kernel/variant.ts';
import type { Observation, OpenFile, State } from '../state.ts';
import { setAt, updateProc, withState } from '../state.ts';
import { fopsByName } from '../fs/file_operations.ts';
import { aopsByName, aopsOf } from '../fs/aops.ts';
import { fsTypeOf, get_fs_type, inodeFsType } from '../fs/super_operations.ts';
import { fsConfig, mountOfPath } from '../config.ts';
import { i_mutex } from '../mm/locks.ts';
import type { Transfer } from '../mm/filemap_xip.ts';
import { fd_close, fd_install } from './fdtable.ts';
import { iput_final } from './inode.ts';
import { dirLookup, dirWith, dirWithout } from './dir.ts';

const CITE = 'fs/open.c, fs/read_write.c, fs/namei.c, fs/aio.c, fs/sync.c (3.x)';
export const B_VFS = branches('vfs', CITE, [
  'open-enoent', 'open-erofs-create', 'open-erofs-write', 'open-create', 'open-existing', 'open-eexist', 'open-trunc', 'ebadf', 'efault-access-ok',
  'readv-short-stop', 'aio-einval-xip', 'sendfile', 'ftruncate-einval', 'ftruncate-efbig', 'ftruncate-same-size',
  'fsync-xip-metadata-only', 'fsync-writeback', 'unlink-enoent', 'unlink-erofs', 'unlink-ok',
] as const);

/** `fops`: file->f_op by name, which do_dentry_open copied from the inode's i_fop. */
type FileInfo = { readonly ino: number; readonly fops: string; readonly pos: number; readonly append: boolean } | { readonly err: number };

function fget(s: State, pid: number, fd: number, mode: 'read' | 'write' | 'any'): FileInfo {
  const f = s.procs[pid]?.files[fd];
  if (!f || (mode === 'read' && !f.read) || (mode === 'write' && !f.write)) return { err: -EBADF };
  return { ino: f.ino, fops: s.inodes[f.ino]!.fops, pos: f.pos, append: f.append };
}

/** access_ok(): the whole buffer lies below the top of the user address space. */
function access_ok(s: State, addr: number, len: number): boolean {
  return addr >= 0 && len >= 0 && addr + len <= s.cfg.vpages * s.cfg.pageSize;
}

function setPos(s: State, pid: number, fd: number, pos: number): State {
  return updateProc(s, pid, (p) => ({ ...p, files: setAt(p.files, fd, { ...p.files[fd]!, pos }) }));
}

function obsOf(t: Transfer): Observation {
  return { ret: t.ret, ...(t.bytes ? { data: t.bytes } : {}), ...(t.status ? { status: t.status } : {}), ...(t.allocFail !== undefined ? { allocFail: t.allocFail } : {}) };
}

function* entry(pid: number, fd: number, mode: 'read' | 'write', buf: number, len: number): Proc<FileInfo> {
  const fi = yield* read('fdget', (s) => {
    const f = fget(s, pid, fd, mode);
    if ('err' in f) return f;
    return access_ok(s, buf, len) ? f : { err: -EFAULT };
  });
  if ('err' in fi) yield* cover(B_VFS, fi.err === -EBADF ? 'ebadf' : 'efault-access-ok');
  return fi;
}

/** sys_read → vfs_read → f_op->read; f_pos advances by what was copied. */
export function* sys_read(ctx: Ctx, pid: number, a: { fd: number; buf: number; len: number }): Proc<Observation> {
  const fi = yield* entry(pid, a.fd, 'read', a.buf, a.len);
  if ('err' in fi) return { ret: fi.err };
  const t = yield* fopsByName(fi.fops).read(ctx, pid, fi.ino, fi.pos, a.len, { kind: 'user', addr: a.buf });
  // sys_read/sys_write (fs/read_write.c, 3.19): file_pos_write only `if (ret >= 0)`
  yield* atomic('f_pos = pos', (s) => [t.ret >= 0 ? setPos(s, pid, a.fd, t.pos) : s, null] as const);
  return obsOf(t);
}

/** sys_pread64: like read at an explicit offset, f_pos untouched. */
export function* sys_pread(ctx: Ctx, pid: number, a: { fd: number; buf: number; len: number; pos: number }): Proc<Observation> {
  const fi = yield* entry(pid, a.fd, 'read', a.buf, a.len);
  if ('err' in fi) return { ret: fi.err };
  if (a.pos < 0) return { ret: -EINVAL };
  const t = yield* fopsByName(fi.fops).read(ctx, pid, fi.ino, a.pos, a.len, { kind: 'user', addr: a.buf });
  if (has(ctx.variant, 'mut-pread-moves-fpos')) yield* atomic('f_pos = pos', (s) => [setPos(s, pid, a.fd, t.pos), null] as const);
  return obsOf(t);
}

/** sys_write → vfs_write → f_op->write (O_APPEND handled by generic_write_checks). */
export function* sys_write(ctx: Ctx, pid: number, a: { fd: number; buf: number; len: number }): Proc<Observation> {
  const fi = yield* entry(pid, a.fd, 'write', a.buf, a.len);
  if ('err' in fi) return { ret: fi.err };
  const t = yield* fopsByName(fi.fops).write(ctx, pid, fi.ino, fi.pos, a.len, { kind: 'user', addr: a.buf }, fi.append);
  // sys_read/sys_write (fs/read_write.c, 3.19): file_pos_write only `if (ret >= 0)`
  yield* atomic('f_pos = pos', (s) => [t.ret >= 0 ? setPos(s, pid, a.fd, t.pos) : s, null] as const);
  return obsOf(t);
}

/** sys_pwrite64. On Linux an O_APPEND file appends even with pwrite (see pwrite(2), BUGS). */
export function* sys_pwrite(ctx: Ctx, pid: number, a: { fd: number; buf: number; len: number; pos: number }): Proc<Observation> {
  const fi = yield* entry(pid, a.fd, 'write', a.buf, a.len);
  if ('err' in fi) return { ret: fi.err };
  if (a.pos < 0) return { ret: -EINVAL };
  return obsOf(yield* fopsByName(fi.fops).write(ctx, pid, fi.ino, a.pos, a.len, { kind: 'user', addr: a.buf }, fi.append));
}

type Iov = readonly { readonly buf: number; readonly len: number }[];

/**
 * readv/writev on a file without aio_read/aio_write: do_loop_readv_writev calls ->read/->write
 * per segment, stops at the first short transfer, and returns the bytes moved if any.
 */
export function* sys_readv_writev(ctx: Ctx, pid: number, a: { fd: number; iov: Iov }, write: boolean): Proc<Observation> {
  const fi = yield* read('fdget', (s) => {
    const f = fget(s, pid, a.fd, write ? 'write' : 'read');
    if ('err' in f) return f;
    return a.iov.every((v) => access_ok(s, v.buf, v.len)) ? f : { err: -EFAULT };
  });
  if ('err' in fi) return { ret: fi.err };
  const fops = fopsByName(fi.fops);
  let pos = fi.pos, done = 0, err = 0, status: number | undefined, allocFail: number | undefined;
  const data: number[] = [];
  for (const v of a.iov) {
    const t = write
      ? yield* fops.write(ctx, pid, fi.ino, pos, v.len, { kind: 'user', addr: v.buf }, fi.append)
      : yield* fops.read(ctx, pid, fi.ino, pos, v.len, { kind: 'user', addr: v.buf });
    status = t.status;
    allocFail = t.allocFail;
    if (t.bytes) data.push(...t.bytes);
    if (t.ret < 0) { err = t.ret; break; }
    done += t.ret;
    pos = t.pos;
    if (t.ret !== v.len) { yield* cover(B_VFS, 'readv-short-stop'); break; }
  }
  // sys_readv/sys_writev: file_pos_write only `if (ret >= 0)`
  yield* atomic('f_pos = pos', (s) => [done || !err ? setPos(s, pid, a.fd, pos) : s, null] as const);
  return { ret: done ? done : err, ...(write ? {} : { data }), ...(status ? { status } : {}), ...(allocFail !== undefined ? { allocFail } : {}) };
}

/** io_submit(IOCB_CMD_PREAD/PWRITE): -EINVAL when f_op has no aio_read/aio_write (XIP, 3.x). */
export function* sys_aio_rw(ctx: Ctx, pid: number, a: { fd: number; buf: number; len: number; pos: number }, write: boolean): Proc<Observation> {
  const fi = yield* entry(pid, a.fd, write ? 'write' : 'read', a.buf, a.len);
  if ('err' in fi) return { ret: fi.err };
  // aio_run_iocb (fs/aio.c, 3.19): `if (!rw_op && !iter_op) return -EINVAL` — XIP's f_op has neither
  const fops = fopsByName(fi.fops);
  if (!(write ? fops.write_iter : fops.read_iter)) { yield* cover(B_VFS, 'aio-einval-xip'); return { ret: -EINVAL }; }
  return write ? yield* sys_pwrite(ctx, pid, a) : yield* sys_pread(ctx, pid, a);
}

/**
 * sendfile(out_fd, in_fd, NULL, count): do_splice_direct reads the input through ->read into
 * kernel pages (default_file_splice_read; XIP files have no splice_read) and writes them to
 * the output. Modelled as one read into a kernel buffer, then one write from it.
 */
export function* sys_sendfile(ctx: Ctx, pid: number, a: { outFd: number; inFd: number; count: number }): Proc<Observation> {
  const io = yield* read('fdget x2', (s) => ({ i: fget(s, pid, a.inFd, 'read'), o: fget(s, pid, a.outFd, 'write') }));
  if ('err' in io.i) return { ret: io.i.err };
  if ('err' in io.o) return { ret: io.o.err };
  const fin = io.i, fout = io.o;
  yield* cover(B_VFS, 'sendfile');
  const r = yield* fopsByName(fin.fops).read(ctx, pid, fin.ino, fin.pos, a.count, { kind: 'kernel', data: [] });
  if (r.ret <= 0) return { ret: r.ret };
  const data = r.bytes ?? [];
  const out = yield* read('fdget(out).pos', (s) => s.procs[pid].files[a.outFd]?.pos ?? 0);
  const w = yield* fopsByName(fout.fops).write(ctx, pid, fout.ino, out, data.length, { kind: 'kernel', data }, fout.append);
  const consumed = w.ret > 0 ? w.ret : 0;
  yield* atomic('f_pos (in, out)', (s) => [setPos(setPos(s, pid, a.inFd, fin.pos + consumed), pid, a.outFd, w.pos), null] as const);
  return { ret: w.ret, ...(w.status ? { status: w.status } : {}) };
}

/**
 * generic_file_llseek → generic_file_llseek_size(file, offset, whence, s_maxbytes, i_size)
 * (fs/read_write.c, 3.19): SEEK_END adds i_size; SEEK_CUR with 0 returns f_pos untouched,
 * else adds f_pos; SEEK_DATA/SEEK_HOLE see the whole file as data with a hole at EOF (-ENXIO
 * at or past it); vfs_setpos refuses a negative or beyond-s_maxbytes offset with -EINVAL.
 */
export function* sys_lseek(ctx: Ctx, pid: number, a: { fd: number; pos: number; whence?: 'set' | 'cur' | 'end' | 'data' | 'hole' }): Proc<Observation> {
  return yield* atomic(`generic_file_llseek(SEEK_${(a.whence ?? 'set').toUpperCase()})`, (s): readonly [State, Observation] => {
    const f = s.procs[pid].files[a.fd];
    if (!f) return [s, { ret: -EBADF }];
    const eof = s.inodes[f.ino]!.size;
    let off = a.pos;
    switch (a.whence ?? 'set') {
      case 'end': off += eof; break;
      case 'cur':
        if (off === 0) return [s, { ret: f.pos }];
        off += f.pos;
        break;
      case 'data': if (off >= eof) return [s, { ret: -ENXIO }]; break;
      case 'hole': if (off >= eof) return [s, { ret: -ENXIO }]; off = eof; break;
      case 'set': break;
    }
    if (off < 0 || off > fsConfig(s.cfg, s.inodes[f.ino]!.fs).maxFilePages * s.cfg.pageSize) return [s, { ret: -EINVAL }];
    return [setPos(s, pid, a.fd, off + (has(ctx.variant, 'mut-lseek-off-by-one') ? 1 : 0)), { ret: off }];
  });
}

/** do_sys_ftruncate → do_truncate → notify_change → i_op->setattr (ext2_setattr → ext2_setsize), under i_mutex. */
export function* sys_ftruncate(ctx: Ctx, pid: number, a: { fd: number; len: number }): Proc<Observation> {
  const fi = yield* read('fdget', (s): { err: number } | { ino: number } => {
    const f = s.procs[pid].files[a.fd];
    if (!f) return { err: -EBADF };
    if (!f.write || a.len < 0 || (has(ctx.variant, 'mut-ftruncate-odd-einval') && a.len % 2)) return { err: -EINVAL };
    if (a.len > fsConfig(s.cfg, s.inodes[f.ino]!.fs).maxFilePages * s.cfg.pageSize) return { err: -EFBIG };
    return { ino: f.ino };
  });
  if ('err' in fi) {
    yield* cover(B_VFS, fi.err === -EINVAL ? 'ftruncate-einval' : fi.err === -EFBIG ? 'ftruncate-efbig' : 'ebadf');
    return { ret: fi.err };
  }
  return { ret: yield* do_truncate(ctx, fi.ino, a.len) };
}

function* do_truncate(ctx: Ctx, ino: number, len: number): Proc<number> {
  yield* lock(i_mutex(ino));
  // the file system's setattr sets the size only when it changes (ATTR_SIZE && ia_size != i_size)
  const r0 = yield* read('setattr: size changed?', (s) => ({ same: s.inodes[ino]!.size === len, fs: inodeFsType(s, ino).name }));
  let r = 0;
  if (r0.same) yield* cover(B_VFS, 'ftruncate-same-size');
  else r = yield* get_fs_type(r0.fs)!.s_op.setsize(ctx, ino, len);
  yield* unlock(i_mutex(ino));
  return r;
}

/**
 * fsync: vfs_fsync → f_op->fsync (ext2_fsync → generic_file_fsync). On an XIP file there is no
 * dirty data to write (the stores went to the medium; its a_ops has no ->writepage): only
 * metadata. On a page-cache file the dirty pages are written.
 */
export function* sys_fsync(ctx: Ctx, pid: number, a: { fd: number }): Proc<Observation> {
  const fi = yield* read('fdget', (s) => {
    const f = fget(s, pid, a.fd, 'any');
    if ('err' in f) return f;
    return { ...f, dirty: s.inodes[f.ino]!.pageCache.flatMap((p, i) => (p?.dirty ? [i] : [])), aops: aopsOf(s, f.ino).name };
  });
  if ('err' in fi) return { ret: fi.err };
  yield* cover(B_VFS, aopsByName(fi.aops).writepage ? 'fsync-writeback' : 'fsync-xip-metadata-only');
  return { ret: yield* fopsByName(fi.fops).fsync(ctx, fi.ino, { aops: fi.aops, dirty: fi.dirty }) };
}

export interface OpenFlags { readonly read?: boolean; readonly write?: boolean; readonly append?: boolean; readonly creat?: boolean; readonly excl?: boolean; readonly trunc?: boolean }

/**
 * sys_open: path lookup (the root directory, or below a mount point the root of the file system
 * mounted there: follow_mount), O_CREAT (that file system's create: ext2_create, the inode's
 * i_sb its super block), EROFS for write on a ro mount, O_TRUNC. An unmounted mount point is an
 * empty directory of nothing the model has: -ENOENT, as the unmounted root is.
 */
export function* sys_open(ctx: Ctx, pid: number, a: { name: string; flags: OpenFlags }): Proc<Observation> {
  const fl = a.flags;
  const r = yield* atomic('do_sys_open', (s): readonly [State, { fd: number; ino: number; br: string } | { err: number; br: string }] => {
    const at = mountOfPath(s.cfg, a.name);
    const sb = at && s.sbs[at.fs];
    if (!at || !sb) return [s, { err: -ENOENT, br: 'open-enoent' }];
    let ino: number | undefined = dirLookup(s.dir, a.name);
    let next = s;
    let br = 'open-existing';
    if (ino !== undefined && fl.creat && fl.excl) return [s, { err: -EEXIST, br: 'open-eexist' }];
    if (ino !== undefined && fl.append && has(ctx.variant, 'mut-open-append-enoent')) return [s, { err: -ENOENT, br: 'open-enoent' }];
    if (ino === undefined) {
      if (!fl.creat) return [s, { err: -ENOENT, br: 'open-enoent' }];
      if (sb.ro) return [s, { err: -EROFS, br: 'open-erofs-create' }];
      let fresh = s.inodes.findIndex((i, k) => k > 0 && i === null);
      if (fresh < 0) fresh = Math.max(1, s.inodes.length);
      ino = fresh;
      const inodes = s.inodes.slice();
      while (inodes.length <= ino) inodes.push(null);
      inodes[ino] = fsTypeOf(s, at.fs).s_op.new_inode(ctx, s, ino, at.fs);
      next = withState(s, { inodes, dir: dirWith(s.dir, a.name, ino) });
      br = 'open-create';
    }
    if ((fl.write || fl.trunc) && sb.ro) return [s, { err: -EROFS, br: 'open-erofs-write' }];
    const f: OpenFile = { ino, read: fl.read ?? !fl.write, write: !!fl.write, append: !!fl.append, pos: 0 };
    const [s2, fd] = fd_install(next, pid, f, has(ctx.variant, 'mut-fd-not-lowest'));
    return [s2, { fd, ino, br }];
  });
  yield* cover(B_VFS, r.br);
  if ('err' in r) return { ret: r.err };
  // O_TRUNC truncates whatever the access mode (O_RDONLY|O_TRUNC too): may_open's
  // `if (flag & O_TRUNC)` → do_truncate (fs/namei.c 2.6.x; handle_truncate in 3.x), after
  // open_will_write_to_fs / mnt_want_write refused a read-only mount (-EROFS above)
  if (fl.trunc) {
    yield* cover(B_VFS, 'open-trunc');
    const t = yield* do_truncate(ctx, r.ino, 0);
    if (t) return { ret: t };
  }
  return { ret: r.fd };
}

export function* sys_close(ctx: Ctx, pid: number, a: { fd: number }): Proc<Observation> {
  return yield* atomic('filp_close', (s): readonly [State, Observation] =>
    s.procs[pid].files[a.fd] && !(a.fd === 0 && has(ctx.variant, 'mut-close-fd0-ebadf')) ? [fd_close(s, pid, a.fd), { ret: 0 }] : [s, { ret: -EBADF }]);
}

/** sys_unlink: drop the name; the inode (and its blocks) lives on while open or mapped. */
export function* sys_unlink(ctx: Ctx, _pid: number, a: { name: string }): Proc<Observation> {
  const r = yield* atomic('vfs_unlink', (s): readonly [State, [number, string]] => {
    const at = mountOfPath(s.cfg, a.name);
    const sb = at && s.sbs[at.fs];
    const ino = sb ? dirLookup(s.dir, a.name) : undefined;
    if (!sb) return [s, [-ENOENT, 'unlink-enoent']];
    // do_unlinkat (fs/namei.c, 3.19 and 6.1): mnt_want_write before lookup_hash, so a read-only
    // mount answers -EROFS whether or not the name exists (found by the lab: the model had
    // -ENOENT first, as had the reference)
    if (sb.ro && !has(ctx.variant, 'mut-unlink-ro')) return [s, [-EROFS, 'unlink-erofs']];
    if (ino === undefined) return [s, [-ENOENT, 'unlink-enoent']];
    const dir = dirWithout(s.dir, a.name);
    const next: State = withState(s, { dir, inodes: setAt(s.inodes, ino, { ...s.inodes[ino]!, nlink: 0 }) });
    return [iput_final(next, ino), [0, 'unlink-ok']];
  });
  yield* cover(B_VFS, r[1]);
  return { ret: r[0] };
}
