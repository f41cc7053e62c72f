import { z } from 'zod';
import { atomic, cover, type Ctx, type Proc } from './kernel/step.ts';
import type { Call, Observation, State } from './state.ts';
import { branches, hit } from './kernel/coverage.ts';
import { userAccess, ptePageData, ptePageStore } from './mm/memory.ts';
import { do_mmap_pgoff, do_munmap, B_MMAP } from './mm/mmap.ts';
import { lock, unlock } from './kernel/step.ts';
import { has } from './kernel/variant.ts';
import { mmap_sem } from './mm/locks.ts';
import {
  sys_aio_rw, sys_close, sys_fsync, sys_ftruncate, sys_lseek, sys_open, sys_pread, sys_pwrite, sys_read,
  sys_readv_writev, sys_sendfile, sys_unlink, sys_write,
} from './vfs/syscalls.ts';
import { sync_filesystem } from './vfs/sync.ts';
import {
  sys_bdev_direct_access, sys_blkdev_close, sys_blkdev_open, sys_brd_blkflsbuf, sys_brd_discard,
  sys_dcssblk_remove, sys_dcssblk_save, sys_dcssblk_shared, sys_dcssblk_save_show,
} from './block/ioctl.ts';
import { fsTypeOf, sget_type, type FileSystemType, type SuperResult } from './fs/super_operations.ts';
import { sys_fstat, sys_statfs } from './vfs/stat.ts';
import { sys_msync } from './mm/msync.ts';
import { sys_mprotect } from './mm/mprotect.ts';
import { fsConfig, fsConfigs } from './config.ts';

const nat = z.number().int().min(0);
const byte = z.number().int().min(0).max(255);
const base = { pid: nat.default(0) };
/** The mount point (index into cfg.fs) an administrative call names; absent = 0, the root (so one-file-system traces stay as they were). */
const mnt = nat.optional();
const iov = z.array(z.strictObject({ buf: nat, len: nat })).min(1).max(4);

/**
 * Every top-level action: its trace form (zod, so a trace file is checked before it runs) and
 * the kernel entry point it models. `pid` is the user process making the call.
 */
export const Action = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('open'), ...base, name: z.string().min(1), flags: z.strictObject({ read: z.boolean().optional(), write: z.boolean().optional(), append: z.boolean().optional(), creat: z.boolean().optional(), excl: z.boolean().optional(), trunc: z.boolean().optional() }).default({}) }),
  z.strictObject({ op: z.literal('close'), ...base, fd: nat }),
  z.strictObject({ op: z.literal('unlink'), ...base, name: z.string().min(1) }),
  z.strictObject({ op: z.literal('read'), ...base, fd: nat, buf: nat, len: nat }),
  z.strictObject({ op: z.literal('pread'), ...base, fd: nat, buf: nat, len: nat, pos: nat }),
  z.strictObject({ op: z.literal('readv'), ...base, fd: nat, iov }),
  z.strictObject({ op: z.literal('aio_read'), ...base, fd: nat, buf: nat, len: nat, pos: nat }),
  z.strictObject({ op: z.literal('write'), ...base, fd: nat, buf: nat, len: nat }),
  z.strictObject({ op: z.literal('pwrite'), ...base, fd: nat, buf: nat, len: nat, pos: nat }),
  z.strictObject({ op: z.literal('writev'), ...base, fd: nat, iov }),
  z.strictObject({ op: z.literal('aio_write'), ...base, fd: nat, buf: nat, len: nat, pos: nat }),
  z.strictObject({ op: z.literal('sendfile'), ...base, outFd: nat, inFd: nat, count: nat }),
  z.strictObject({ op: z.literal('lseek'), ...base, fd: nat, pos: z.number().int(), whence: z.enum(['set', 'cur', 'end', 'data', 'hole']).default('set') }),
  z.strictObject({ op: z.literal('fstat'), ...base, fd: nat }),
  z.strictObject({ op: z.literal('statfs'), ...base, mnt }),
  z.strictObject({ op: z.literal('ftruncate'), ...base, fd: nat, len: nat }),
  z.strictObject({ op: z.literal('fsync'), ...base, fd: nat }),
  z.strictObject({ op: z.literal('mmap'), ...base, fd: nat, pages: nat, pgoff: nat, shared: z.boolean(), read: z.boolean().default(true), write: z.boolean() }),
  z.strictObject({ op: z.literal('munmap'), ...base, addr: nat, pages: z.number().int().min(1) }),
  z.strictObject({ op: z.literal('msync'), ...base, addr: nat, pages: nat, sync: z.boolean().default(true) }),
  z.strictObject({ op: z.literal('mprotect'), ...base, addr: nat, pages: nat, read: z.boolean().default(true), write: z.boolean() }),
  z.strictObject({ op: z.literal('load'), ...base, addr: nat, len: z.number().int().min(1) }),
  z.strictObject({ op: z.literal('store'), ...base, addr: nat, bytes: z.array(byte).min(1) }),
  z.strictObject({ op: z.literal('mount'), ...base, dev: nat, xip: z.boolean(), ro: z.boolean() }),
  z.strictObject({ op: z.literal('remount'), ...base, mnt, xip: z.boolean(), ro: z.boolean() }),
  z.strictObject({ op: z.literal('umount'), ...base, mnt }),
  z.strictObject({ op: z.literal('blkdev_open'), ...base, dev: nat, write: z.boolean().default(false) }),
  z.strictObject({ op: z.literal('blkdev_close'), ...base, dev: nat }),
  z.strictObject({ op: z.literal('dcssblk_remove'), ...base, dev: nat }),
  z.strictObject({ op: z.literal('dcssblk_save'), ...base, dev: nat, on: z.boolean() }),
  z.strictObject({ op: z.literal('dcssblk_shared'), ...base, dev: nat, shared: z.boolean() }),
  z.strictObject({ op: z.literal('dcssblk_save_show'), ...base, dev: nat }),
  z.strictObject({ op: z.literal('brd_blkflsbuf'), ...base, dev: nat }),
  z.strictObject({ op: z.literal('brd_discard'), ...base, dev: nat, page: nat }),
  z.strictObject({ op: z.literal('bdev_direct_access'), ...base, dev: nat, sector: nat }),
]);
export type Action = z.infer<typeof Action>;
export type OpName = Action['op'];

/** Where each action enters the kernel, for reports and docs. */
export const ACTION_CITES: Record<OpName, string> = {
  open: 'sys_open → do_sys_open, ext2_create (fs/open.c, fs/ext2/namei.c)', close: 'sys_close → filp_close', unlink: 'sys_unlink → vfs_unlink, ext2_evict_inode',
  read: 'sys_read → vfs_read → xip_file_read | do_sync_read', pread: 'sys_pread64', readv: 'sys_readv → do_loop_readv_writev',
  aio_read: 'io_submit(IOCB_CMD_PREAD) → aio_run_iocb', write: 'sys_write → vfs_write → xip_file_write | do_sync_write',
  pwrite: 'sys_pwrite64', writev: 'sys_writev → do_loop_readv_writev', aio_write: 'io_submit(IOCB_CMD_PWRITE) → aio_run_iocb',
  sendfile: 'sys_sendfile → do_splice_direct → default_file_splice_read', lseek: 'sys_lseek → generic_file_llseek → generic_file_llseek_size',
  fstat: 'sys_fstat → vfs_fstat → generic_fillattr', statfs: 'sys_statfs → vfs_statfs → ext2_statfs (+ ext2_show_options)',
  msync: 'sys_msync → vfs_fsync_range → ext2_fsync', mprotect: 'sys_mprotect → mprotect_fixup → change_protection', dcssblk_save_show: 'dcssblk_save_show (sysfs)',
  ftruncate: 'sys_ftruncate → do_truncate → ext2_setattr → ext2_setsize', fsync: 'sys_fsync → ext2_fsync',
  mmap: 'sys_mmap_pgoff → do_mmap_pgoff → xip_file_mmap | generic_file_mmap', munmap: 'sys_munmap → do_munmap',
  load: 'user load → handle_mm_fault → xip_file_fault | filemap_fault', store: 'user store → handle_mm_fault → do_wp_page',
  mount: 'sys_mount → mount_bdev → ext2_fill_super', remount: 'sys_mount(MS_REMOUNT) → do_remount_sb → ext2_remount',
  umount: 'sys_umount → generic_shutdown_super', blkdev_open: 'blkdev_open → blkdev_get', blkdev_close: 'blkdev_close → blkdev_put',
  dcssblk_remove: 'dcssblk_remove_store (sysfs)', dcssblk_save: 'dcssblk_save_store (sysfs)', dcssblk_shared: 'dcssblk_shared_store (sysfs)',
  brd_blkflsbuf: 'brd_ioctl(BLKFLSBUF)', brd_discard: 'blkdev_issue_discard → discard_from_brd', bdev_direct_access: 'block_device_operations.direct_access',
};

const B_USER = branches('user_access', 'arch fault entry (do_page_fault) for user loads and stores', ['load', 'store', 'signal'] as const);

function signalOf(stop: string): Observation['signal'] {
  return stop === 'SIGSEGV' ? 'SIGSEGV' : stop === 'OOM' ? 'SIGKILL' : 'SIGBUS';
}

function failOf(r: { stop: string; at?: number }): Partial<Observation> {
  return r.stop === 'SIGBUS_ALLOC' && r.at !== undefined ? { allocFail: r.at } : {};
}

/** A user load: the bytes, or the signal the fault raised (the model lets the process go on). */
function* user_load(ctx: Ctx, pid: number, a: { addr: number; len: number }): Proc<Observation> {
  const r = yield* userAccess(ctx, pid, a.addr, a.len, false, 'load', (s, pte, _vp, off, _done, n) => [s, ptePageData(s, pte).slice(off, off + n)] as const);
  const bytes = r.bytes;
  yield* cover(B_USER, r.stop === 'ok' ? 'load' : 'signal');
  return r.stop === 'ok' ? { ret: 0, data: bytes } : { ret: 0, data: bytes, signal: signalOf(r.stop), ...failOf(r) };
}


function* user_store(ctx: Ctx, pid: number, a: { addr: number; bytes: readonly number[] }): Proc<Observation> {
  const r = yield* userAccess(ctx, pid, a.addr, a.bytes.length, true, 'store', (s, _pte, vpage, off, done, n) =>
    ptePageStore(s, pid, vpage, off, a.bytes.slice(done, done + n)));
  yield* cover(B_USER, r.stop === 'ok' ? 'store' : 'signal');
  // ret: how many bytes were stored (a page at a time) before any signal
  return r.stop === 'ok' ? { ret: r.done } : { ret: r.done, signal: signalOf(r.stop), ...failOf(r) };
}

function* sys_mmap(ctx: Ctx, pid: number, a: { fd: number; pages: number; pgoff: number; shared: boolean; read: boolean; write: boolean }): Proc<Observation> {
  yield* lock(mmap_sem(pid));
  const r = yield* atomic('do_mmap_pgoff', (s) => { const [s2, ret, br] = do_mmap_pgoff(s, pid, a, has(ctx.variant, 'mut-mmap-shared-write-rdonly')); return [s2, [ret, br] as const] as const; });
  yield* unlock(mmap_sem(pid));
  yield* cover(B_MMAP, r[1]);
  return { ret: r[0] };
}

function* sys_munmap(ctx: Ctx, pid: number, a: { addr: number; pages: number }): Proc<Observation> {
  yield* lock(mmap_sem(pid));
  const r = yield* atomic('do_munmap', (s) => {
    if (a.addr % ctx.pageSize) return [s, [-22, 'munmap-einval'] as const] as const;
    const [s2, ret, br] = do_munmap(s, pid, a.addr / ctx.pageSize, a.pages);
    return [s2, [ret, br] as const] as const;
  });
  yield* unlock(mmap_sem(pid));
  yield* cover(B_MMAP, r[1]);
  return { ret: r[0] };
}

/**
 * A mount, remount or umount of mount point `k`: one step that finds its file system in the
 * state (the mounted super block's type, else the one configured there) and runs its operation;
 * the branch taken is recorded in that file system's catalogue.
 */
function* superOp(label: string, k: (s: State) => number, f: (fs: FileSystemType, s: State, k: number) => SuperResult): Proc<Observation> {
  const r = yield* atomic(label, (s) => {
    const at = k(s);
    const fs = fsTypeOf(s, at);
    const [s2, ret, br] = f(fs, s, at);
    hit(fs.branches, br);
    return [s2, [ret, br] as const] as const;
  });
  return { ret: r[0] };
}

/**
 * mount -t TYPE DEV DIR: the file system made on device `dev` goes to its own mount point (the
 * config pairs each file system with its device and directory). A device no file system was
 * made on is offered to the root's type, whose fill_super finds no super block on it (-EINVAL),
 * or -EBUSY first when the root is mounted — as with one file system.
 */
function mountOfDevice(s: State, dev: number): number {
  const name = s.cfg.devices[dev]?.name;
  const k = fsConfigs(s.cfg).findIndex((f) => f.device === name);
  return k < 0 ? 0 : k;
}

type Programs = { [K in OpName]: (ctx: Ctx, a: Extract<Action, { op: K }>) => Proc<Observation> };

/**
 * Where each action enters the model. A mapped type over every `op`: leaving one out is a
 * compile error (exhaustive dispatch without building a matcher per call on the hot path).
 */
const PROGRAMS: Programs = {
  open: (ctx, a) => sys_open(ctx, a.pid, a),
  close: (ctx, a) => sys_close(ctx, a.pid, a),
  unlink: (ctx, a) => sys_unlink(ctx, a.pid, a),
  read: (ctx, a) => sys_read(ctx, a.pid, a),
  pread: (ctx, a) => sys_pread(ctx, a.pid, a),
  readv: (ctx, a) => sys_readv_writev(ctx, a.pid, a, false),
  aio_read: (ctx, a) => sys_aio_rw(ctx, a.pid, a, false),
  write: (ctx, a) => sys_write(ctx, a.pid, a),
  pwrite: (ctx, a) => sys_pwrite(ctx, a.pid, a),
  writev: (ctx, a) => sys_readv_writev(ctx, a.pid, a, true),
  aio_write: (ctx, a) => sys_aio_rw(ctx, a.pid, a, true),
  sendfile: (ctx, a) => sys_sendfile(ctx, a.pid, a),
  lseek: (ctx, a) => sys_lseek(ctx, a.pid, a),
  fstat: (ctx, a) => sys_fstat(ctx, a.pid, a),
  statfs: (ctx, a) => sys_statfs(ctx, a.pid, a),
  msync: (ctx, a) => sys_msync(ctx, a.pid, a),
  mprotect: (ctx, a) => sys_mprotect(ctx, a.pid, a),
  ftruncate: (ctx, a) => sys_ftruncate(ctx, a.pid, a),
  fsync: (ctx, a) => sys_fsync(ctx, a.pid, a),
  mmap: (ctx, a) => sys_mmap(ctx, a.pid, a),
  munmap: (ctx, a) => sys_munmap(ctx, a.pid, a),
  load: (ctx, a) => user_load(ctx, a.pid, a),
  store: (ctx, a) => user_store(ctx, a.pid, a),
  mount: (ctx, a) => superOp('mount_bdev+fill_super', (s) => mountOfDevice(s, a.dev), (fs, s, k) => {
    const r = fs.mount(ctx, s, { dev: a.dev, xip: a.xip, ro: a.ro, fs: k }, fsConfig(s.cfg, k).mount.blocksize ?? s.cfg.pageSize);
    return r[1] === 0 ? [sget_type(r[0], k, fsConfig(s.cfg, k).type), r[1], r[2]] : r;
  }),
  remount: (ctx, a) => superOp('do_remount_sb+remount_fs', () => a.mnt ?? 0, (fs, s, k) => fs.s_op.remount_fs(ctx, s, { xip: a.xip, ro: a.ro, fs: k })),
  umount: (ctx, a) => superOp('generic_shutdown_super', () => a.mnt ?? 0, (fs, s, k) => {
    const ignoreBusy = has(ctx.variant, 'mut-umount-ignores-busy');
    const busy = fs.umount(ctx, s, k, ignoreBusy);
    return busy[1] === 0 ? fs.umount(ctx, sync_filesystem(ctx, s, k), k, ignoreBusy) : busy;
  }),
  blkdev_open: (ctx, a) => sys_blkdev_open(ctx, a.pid, a),
  blkdev_close: (ctx, a) => sys_blkdev_close(ctx, a.pid, a),
  dcssblk_remove: (ctx, a) => sys_dcssblk_remove(ctx, a.pid, a),
  dcssblk_save: (ctx, a) => sys_dcssblk_save(ctx, a.pid, a),
  dcssblk_shared: (ctx, a) => sys_dcssblk_shared(ctx, a.pid, a),
  dcssblk_save_show: (ctx, a) => sys_dcssblk_save_show(ctx, a.pid, a),
  brd_blkflsbuf: (ctx, a) => sys_brd_blkflsbuf(ctx, a.pid, a),
  brd_discard: (ctx, a) => sys_brd_discard(ctx, a.pid, a),
  bdev_direct_access: (ctx, a) => sys_bdev_direct_access(ctx, a.pid, a),
};

/** The process implementing a call. */
export function program(call: Call, ctx: Ctx): Proc<Observation> {
  const a = call as Action;
  const f = PROGRAMS[a.op] as (ctx: Ctx, a: Action) => Proc<Observation>;
  if (!f) throw new Error(`no program for action "${String(a.op)}"`);
  return f(ctx, a);
}
