import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../init.ts';
import { variantByName } from '../variants.ts';
import { program } from '../actions.ts';
import { runCall } from '../kernel/runtime.ts';
import { atomic, read, type Ctx, type Proc } from '../kernel/step.ts';
import { PluginFault, setPluginGuard } from '../kernel/plugin-guard.ts';
import { setAt, updateDevice, type Call, type State } from '../state.ts';
import { ext2_fs_type } from './ext2/register.ts';
import type { AddressSpaceOperations, XipMem } from './address_space_operations.ts';
import { fsForeignChange } from './guard-fs.ts';
import { get_fs_type, register_filesystem, substituteFileSystem, unregister_filesystem } from './super_operations.ts';
import { guardFileSystem } from './guard-fs.ts';

/**
 * The file-system guard in process: the steps an audited file system takes itself are judged
 * (foreign state, in-place writes, livelock, result shape); the kernel's steps it calls are not.
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = { pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk', pages: 8 }, { name: 'e', driver: 'dcssblk', pages: 2 }], fs: { device: 'd', files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8], holes: [1] }] } };
const ext2 = get_fs_type('ext2')!;

/** ext2 whose get_xip_mem first does `misdeed` on file page 1, installed guarded in place of ext2. */
function install(misdeed: (ctx: Ctx) => Proc<XipMem | undefined>): State {
  const a_ops = ext2_fs_type.a_ops.map((a): AddressSpaceOperations => (a.get_xip_mem ? {
    ...a,
    *get_xip_mem(c, ino, pgoff, create) {
      if (pgoff === 1) { const r = yield* misdeed(c); if (r) return r; }
      return yield* a.get_xip_mem!(c, ino, pgoff, create);
    },
  } : a));
  register_filesystem(guardFileSystem({ ...ext2_fs_type, name: 'evil', a_ops }), { replace: true });
  substituteFileSystem('ext2', 'evil');
  setPluginGuard(true);
  return initialState(config, ctx);
}

afterEach(() => {
  setPluginGuard(false);
  substituteFileSystem('ext2', null);
  register_filesystem(ext2, { replace: true });
  unregister_filesystem('evil');
});

function faultOf(s: State): PluginFault | null {
  const calls: Call[] = [{ op: 'open', pid: 0, name: 'f', flags: { read: true } }, { op: 'pread', pid: 0, fd: 0, buf: 0, len: 8, pos: 0 }];
  try {
    for (const c of calls) s = runCall(s, c, ctx, program).state;
  } catch (e) {
    if (e instanceof PluginFault) return e;
    throw e;
  }
  return null;
}

describe('the guard judges the steps a file system takes itself', () => {
  it('the reference ext2, guarded, reads the file as it is', () => {
    const s = install(function* () { return undefined; });
    expect(faultOf(s)).toBeNull();
  });
  it('a step that changes the sparse page sequence is foreign', () => {
    const f = faultOf(install(function* () { yield* atomic('evil', (s) => [{ ...s, sparseSeq: s.sparseSeq + 2 }, null] as const); return undefined; }));
    expect(f).toMatchObject({ kind: 'mutated', plugin: 'evil' });
    expect(f!.message).toMatch(/changed sparseSeq, which belongs to mm/);
  });
  it('a step that writes into the state it was shown', () => {
    const f = faultOf(install(function* () { yield* atomic('evil', (s) => { (s.procs as unknown as unknown[])[0] = null; return [s, null] as const; }); return undefined; }));
    expect(f?.kind).toBe('mutated');
  });
  it('a call that never returns', () => {
    const f = faultOf(install(function* () { for (;;) yield* read('spin', () => 0); }));
    expect(f?.kind).toBe('livelock');
  });
  it('an answer of the wrong shape', () => {
    const f = faultOf(install(function* () { return { kaddr: -1, pfn: 3 }; }));
    expect(f?.kind).toBe('malformed');
    expect(f!.message).toMatch(/kaddr and pfn must be non-negative integers/);
  });
  it('a throw', () => {
    const f = faultOf(install(function* () { throw new RangeError('no block'); }));
    expect(f).toMatchObject({ kind: 'threw' });
  });
});

describe('what a file system owns', () => {
  const s = initialState(config, ctx);
  it('its super block, inodes and device are its own; processes, threads, locks and another device are not', () => {
    expect(fsForeignChange(0)(s, { ...s, inodes: [...s.inodes] })).toBeNull();
    expect(fsForeignChange(0)(s, { ...s, devices: [{ ...s.devices[0], data: s.devices[0].data.slice() }, s.devices[1]] })).toBeNull();
    expect(fsForeignChange(0)(s, { ...s, devices: [s.devices[0], { ...s.devices[1], openers: 1 }] })).toMatch(/changed block device e, which is not the file system's/);
    expect(fsForeignChange(0)(s, { ...s, locks: { x: { mode: 'excl', holder: 1 } } })).toMatch(/changed locks/);
    expect(fsForeignChange(0)(s, { ...s, threads: [...s.threads, s.threads[0]] })).toMatch(/changed threads/);
    expect(fsForeignChange(0)(s, { ...s, devices: s.devices.slice(0, 1) })).toMatch(/list of block devices/);
  });
  it('with two mounts, each mount\'s steps may change its own super block, bitmap, inodes and device only', () => {
    const two = initialState({ ...config, fs: [{ device: 'd', files: [{ name: 'f', data: [1] }] }, { device: 'e', files: [{ name: 'g', data: [2] }] }] }, ctx);
    const sb1 = { ...two.sbs[1]!, ro: true };
    expect(fsForeignChange(1)(two, { ...two, sbs: [two.sbs[0], sb1] })).toBeNull();
    expect(fsForeignChange(0)(two, { ...two, sbs: [two.sbs[0], sb1] })).toBe('changed the super block of mount 1, which is another file system\'s');
    expect(fsForeignChange(0)(two, { ...two, onDisk: [two.onDisk[0], { bitmap: [true] }] })).toBe('changed the on-disk data of file system 1, which is another file system\'s');
    const inodes = two.inodes.map((i) => i && { ...i, size: i.size + 1 });
    expect(fsForeignChange(1)(two, { ...two, inodes: [inodes[0], two.inodes[1], inodes[2]] })).toBeNull();
    expect(fsForeignChange(1)(two, { ...two, inodes })).toBe('changed inode 1, which belongs to mount 0');
    expect(fsForeignChange(1)(two, { ...two, devices: [{ ...two.devices[0], openers: 5 }, two.devices[1]] })).toMatch(/changed block device d, which is not the file system's/);
  });
  it('its own slices (inode priv, s_fs_info, the on-disk slice) it may change, as plain data only', () => {
    const f = s.dir.f;
    const withInode = (priv: unknown): State => ({ ...s, inodes: s.inodes.map((i) => (i && i.ino === f ? { ...i, priv } : i)) });
    expect(fsForeignChange(0)(s, withInode({ i_data: [0, 0] }))).toBeNull();
    expect(fsForeignChange(0)(s, withInode({ i_data: [new Date(0)] }))).toBe(`left inode ${f} with a priv that is not plain JSON data`);
    expect(fsForeignChange(0)(s, { ...s, sbs: [{ ...s.sbs[0]!, priv: { bitmap: [true] } }] })).toBeNull();
    expect(fsForeignChange(0)(s, { ...s, sbs: [{ ...s.sbs[0]!, priv: new Map() }] })).toBe('left its super block with a priv that is not plain JSON data');
    expect(fsForeignChange(0)(s, { ...s, onDisk: [() => 0] })).toBe('left an on-disk slice that is not plain JSON data');
  });
});

describe('a file system on a partition', () => {
  it('may write the medium inside its partition (every entry of the disk shows it), not outside', () => {
    const parts = initialState({ pageSize: 4, devices: [{ name: 'd', driver: 'axonram', pages: 12 }, { name: 'd1', driver: 'axonram', partitionOf: 'd', startSect: 8, pages: 3 }, { name: 'd2', driver: 'axonram', partitionOf: 'd', startSect: 32, pages: 6 }], fs: { device: 'd2', files: [] } }, ctx);
    const write = (page: number): State => updateDevice(parts, 2, (d) => ({ ...d, data: setAt(d.data, page, [7, 7, 7, 7]) }));
    expect(write(5).devices[0].data[5]).toEqual([7, 7, 7, 7]); // on the disk entry too
    expect(fsForeignChange(0)(parts, write(5))).toBeNull(); // disk page 5 is block 1 of d2 (pages 4–9)
    expect(fsForeignChange(0)(parts, write(2))).toBe('changed block device d, which is not the file system\'s'); // d1's
    // blkdev_get of the partition opens the whole disk too; a sibling partition's openers are not its
    const opened = { ...parts, devices: parts.devices.map((d, i) => (i === 0 || i === 2 ? { ...d, openers: d.openers + 1 } : d)) };
    expect(fsForeignChange(0)(parts, opened)).toBeNull();
    expect(fsForeignChange(0)(parts, { ...parts, devices: parts.devices.map((d, i) => (i === 1 ? { ...d, openers: d.openers + 1 } : d)) })).toBe('changed block device d1, which is not the file system\'s');
  });
});

describe('mkfs and the layout view, guarded', () => {
  it('a layout answer of the wrong shape, and a layout that throws, are the plug-in\'s faults', () => {
    const s = initialState(config, ctx);
    const bad = guardFileSystem({ ...ext2_fs_type, name: 'evil', layout: { bmap: () => -1, blocksOf: () => { throw new Error('no map'); }, used: ext2_fs_type.layout!.used } });
    setPluginGuard(true);
    expect(() => bad.layout!.bmap(s, 1, 0)).toThrow(/evil layout\.bmap: layout\.bmap returned -1, not a block number/);
    expect(() => bad.layout!.blocksOf(s, 1)).toThrow(PluginFault);
    expect(bad.layout!.used(s, 0)).toEqual(ext2_fs_type.layout!.used(s, 0));
  });
  it('a mkfs that touches another file system\'s on-disk slice is foreign', () => {
    const two = { ...config, fs: [{ device: 'd', mounted: false, files: [] }, { device: 'e', mounted: false, files: [] }] };
    const evil = guardFileSystem({ ...ext2_fs_type, name: 'evil', mkfs: (c, st, k, dev, files) => { const [s2, e] = ext2_fs_type.mkfs(c, st, k, dev, files); return [{ ...s2, onDisk: s2.onDisk.map((x, j) => (j === k ? x : { bitmap: [] })) }, e]; } });
    register_filesystem(evil, { replace: true });
    substituteFileSystem('ext2', 'evil');
    setPluginGuard(true);
    expect(() => initialState(two, ctx)).toThrow(/evil mkfs: changed the on-disk data of file system 1/);
  });
});
