import { guardedProc, guardedStep } from '../kernel/plugin-guard.ts';
import type { Ctx, Proc } from '../kernel/step.ts';
import type { State } from '../state.ts';
import type { AddressSpaceOperations, XipMem } from './address_space_operations.ts';
import { aopsRegistry } from './aops.ts';
import type { FileOperations } from './file_operations.ts';
import { fopsRegistry } from './file_operations.ts';
import type { FileSystemType, SuperResult } from './super_operations.ts';

/**
 * An audited file system, every member guarded (model/kernel/plugin-guard.ts): it may change the
 * super block, the inodes, the bitmap and the memory of its own block device — the kernel's
 * state besides (processes, page tables, threads, locks, the sparse page, other devices) is not
 * its to change, and a step that does is a finding.
 */
const KERNEL_OWNED = ['procs', 'threads', 'sparse', 'sparseSeq', 'rawOpens', 'nextTid', 'cfg', 'locks'] as const;
const WHOSE: Record<(typeof KERNEL_OWNED)[number], string> = {
  procs: 'the processes (mm and the file tables)', threads: 'the scheduler', sparse: 'mm (the sparse page)', sparseSeq: 'mm (xip_sparse_seq)',
  rawOpens: 'the block layer', nextTid: 'the scheduler', cfg: 'nobody (the machine description)', locks: 'the lock primitives (lock/unlock)',
};

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function fsForeignChange(pre: State, post: State): string | null {
  for (const k of KERNEL_OWNED) if (!same(pre[k], post[k])) return `changed ${k}, which belongs to ${WHOSE[k]}`;
  const own = post.sb?.dev ?? pre.sb?.dev ?? pre.cfg.devices.findIndex((d) => d.name === pre.cfg.fs.device);
  if (pre.devices.length !== post.devices.length) return 'changed the list of block devices';
  for (let d = 0; d < pre.devices.length; d++) if (d !== own && !same(pre.devices[d], post.devices[d])) return `changed block device ${pre.devices[d].name}, which is not the file system's`;
  return null;
}

const errnoOrZero = (what: string) => (r: unknown): string | null => (Number.isInteger(r) && (r as number) <= 0 ? null : `${what} returned ${JSON.stringify(r)}, not 0 or a negative errno`);

function validXipMem(r: XipMem): string | null {
  if (!r || typeof r !== 'object') return `get_xip_mem returned ${JSON.stringify(r)} instead of { kaddr, pfn } or { err }`;
  if ('err' in r) return Number.isInteger(r.err) && r.err < 0 ? null : `get_xip_mem returned ${JSON.stringify(r)}: err must be a negative errno`;
  return Number.isInteger(r.kaddr) && Number.isInteger(r.pfn) && r.kaddr >= 0 && r.pfn >= 0 ? null : `get_xip_mem returned ${JSON.stringify(r)}: kaddr and pfn must be non-negative integers`;
}

function validInode(ino: number) {
  return (i: unknown): string | null => {
    const o = i as Record<string, unknown> | null;
    if (!o || typeof o !== 'object') return `new_inode returned ${JSON.stringify(i)}, not an inode`;
    if (o.ino !== ino) return `new_inode(${ino}) returned inode ${JSON.stringify(o.ino)}`;
    if (typeof o.aops !== 'string' || !aopsRegistry.has(o.aops)) return `new_inode named a_ops ${JSON.stringify(o.aops)}, which its file system did not register`;
    if (typeof o.fops !== 'string' || !fopsRegistry.has(o.fops)) return `new_inode named i_fop ${JSON.stringify(o.fops)}, which its file system did not register`;
    if (!Array.isArray(o.blocks) || !Array.isArray(o.pageCache) || !Number.isInteger(o.size) || !Number.isInteger(o.nlink) || !Number.isInteger(o.refs)) return 'new_inode returned an inode without ino, size, blocks, nlink, refs and pageCache';
    return null;
  };
}

function superStep(plugin: string, op: string, s: State, run: (s: State) => SuperResult): SuperResult {
  const [s2, [ret, branch]] = guardedStep(plugin, op, s, (st) => { const [x, r, b] = run(st); return [x, [r, b] as const]; }, fsForeignChange,
    ([r, b]) => (Number.isInteger(r) && r <= 0 && typeof b === 'string' ? null : `${op} returned [state, ${JSON.stringify(r)}, ${JSON.stringify(b)}], not [state, 0 or -errno, branch]`));
  return [s2, ret, branch];
}

function proc<R>(plugin: string, op: string, g: Proc<R>, check: (r: R) => string | null): Proc<R> {
  return guardedProc(plugin, op, g, check, fsForeignChange);
}

function guardAops(plugin: string, a: AddressSpaceOperations): AddressSpaceOperations {
  return {
    name: a.name,
    ...(a.get_xip_mem && { get_xip_mem: (ctx: Ctx, ino: number, pgoff: number, create: boolean) => proc(plugin, `${a.name}.get_xip_mem`, a.get_xip_mem!(ctx, ino, pgoff, create), validXipMem) }),
    ...(a.readpage && { readpage: (ctx: Ctx, ino: number, pgoff: number) => proc(plugin, `${a.name}.readpage`, a.readpage!(ctx, ino, pgoff), errnoOrZero('readpage')) }),
    ...(a.writepage && { writepage: (ctx: Ctx, ino: number, pgoff: number) => proc(plugin, `${a.name}.writepage`, a.writepage!(ctx, ino, pgoff), errnoOrZero('writepage')) }),
    ...(a.writepages && { writepages: (ctx: Ctx, s: State, ino: number) => guardedStep(plugin, `${a.name}.writepages`, s, (st) => [a.writepages!(ctx, st, ino), null] as const, fsForeignChange)[0] }),
  };
}

function guardFops(plugin: string, f: FileOperations): FileOperations {
  const transfer = (what: string) => (t: { ret: number }): string | null => (t && Number.isInteger(t.ret) ? null : `${what} returned ${JSON.stringify(t)}, not a transfer`);
  return {
    ...f,
    read: (ctx, pid, ino, pos, len, buf) => proc(plugin, `${f.name}.read`, f.read(ctx, pid, ino, pos, len, buf), transfer('read')),
    write: (ctx, pid, ino, pos, len, buf, append) => proc(plugin, `${f.name}.write`, f.write(ctx, pid, ino, pos, len, buf, append), transfer('write')),
    mmap: (s, ino) => guardedStep(plugin, `${f.name}.mmap`, s, (st) => [st, f.mmap(st, ino)] as const, fsForeignChange,
      (r) => (r && typeof r.vmOps === 'string' ? null : `mmap returned ${JSON.stringify(r)}, not { vmOps, branch }`))[1],
    fsync: (ctx, ino, range) => proc(plugin, `${f.name}.fsync`, f.fsync(ctx, ino, range), errnoOrZero('fsync')),
  };
}

/** The file system with every member guarded; its tables keep their names. */
export function guardFileSystem(fs: FileSystemType): FileSystemType {
  const p = fs.name;
  return {
    ...fs,
    mount: (ctx, s, a, bs) => superStep(p, 'mount', s, (st) => fs.mount(ctx, st, a, bs)),
    umount: (ctx, s, ignoreBusy) => superStep(p, 'umount', s, (st) => fs.umount(ctx, st, ignoreBusy)),
    s_op: {
      name: fs.s_op.name,
      new_inode: (ctx, s, ino) => guardedStep(p, 's_op.new_inode', s, (st) => [st, fs.s_op.new_inode(ctx, st, ino)] as const, fsForeignChange, validInode(ino))[1],
      setsize: (ctx, ino, size) => proc(p, 's_op.setsize', fs.s_op.setsize(ctx, ino, size), errnoOrZero('setsize')),
      evict_inode: (s, ino) => guardedStep(p, 's_op.evict_inode', s, (st) => [fs.s_op.evict_inode(st, ino), null] as const, fsForeignChange)[0],
      remount_fs: (ctx, s, a) => superStep(p, 's_op.remount_fs', s, (st) => fs.s_op.remount_fs(ctx, st, a)),
      statfs: (s, ctx) => guardedStep(p, 's_op.statfs', s, (st) => [st, fs.s_op.statfs(st, ctx)] as const, fsForeignChange,
        (r) => (r && [r.blocks, r.bfree].every(Number.isInteger) && typeof r.ro === 'boolean' && typeof r.xip === 'boolean' ? null : `statfs returned ${JSON.stringify(r)}, not { blocks, bfree, ro, xip }`))[1],
    },
    a_ops: fs.a_ops.map((a) => guardAops(p, a)),
    f_ops: fs.f_ops.map((f) => guardFops(p, f)),
  };
}

