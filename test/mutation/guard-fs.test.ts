import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { program, type Action } from '../../model/actions.ts';
import { runCall } from '../../model/kernel/runtime.ts';
import { atomic } from '../../model/kernel/step.ts';
import { pfnOf, SPARSE_PFN } from '../../model/kernel/physmem.ts';
import { PluginFault, setPluginGuard } from '../../model/kernel/plugin-guard.ts';
import type { State } from '../../model/state.ts';
import { ext2_fs_type } from '../../model/fs/ext2/register.ts';
import { guardFileSystem } from '../../model/fs/guard-fs.ts';
import { get_fs_type, register_filesystem, substituteFileSystem, unregister_filesystem, type FileSystemType } from '../../model/fs/super_operations.ts';

/**
 * model/fs/guard-fs.ts member by member: `npm run mutation` left most of its checks unjudged
 * (docs/mutation.md), since the audit tests that exercise them run the CLI, outside the mutation
 * set. Each member of the reference ext2 is replaced by one that answers wrongly or changes what
 * it does not own; the guard must name that member and what is wrong. The reference itself,
 * guarded, runs a scenario calling every member, on an XIP mount and a page-cache one, with no
 * finding: a check that refuses a right answer is as wrong as one that lets a bad one through.
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const ext2 = get_fs_type('ext2')!;
const system = (xip: boolean) => ({
  pageSize: 4, devices: [{ name: 'd', driver: 'brd', pages: 10 }],
  fs: { device: 'd', mount: { xip, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8], holes: [1] }] },
});

// every member of the file system, in the order a program reaches them
const scenario: Action[] = [
  { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
  { op: 'pread', pid: 0, fd: 0, buf: 0, len: 8, pos: 0 },
  { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 2, pos: 9 },
  { op: 'mmap', pid: 0, fd: 0, pages: 2, pgoff: 0, shared: true, read: true, write: true },
  { op: 'store', pid: 0, addr: 9, bytes: [9] },
  { op: 'msync', pid: 0, addr: 8, pages: 2, sync: true },
  { op: 'fsync', pid: 0, fd: 0 },
  { op: 'ftruncate', pid: 0, fd: 0, len: 1 },
  { op: 'statfs', pid: 0 },
  { op: 'munmap', pid: 0, addr: 8, pages: 2 },
  { op: 'close', pid: 0, fd: 0 },
  { op: 'open', pid: 0, name: 'g', flags: { write: true, creat: true } },
  { op: 'close', pid: 0, fd: 0 },
  { op: 'unlink', pid: 0, name: 'f' },
  { op: 'remount', pid: 0, xip: true, ro: true },
  { op: 'umount', pid: 0 },
  { op: 'mount', pid: 0, dev: 0, xip: true, ro: false },
] as Action[];

/** Runs the scenario on ext2 changed by `evil` and guarded; the fault it raised, or null. */
function audit(evil: (fs: FileSystemType) => FileSystemType, xip = true): PluginFault | null {
  register_filesystem(guardFileSystem({ ...evil(ext2_fs_type), name: 'evil' }), { replace: true });
  substituteFileSystem('ext2', 'evil');
  setPluginGuard(true);
  try {
    let s: State = initialState(system(xip), ctx);
    for (const c of scenario) s = runCall(s, c, ctx, program).state;
  } catch (e) {
    if (e instanceof PluginFault) return e;
    throw e;
  }
  return null;
}

afterEach(() => {
  setPluginGuard(false);
  substituteFileSystem('ext2', null);
  register_filesystem(ext2, { replace: true });
  unregister_filesystem('evil');
});

const sOp = (fs: FileSystemType, o: Partial<FileSystemType['s_op']>): FileSystemType => ({ ...fs, s_op: { ...fs.s_op, ...o } });
const fOp = (fs: FileSystemType, o: object): FileSystemType => ({ ...fs, f_ops: fs.f_ops.map((f) => ({ ...f, ...o })) });
const aOp = (fs: FileSystemType, o: object): FileSystemType => ({ ...fs, a_ops: fs.a_ops.map((a) => ({ ...a, ...o })) });
const junk = <T>(v: T) => function* () { return v; };

describe('the reference ext2, guarded, calls every member without a finding', () => {
  it.each([true, false])('xip %s', (xip) => {
    expect(audit((fs) => fs, xip)?.message ?? null).toBeNull();
  });
});

describe('an answer at the edge of the contract is no finding', () => {
  it('get_xip_mem answering page 0 of the device (kaddr 0, the super block\'s pfn): wrong for ext2, not the guard\'s to say', () => {
    expect(audit((fs) => aOp(fs, { get_xip_mem: junk({ kaddr: 0, pfn: pfnOf(0, 0) }) }))?.message ?? null).toBeNull();
  });
  it('a negative errno from setsize and fsync', () => {
    expect(audit((fs) => fOp(sOp(fs, { setsize: junk(-27) }), { fsync: junk(-5) }))?.message ?? null).toBeNull();
  });
});

describe('each member answering wrongly is named, with what is wrong', () => {
  const cases: [string, (fs: FileSystemType) => FileSystemType, RegExp, boolean?][] = [
    ['mkfs', (fs) => ({ ...fs, mkfs: (c, s, k, d, f) => [fs.mkfs(c, s, k, d, f)[0], 42 as unknown as null] }), /^evil mkfs: mkfs returned \[state, 42\], not \[state, null or why the files do not fit\]$/],
    ['mount', (fs) => ({ ...fs, mount: (c, s, a, b) => [fs.mount(c, s, a, b)[0], 1, 'x'] }), /^evil mount: mount returned \[state, 1, "x"\], not \[state, 0 or -errno, branch\]$/],
    ['umount', (fs) => ({ ...fs, umount: (c, s, k, i) => [fs.umount(c, s, k, i)[0], 0, 7 as unknown as string] }), /^evil umount: umount returned \[state, 0, 7\]/],
    ['umount (not an integer)', (fs) => ({ ...fs, umount: (c, s, k, i) => [fs.umount(c, s, k, i)[0], -0.5, 'b'] }), /umount returned \[state, -0.5, "b"\]/],
    ['remount_fs', (fs) => sOp(fs, { remount_fs: (c, s, a) => [fs.s_op.remount_fs(c, s, a)[0], 3, 'b'] }), /^evil s_op.remount_fs: s_op.remount_fs returned \[state, 3, "b"\]/],
    ['statfs', (fs) => sOp(fs, { statfs: (s, k, c) => ({ ...fs.s_op.statfs(s, k, c), xip: 'yes' as unknown as boolean }) }), /^evil s_op.statfs: statfs returned .*, not \{ blocks, bfree, ro, xip \}$/],
    ['statfs (ro)', (fs) => sOp(fs, { statfs: (s, k, c) => ({ ...fs.s_op.statfs(s, k, c), ro: 0 as unknown as boolean }) }), /statfs returned/],
    ['statfs (bfree)', (fs) => sOp(fs, { statfs: (s, k, c) => ({ ...fs.s_op.statfs(s, k, c), bfree: 1.5 }) }), /statfs returned/],
    ['statfs (blocks)', (fs) => sOp(fs, { statfs: (s, k, c) => ({ ...fs.s_op.statfs(s, k, c), blocks: '8' as unknown as number }) }), /statfs returned/],
    ['statfs (nothing)', (fs) => sOp(fs, { statfs: () => null as never }), /statfs returned null/],
    ['setsize', (fs) => sOp(fs, { setsize: junk(1) }), /^evil s_op.setsize: setsize returned 1, not 0 or a negative errno$/],
    ['setsize (a fraction)', (fs) => sOp(fs, { setsize: junk(-0.5) }), /setsize returned -0.5/],
    ['evict_inode', (fs) => sOp(fs, { evict_inode: (s, ino) => ({ ...fs.s_op.evict_inode(s, ino), sparseSeq: s.sparseSeq + 2 }) }), /^evil s_op.evict_inode: .*changed sparseSeq, which belongs to mm/],
    ['new_inode (nothing)', (fs) => sOp(fs, { new_inode: () => null as never }), /^evil s_op.new_inode: new_inode returned null, not an inode$/],
    ['new_inode (another number)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), ino: ino + 1 }) }), /new_inode\(\d+\) returned inode \d+$/],
    ['new_inode (another mount)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), fs: k + 1 }) }), /for mount 0 returned an inode of mount 1 \(i_sb/],
    ['new_inode (a_ops)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), aops: 'nowhere' }) }), /named a_ops "nowhere", which its file system did not register/],
    ['new_inode (a_ops not a name)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), aops: 3 as unknown as string }) }), /named a_ops 3/],
    ['new_inode (i_fop)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), fops: 'nowhere' }) }), /named i_fop "nowhere", which its file system did not register/],
    ['new_inode (i_fop not a name)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), fops: null as unknown as string }) }), /named i_fop null/],
    ...(['size', 'iBlocks', 'nlink', 'refs'] as const).map((f): [string, (fs: FileSystemType) => FileSystemType, RegExp] => [
      `new_inode (${f})`, (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), [f]: 0.5 }) }), /returned an inode without ino, fs, size, iBlocks, nlink, refs and pageCache$/]),
    ['new_inode (pageCache)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), pageCache: {} as never }) }), /without ino, fs, size/],
    ['new_inode (priv)', (fs) => sOp(fs, { new_inode: (c, s, ino, k) => ({ ...fs.s_op.new_inode(c, s, ino, k), priv: new Map() }) }), /whose priv is not plain JSON data/],
    ['read', (fs) => fOp(fs, { read: junk({ ret: 'x' }) }), /^evil ext2_\w+\.read: read returned \{"ret":"x"\}, not a transfer$/],
    ['read (nothing)', (fs) => fOp(fs, { read: junk(undefined) }), /read returned undefined, not a transfer/],
    ['write', (fs) => fOp(fs, { write: junk({ ret: 1.5 }) }), /^evil ext2_\w+\.write: write returned \{"ret":1.5\}, not a transfer$/],
    ['mmap', (fs) => fOp(fs, { mmap: () => ({ branch: 'xip_file_mmap' }) }), /^evil ext2_\w+\.mmap: mmap returned \{"branch":"xip_file_mmap"\}, not \{ vmOps, branch \}$/],
    ['mmap (nothing)', (fs) => fOp(fs, { mmap: () => null }), /mmap returned null/],
    ['fsync', (fs) => fOp(fs, { fsync: junk(2) }), /^evil ext2_\w+\.fsync: fsync returned 2, not 0 or a negative errno$/],
    ['readpage', (fs) => aOp(fs, { readpage: junk(1) }), /^evil ext2_aops\.readpage: readpage returned 1, not 0 or a negative errno$/, false],
    ['writepage', (fs) => aOp(fs, { writepage: junk('0') }), /^evil ext2_aops\.writepage: writepage returned "0"/, false],
    ['writepages', (fs) => aOp(fs, { writepages: (c: never, s: State) => ({ ...s, nextTid: s.nextTid + 1 }) }), /^evil ext2_aops\.writepages: .*changed nextTid, which belongs to the scheduler/, false],
    ['get_xip_mem', (fs) => aOp(fs, { get_xip_mem: junk(null) }), /^evil ext2_aops_xip\.get_xip_mem: get_xip_mem returned null instead of \{ kaddr, pfn \} or \{ err \}$/],
    ['get_xip_mem (err)', (fs) => aOp(fs, { get_xip_mem: junk({ err: 5 }) }), /get_xip_mem returned \{"err":5\}: err must be a negative errno$/],
    ['get_xip_mem (pfn)', (fs) => aOp(fs, { get_xip_mem: junk({ kaddr: 0, pfn: -1 }) }), /kaddr and pfn must be non-negative integers$/],
    ['get_xip_mem (mm\'s sparse page)', (fs) => aOp(fs, { get_xip_mem: junk({ kaddr: 0, pfn: SPARSE_PFN }) }), /get_xip_mem returned pfn 1, which names no block device's memory \(it comes from direct_access\)$/],
    ['get_xip_mem (pfn 0)', (fs) => aOp(fs, { get_xip_mem: junk({ kaddr: 0, pfn: 0 }) }), /get_xip_mem returned pfn 0, which names no block device's memory/],
    ['get_xip_mem (kaddr)', (fs) => aOp(fs, { get_xip_mem: junk({ kaddr: 0.5, pfn: 1 }) }), /kaddr and pfn must be non-negative integers$/],
    ['a step taking a lock of its own', (fs) => sOp(fs, { setsize: function* () { yield* atomic('evil', (s) => [{ ...s, procs: [] }, null] as const); return 0; } }), /changed procs, which belongs to the processes/],
  ];
  it.each(cases)('%s', (_, evil, message, xip = true) => {
    const f = audit(evil, xip);
    expect(f?.message).toMatch(message);
  });
});

describe('the layout view the invariants read', () => {
  const layoutOf = (l: Partial<NonNullable<FileSystemType['layout']>>) => {
    const g = guardFileSystem({ ...ext2_fs_type, name: 'evil', layout: { ...ext2_fs_type.layout!, ...l } });
    setPluginGuard(true);
    return g.layout!;
  };
  const s = initialState(system(true), ctx);
  const f = s.dir.f;
  const fault = (run: () => unknown): string | null => { try { run(); return null; } catch (e) { if (e instanceof PluginFault) return e.message; throw e; } };
  it('the reference answers pass', () => {
    const l = layoutOf({});
    expect(fault(() => [l.bmap(s, f, 0), l.bmap(s, f, 1), l.blocksOf(s, f), l.used(s, 0), l.used(s, 3)])).toBeNull();
  });
  it('a block that is not one, a list with one, a bitmap of other than booleans', () => {
    expect(fault(() => layoutOf({ bmap: () => -1 }).bmap(s, f, 0))).toBe('evil layout.bmap: layout.bmap returned -1, not a block number (0 for a hole)');
    expect(fault(() => layoutOf({ bmap: () => 1.5 }).bmap(s, f, 0))).toMatch(/bmap returned 1.5/);
    expect(fault(() => layoutOf({ blocksOf: () => [1, -2] }).blocksOf(s, f))).toBe('evil layout.blocksOf: layout.blocksOf returned [1,-2], not a list of block numbers');
    expect(fault(() => layoutOf({ blocksOf: () => 3 as never }).blocksOf(s, f))).toMatch(/blocksOf returned 3/);
    expect(fault(() => layoutOf({ used: () => [true, 1] as never }).used(s, 0))).toBe('evil layout.used: layout.used returned [true,1], not a bitmap of booleans or null');
    expect(fault(() => layoutOf({ used: () => 'x' as never }).used(s, 0))).toMatch(/used returned "x"/);
  });
});
