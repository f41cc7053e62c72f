import { guarded, guardedProc, guardedStep } from '../kernel/plugin-guard.ts';
import { isPlainData } from '../block/driver.ts';
import type { Ctx, Proc } from '../kernel/step.ts';
import { mediumOf, type State } from '../state.ts';
import type { AddressSpaceOperations, XipMem } from './address_space_operations.ts';
import { aopsRegistry } from './aops.ts';
import type { FileOperations } from './file_operations.ts';
import { fopsRegistry } from './file_operations.ts';
import type { FileSystemType, FsLayout, SuperResult } from './super_operations.ts';
import { fsConfig } from '../config.ts';
import { partitionPage, partitionPages } from '../block/block_device.ts';
import { pfnToDevPage } from '../kernel/physmem.ts';

/**
 * An audited file system, every member guarded (model/kernel/plugin-guard.ts): it may change its
 * own slices — its super block (s_fs_info: SuperBlock.priv), its inodes (their priv and
 * i_blocks), its on-disk slice (State.onDisk) — and the memory of its own block device; the kernel's
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

/**
 * What a step of file system `fs` (mount point index) changed that is not its own: the kernel's
 * state, another mount's super block, bitmap or inodes, or a device it does not sit on. With
 * several mounts of one audited type, each mount is held to its own slice.
 */
export function fsForeignChange(fs: number) {
  return (pre: State, post: State): string | null => {
    for (const k of KERNEL_OWNED) if (!same(pre[k], post[k])) return `changed ${k}, which belongs to ${WHOSE[k]}`;
    const own = post.sbs[fs]?.dev ?? pre.sbs[fs]?.dev ?? pre.cfg.devices.findIndex((d) => d.name === fsConfig(pre.cfg, fs).device);
    if (pre.devices.length !== post.devices.length) return 'changed the list of block devices';
    for (let d = 0; d < pre.devices.length; d++) {
      if (d === own || same(pre.devices[d], post.devices[d])) continue;
      // a partition's memory is its disk's: a write inside the partition shows on every entry of the medium
      if (own >= 0 && sameMediumWriteInside(pre, post, d, own)) continue;
      return `changed block device ${pre.devices[d].name}, which is not the file system's`;
    }
    if (pre.sbs.length !== post.sbs.length || pre.onDisk.length !== post.onDisk.length) return 'changed the list of mounts';
    for (let k = 0; k < pre.sbs.length; k++) {
      if (k === fs) continue;
      if (!same(pre.sbs[k], post.sbs[k])) return `changed the super block of mount ${k}, which is another file system's`;
      if (!same(pre.onDisk[k], post.onDisk[k])) return `changed the on-disk data of file system ${k}, which is another file system's`;
    }
    if (pre.inodes !== post.inodes) {
      for (let i = 0; i < Math.max(pre.inodes.length, post.inodes.length); i++) {
        const a = pre.inodes[i] ?? null, b = post.inodes[i] ?? null;
        if (a === b) continue;
        if ((a && a.fs !== fs || b && b.fs !== fs) && !same(a, b)) return `changed inode ${i}, which belongs to mount ${(a ?? b)!.fs}`;
        // its own slice: plain data, which the explorer hashes and compares like the rest
        if (b && b.priv !== a?.priv && !isPlainData(b.priv)) return `left inode ${i} with a priv that is not plain JSON data`;
      }
    }
    const sb = post.sbs[fs];
    if (sb && sb.priv !== pre.sbs[fs]?.priv && !isPlainData(sb.priv)) return 'left its super block with a priv that is not plain JSON data';
    if (post.onDisk[fs] !== pre.onDisk[fs] && !isPlainData(post.onDisk[fs])) return 'left an on-disk slice that is not plain JSON data';
    return null;
  };
}

/**
 * Device entry `d` is another entry of the medium the file system's device `own` is on (a
 * partition's disk, or a sibling partition), and what changed of it is the file system's doing
 * on its own device: the medium's memory inside `own`'s partition (one memory behind every
 * entry), the medium's state its driver keeps (priv, present, read-only: the same on every
 * entry, updateDevice), and — on the disk entry only — the openers of the whole disk that
 * blkdev_get/blkdev_put of a partition take and drop (__blkdev_get(whole), 3.19).
 */
function sameMediumWriteInside(pre: State, post: State, d: number, own: number): boolean {
  if (mediumOf(pre.devices, d) !== mediumOf(pre.devices, own)) return false;
  const a = pre.devices[d], b = post.devices[d], o = post.devices[own];
  if (b.priv !== o.priv || b.present !== o.present || b.readOnly !== o.readOnly) return false;
  const rest = (x: typeof a) => ({ ...x, data: null, priv: null, present: null, readOnly: null, openers: d === mediumOf(pre.devices, own) ? null : x.openers });
  if (!same(rest(a), rest(b))) return false;
  const from = partitionPage(pre.devices[own], 0), to = from + partitionPages(pre.devices[own]);
  for (let p = 0; p < Math.max(a.data.length, b.data.length); p++) {
    if ((p < from || p >= to) && a.data[p] !== b.data[p] && !same(a.data[p], b.data[p])) return false;
  }
  return true;
}

/** The mount point of inode `ino` (the guard of a per-inode member judges that mount's slice). */
function fsOfIno(s: State, ino: number): number {
  return s.inodes[ino]?.fs ?? 0;
}

const errnoOrZero = (what: string) => (r: unknown): string | null => (Number.isInteger(r) && (r as number) <= 0 ? null : `${what} returned ${JSON.stringify(r)}, not 0 or a negative errno`);

function validXipMem(r: XipMem): string | null {
  if (!r || typeof r !== 'object') return `get_xip_mem returned ${JSON.stringify(r)} instead of { kaddr, pfn } or { err }`;
  if ('err' in r) return Number.isInteger(r.err) && r.err < 0 ? null : `get_xip_mem returned ${JSON.stringify(r)}: err must be a negative errno`;
  if (!(Number.isInteger(r.kaddr) && Number.isInteger(r.pfn) && r.kaddr >= 0 && r.pfn >= 0)) return `get_xip_mem returned ${JSON.stringify(r)}: kaddr and pfn must be non-negative integers`;
  // the pfn comes from the device's direct_access: one naming no device's memory (mm's own
  // pages, or none) would have mm write where no file system may
  return pfnToDevPage(r.pfn) ? null : `get_xip_mem returned pfn ${r.pfn}, which names no block device's memory (it comes from direct_access)`;
}

function validInode(ino: number, fs: number) {
  return (i: unknown): string | null => {
    const o = i as Record<string, unknown> | null;
    if (!o || typeof o !== 'object') return `new_inode returned ${JSON.stringify(i)}, not an inode`;
    if (o.ino !== ino) return `new_inode(${ino}) returned inode ${JSON.stringify(o.ino)}`;
    if (o.fs !== fs) return `new_inode(${ino}) for mount ${fs} returned an inode of mount ${JSON.stringify(o.fs)} (i_sb is the super block it is made for)`;
    if (typeof o.aops !== 'string' || !aopsRegistry.has(o.aops)) return `new_inode named a_ops ${JSON.stringify(o.aops)}, which its file system did not register`;
    if (typeof o.fops !== 'string' || !fopsRegistry.has(o.fops)) return `new_inode named i_fop ${JSON.stringify(o.fops)}, which its file system did not register`;
    if (!Array.isArray(o.pageCache) || !Number.isInteger(o.size) || !Number.isInteger(o.iBlocks) || !Number.isInteger(o.nlink) || !Number.isInteger(o.refs)) return 'new_inode returned an inode without ino, fs, size, iBlocks, nlink, refs and pageCache';
    if (!isPlainData(o.priv)) return 'new_inode returned an inode whose priv is not plain JSON data (numbers, strings, booleans, null, arrays, objects)';
    return null;
  };
}

function superStep(plugin: string, op: string, s: State, fs: number, run: (s: State) => SuperResult): SuperResult {
  const [s2, [ret, branch]] = guardedStep(plugin, op, s, (st) => { const [x, r, b] = run(st); return [x, [r, b] as const]; }, fsForeignChange(fs),
    ([r, b]) => (Number.isInteger(r) && r <= 0 && typeof b === 'string' ? null : `${op} returned [state, ${JSON.stringify(r)}, ${JSON.stringify(b)}], not [state, 0 or -errno, branch]`));
  return [s2, ret, branch];
}

/** The foreign-change judge of a member called for inode `ino`: the slice of the inode's own mount. */
function inodeForeign(ino: number) {
  return (pre: State, post: State): string | null => fsForeignChange(fsOfIno(pre, ino))(pre, post);
}

function proc<R>(plugin: string, op: string, ino: number, g: Proc<R>, check: (r: R) => string | null): Proc<R> {
  return guardedProc(plugin, op, g, check, inodeForeign(ino));
}

function guardAops(plugin: string, a: AddressSpaceOperations): AddressSpaceOperations {
  return {
    name: a.name,
    ...(a.get_xip_mem && { get_xip_mem: (ctx: Ctx, ino: number, pgoff: number, create: boolean) => proc(plugin, `${a.name}.get_xip_mem`, ino, a.get_xip_mem!(ctx, ino, pgoff, create), validXipMem) }),
    ...(a.readpage && { readpage: (ctx: Ctx, ino: number, pgoff: number) => proc(plugin, `${a.name}.readpage`, ino, a.readpage!(ctx, ino, pgoff), errnoOrZero('readpage')) }),
    ...(a.writepage && { writepage: (ctx: Ctx, ino: number, pgoff: number) => proc(plugin, `${a.name}.writepage`, ino, a.writepage!(ctx, ino, pgoff), errnoOrZero('writepage')) }),
    ...(a.writepages && { writepages: (ctx: Ctx, s: State, ino: number) => guardedStep(plugin, `${a.name}.writepages`, s, (st) => [a.writepages!(ctx, st, ino), null] as const, inodeForeign(ino))[0] }),
  };
}

function guardFops(plugin: string, f: FileOperations): FileOperations {
  const transfer = (what: string) => (t: { ret: number }): string | null => (t && Number.isInteger(t.ret) ? null : `${what} returned ${JSON.stringify(t)}, not a transfer`);
  return {
    ...f,
    read: (ctx, pid, ino, pos, len, buf) => proc(plugin, `${f.name}.read`, ino, f.read(ctx, pid, ino, pos, len, buf), transfer('read')),
    write: (ctx, pid, ino, pos, len, buf, append) => proc(plugin, `${f.name}.write`, ino, f.write(ctx, pid, ino, pos, len, buf, append), transfer('write')),
    mmap: (s, ino) => guardedStep(plugin, `${f.name}.mmap`, s, (st) => [st, f.mmap(st, ino)] as const, inodeForeign(ino),
      (r) => (r && typeof r.vmOps === 'string' ? null : `mmap returned ${JSON.stringify(r)}, not { vmOps, branch }`))[1],
    fsync: (ctx, ino, range) => proc(plugin, `${f.name}.fsync`, ino, f.fsync(ctx, ino, range), errnoOrZero('fsync')),
  };
}

const isBlock = (b: unknown): boolean => Number.isInteger(b) && (b as number) >= 0;

/** The layout view guarded: a throw or an answer of the wrong shape is the plug-in's fault, and the view must be a function of the state. */
function guardLayout(p: string, l: FsLayout): FsLayout {
  return {
    bmap: (s, ino, pgoff) => guarded(p, 'layout.bmap', () => l.bmap(s, ino, pgoff), (b) => (isBlock(b) ? null : `layout.bmap returned ${JSON.stringify(b)}, not a block number (0 for a hole)`)),
    blocksOf: (s, ino) => guarded(p, 'layout.blocksOf', () => l.blocksOf(s, ino), (m) => (Array.isArray(m) && m.every(isBlock) ? null : `layout.blocksOf returned ${JSON.stringify(m)}, not a list of block numbers`)),
    used: (s, k) => guarded(p, 'layout.used', () => l.used(s, k), (u) => (u === null || (Array.isArray(u) && u.every((x) => typeof x === 'boolean')) ? null : `layout.used returned ${JSON.stringify(u)}, not a bitmap of booleans or null`)),
  };
}

/** The file system with every member guarded; its tables keep their names. */
export function guardFileSystem(fs: FileSystemType): FileSystemType {
  const p = fs.name;
  return {
    ...fs,
    mkfs: (ctx, s, k, dev, files) => guardedStep(p, 'mkfs', s, (st) => fs.mkfs(ctx, st, k, dev, files), fsForeignChange(k),
      (r) => (r === null || typeof r === 'string' ? null : `mkfs returned [state, ${JSON.stringify(r)}], not [state, null or why the files do not fit]`)),
    ...(fs.layout && { layout: guardLayout(p, fs.layout) }),
    mount: (ctx, s, a, bs) => superStep(p, 'mount', s, a.fs, (st) => fs.mount(ctx, st, a, bs)),
    umount: (ctx, s, k, ignoreBusy) => superStep(p, 'umount', s, k, (st) => fs.umount(ctx, st, k, ignoreBusy)),
    s_op: {
      name: fs.s_op.name,
      new_inode: (ctx, s, ino, k) => guardedStep(p, 's_op.new_inode', s, (st) => [st, fs.s_op.new_inode(ctx, st, ino, k)] as const, fsForeignChange(k), validInode(ino, k))[1],
      setsize: (ctx, ino, size) => proc(p, 's_op.setsize', ino, fs.s_op.setsize(ctx, ino, size), errnoOrZero('setsize')),
      evict_inode: (s, ino) => guardedStep(p, 's_op.evict_inode', s, (st) => [fs.s_op.evict_inode(st, ino), null] as const, inodeForeign(ino))[0],
      remount_fs: (ctx, s, a) => superStep(p, 's_op.remount_fs', s, a.fs, (st) => fs.s_op.remount_fs(ctx, st, a)),
      statfs: (s, k, ctx) => guardedStep(p, 's_op.statfs', s, (st) => [st, fs.s_op.statfs(st, k, ctx)] as const, fsForeignChange(k),
        (r) => (r && [r.blocks, r.bfree].every(Number.isInteger) && typeof r.ro === 'boolean' && typeof r.xip === 'boolean' ? null : `statfs returned ${JSON.stringify(r)}, not { blocks, bfree, ro, xip }`))[1],
    },
    a_ops: fs.a_ops.map((a) => guardAops(p, a)),
    f_ops: fs.f_ops.map((f) => guardFops(p, f)),
  };
}
