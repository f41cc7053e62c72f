import { describe, expect, it } from 'vitest';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { program } from '../../model/actions.ts';
import { runCall } from '../../model/kernel/runtime.ts';
import { EBADF, EFAULT, EFBIG, EINVAL, ENOENT, EROFS } from '../../model/kernel/errno.ts';
import type { Call, State } from '../../model/state.ts';

/**
 * model/vfs held to account condition by condition (docs/mutation.md): the entry checks of the
 * system calls (fdget, access_ok, the negative offset of pread/pwrite), where each call moves the
 * file position, sendfile's two positions, generic_write_checks at s_maxbytes, inode numbering
 * and the directory on create, and the step each call is — the label a trace shows. Written
 * against Stryker's survivors in model/vfs. Calls go in as the kernel gets them, without the
 * trace schema's own checks (a negative offset reaches the kernel from C).
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = (ro = false) => ({
  pageSize: 4, vpages: 8, heapPages: 2, processes: 1,
  devices: [{ name: 'd', driver: 'dcssblk', pages: 8 }],
  fs: { device: 'd', mount: { xip: true, ro }, files: [{ name: 'f0', data: [1, 2, 3, 4, 5, 6] }, { name: 'f1', data: [] }], maxFilePages: 3 },
});
const base = (ro = false): State => initialState(config(ro) as never, ctx);

function run(s: State, a: Record<string, unknown>) {
  const labels: string[] = [], branches: string[] = [];
  const r = runCall(s, { pid: 0, ...a } as unknown as Call, ctx, program, { onBranch: (b) => branches.push(b) }, (_st, at) => labels.push(at));
  return { obs: r.obs, ret: r.obs.ret, state: r.state, labels, branches };
}
/** Runs calls one after the other; the last one's result. */
function seq(s: State, ...calls: Record<string, unknown>[]) {
  let r = run(s, calls[0]);
  for (const c of calls.slice(1)) r = run(r.state, c);
  return r;
}
const openRW = (name = 'f0') => ({ op: 'open', name, flags: { read: true, write: true } });
const pos = (s: State, fd: number) => s.procs[0].files[fd]!.pos;

describe('entry checks: fdget, then access_ok over the whole buffer', () => {
  it('a descriptor not open is -EBADF (branch vfs:ebadf), before the buffer is looked at', () => {
    const r = run(base(), { op: 'read', fd: 3, buf: -1, len: 1 });
    expect(r).toMatchObject({ ret: -EBADF, branches: ['vfs:ebadf'], labels: ['fdget'] });
  });
  it('access_ok: a buffer ending at the top of the address space passes, one byte more or a negative start or length does not', () => {
    const s = run(base(), openRW()).state;
    const top = 8 * 4;
    // passes access_ok: the copy itself faults (nothing mapped there), no access_ok branch
    expect(run(s, { op: 'read', fd: 0, buf: top - 2, len: 2 }).branches).not.toContain('vfs:efault-access-ok');
    for (const [buf, len] of [[top - 2, 3], [-1, 1], [0, -1]]) {
      expect(run(s, { op: 'read', fd: 0, buf, len })).toMatchObject({ ret: -EFAULT, branches: ['vfs:efault-access-ok'] });
    }
  });
  it('pread and pwrite at a negative offset are -EINVAL (rw_verify_area), the file untouched', () => {
    const s = run(base(), openRW()).state;
    expect(run(s, { op: 'pread', fd: 0, buf: 0, len: 1, pos: -1 }).ret).toBe(-EINVAL);
    const w = run(s, { op: 'pwrite', fd: 0, buf: 0, len: 1, pos: -1 });
    expect(w.ret).toBe(-EINVAL);
    expect(w.state.inodes[1]!.size).toBe(6);
  });
});

describe('the file position', () => {
  it('read and write move it by what they return, in their own last step; pread does not', () => {
    const s = run(base(), openRW()).state;
    const r = run(s, { op: 'read', fd: 0, buf: 0, len: 4 });
    expect(r.labels[0]).toBe('fdget');
    expect(r.labels[r.labels.length - 1]).toBe('f_pos = pos');
    expect(pos(r.state, 0)).toBe(4);
    const w = run(r.state, { op: 'write', fd: 0, buf: 0, len: 2 });
    expect(w.labels[w.labels.length - 1]).toBe('f_pos = pos');
    expect(pos(w.state, 0)).toBe(6);
    expect(pos(run(w.state, { op: 'pread', fd: 0, buf: 0, len: 2, pos: 0 }).state, 0)).toBe(6);
  });
  it('readv: a first vector that faults returns -EFAULT and leaves it; one that faults after a full one returns the first\'s count and moves it that far', () => {
    const s = run(base(), openRW()).state;
    const bad = run(s, { op: 'readv', fd: 0, iov: [{ buf: 12, len: 2 }, { buf: 0, len: 2 }] });
    expect(bad.ret).toBe(-EFAULT);
    expect(pos(bad.state, 0)).toBe(0);
    const half = run(s, { op: 'readv', fd: 0, iov: [{ buf: 0, len: 2 }, { buf: 12, len: 2 }] });
    expect(half.ret).toBe(2);
    expect(pos(half.state, 0)).toBe(2);
  });
  it('lseek without whence is SEEK_SET, and its step says so; SEEK_CUR by 0 answers the position', () => {
    const s = run(run(base(), openRW()).state, { op: 'read', fd: 0, buf: 0, len: 3 }).state;
    expect(run(s, { op: 'lseek', fd: 0, pos: 1 })).toMatchObject({ ret: 1, labels: ['generic_file_llseek(SEEK_SET)'] });
    expect(run(s, { op: 'lseek', fd: 0, pos: 0, whence: 'cur' })).toMatchObject({ ret: 3, labels: ['generic_file_llseek(SEEK_CUR)'] });
  });
});

describe('sendfile: two descriptors, two positions', () => {
  it('copies from the input position to the output position and moves each by what was written', () => {
    const s = seq(base(), openRW('f0'), openRW('f1'), { op: 'lseek', fd: 0, pos: 2 }, { op: 'write', fd: 1, buf: 0, len: 1 }).state;
    const r = run(s, { op: 'sendfile', outFd: 1, inFd: 0, count: 3 });
    expect(r.ret).toBe(3);
    expect(r.labels).toEqual(expect.arrayContaining(['fdget x2', 'fdget(out).pos', 'f_pos (in, out)']));
    expect(pos(r.state, 0)).toBe(5);
    expect(pos(r.state, 1)).toBe(4);
    expect(r.state.inodes[2]!.size).toBe(4);
  });
  it('at the input\'s end of file nothing is written and no position moves', () => {
    const s = seq(base(), openRW('f0'), openRW('f1'), { op: 'lseek', fd: 0, pos: 0, whence: 'end' }).state;
    const r = run(s, { op: 'sendfile', outFd: 1, inFd: 0, count: 3 });
    expect(r.ret).toBe(0);
    expect(r.labels).not.toContain('f_pos (in, out)');
    expect([pos(r.state, 0), pos(r.state, 1)]).toEqual([6, 0]);
  });
});

describe('generic_write_checks at s_maxbytes (3 pages = 12 bytes)', () => {
  it('one byte short of it a write is cut to that byte; at it a write is -EFBIG, and one of nothing is 0', () => {
    const s = run(base(), openRW()).state;
    expect(run(s, { op: 'pwrite', fd: 0, buf: 0, len: 2, pos: 11 }).ret).toBe(1);
    expect(run(s, { op: 'pwrite', fd: 0, buf: 0, len: 2, pos: 12 }).ret).toBe(-EFBIG);
    expect(run(s, { op: 'pwrite', fd: 0, buf: 0, len: 0, pos: 12 }).ret).toBe(0);
  });
  it('ftruncate: past it -EFBIG, a read-only descriptor -EINVAL, each its own branch', () => {
    const s = run(base(), openRW()).state;
    expect(run(s, { op: 'ftruncate', fd: 0, len: 13 })).toMatchObject({ ret: -EFBIG, branches: ['vfs:ftruncate-efbig'] });
    const ro = run(s, { op: 'open', name: 'f0', flags: { read: true } }).state;
    expect(run(ro, { op: 'ftruncate', fd: 1, len: 1 })).toMatchObject({ ret: -EINVAL, branches: ['vfs:ftruncate-einval'] });
    expect(run(s, { op: 'ftruncate', fd: 0, len: 1 }).labels.slice(0, 3)).toEqual(['fdget', 'lock(i_mutex:1)', 'setattr: size changed?']);
  });
});

describe('open, close, unlink, fstat, statfs', () => {
  it('a created file takes the lowest free inode number above 0, or the next one; the directory keeps every name', () => {
    // f0 is inode 1, f1 inode 2; unlink f0 and close it: inode 1 is free again
    const s = seq(base(), openRW('f0'), { op: 'unlink', name: 'f0' }, { op: 'close', fd: 0 }).state;
    expect(s.inodes[1]).toBeNull();
    const a = run(s, { op: 'open', name: 'a', flags: { read: true, write: true, creat: true } });
    expect(a.state.dir).toMatchObject({ a: 1, f1: 2 });
    const b = run(a.state, { op: 'open', name: 'b', flags: { read: true, write: true, creat: true } });
    expect(b.state.dir).toMatchObject({ a: 1, b: 3, f1: 2 });
    expect(Object.keys(b.state.dir).sort()).toEqual(['a', 'b', 'f1']);
  });
  it('on a read-only mount: create -EROFS before anything is made, open for write -EROFS, unlink -EROFS', () => {
    const s = base(true);
    const c = run(s, { op: 'open', name: 'new', flags: { read: true, creat: true } });
    expect(c).toMatchObject({ ret: -EROFS, branches: ['vfs:open-erofs-create'], labels: ['do_sys_open'] });
    expect(c.state.dir).not.toHaveProperty('new');
    expect(run(s, openRW()).ret).toBe(-EROFS);
    expect(run(s, { op: 'unlink', name: 'f0' })).toMatchObject({ ret: -EROFS, labels: ['vfs_unlink'] });
    expect(run(s, { op: 'open', name: 'nope', flags: { read: true } }).ret).toBe(-ENOENT);
  });
  it('close: fd 0 closes like any other; a free descriptor is -EBADF; the step is filp_close', () => {
    const s = run(base(), openRW()).state;
    expect(run(s, { op: 'close', fd: 0 })).toMatchObject({ ret: 0, labels: ['filp_close'] });
    expect(run(s, { op: 'close', fd: 1 }).ret).toBe(-EBADF);
  });
  it('fstat and statfs: each answer its own branch and step', () => {
    const s = run(base(), openRW()).state;
    expect(run(s, { op: 'fstat', fd: 0 })).toMatchObject({ ret: 0, branches: ['vfs_stat:fstat'], labels: ['vfs_fstat'] });
    expect(run(s, { op: 'fstat', fd: 4 })).toMatchObject({ ret: -EBADF, branches: ['vfs_stat:fstat-ebadf'] });
    expect(run(s, { op: 'statfs' })).toMatchObject({ ret: 0, branches: ['vfs_stat:statfs'], labels: ['vfs_statfs'] });
    expect(run(s, { op: 'statfs', mnt: 3 })).toMatchObject({ ret: -ENOENT, branches: ['vfs_stat:statfs-unmounted'] });
  });
  it('umount after an inode was evicted: sync_filesystem skips the empty slot', () => {
    const s = seq(base(), openRW('f0'), { op: 'unlink', name: 'f0' }, { op: 'close', fd: 0 }).state;
    expect(s.inodes[1]).toBeNull();
    expect(run(s, { op: 'umount' }).ret).toBe(0);
  });
});
