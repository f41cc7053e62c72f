import { describe, expect, it } from 'vitest';
import { makeSystem, initOf } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { newCounters } from '../../checker/execute.ts';
import { variantByName } from '../../model/variants.ts';
import { aopsByName, register_aops, unregister_aops } from '../../model/fs/aops.ts';
import type { Action } from '../../model/actions.ts';
import type { State } from '../../model/state.ts';
import { updateInode } from '../../model/state.ts';
import { INVARIANTS } from '../registry.ts';
import { aopsExclusion } from './aops-exclusion.ts';

/**
 * aops-exclusion judges the members of the table an inode's i_mapping->a_ops names, not its
 * name; and the table is what the model dispatches on, so the broken variant's table (ext2_aops_xip
 * with ext2_aops' readpage/writepage/writepages) changes which path runs.
 */
const config = {
  pageSize: 4,
  devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 8 }],
  fs: { device: 'd', mount: { xip: true, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4, 5] }] },
};
const sysOf = (variant: string) => makeSystem('aops', config, variantByName(variant)!);

/** The state after init with inode 1's a_ops switched to the named table. */
function withAops(name: string): State {
  const s = initOf(sysOf('reference'));
  return updateInode(s, 1, (i) => ({ ...i, aops: name }));
}

describe('aops-exclusion reads the table, not its name', () => {
  const xip = aopsByName('ext2_aops_xip'), pc = aopsByName('ext2_aops');
  it('a table under an innocent name with get_xip_mem and writepage is caught', () => {
    register_aops({ name: 'test_aops_innocent', get_xip_mem: xip.get_xip_mem, writepage: pc.writepage });
    try {
      expect(aopsExclusion.check!(withAops('test_aops_innocent'))).toBe('inode 1: a_ops test_aops_innocent has get_xip_mem and writepage');
    } finally { unregister_aops('test_aops_innocent'); }
  });
  it('a table whose name says both, with get_xip_mem alone, is not', () => {
    register_aops({ name: 'test_aops_xip+pagecache', get_xip_mem: xip.get_xip_mem });
    try {
      expect(aopsExclusion.check!(withAops('test_aops_xip+pagecache'))).toBeNull();
    } finally { unregister_aops('test_aops_xip+pagecache'); }
  });
  it('ext2_aops_xip and ext2_aops pass; the broken variant\'s table fails for its readpage', () => {
    expect(aopsExclusion.check!(withAops('ext2_aops_xip'))).toBeNull();
    expect(aopsExclusion.check!(withAops('ext2_aops'))).toBeNull();
    expect(aopsExclusion.check!(withAops('ext2_aops_xip+pagecache'))).toBe('inode 1: a_ops ext2_aops_xip+pagecache has get_xip_mem and readpage');
  });
  it('under broken-aops-both, the inode ext2 instantiates carries that table from the mount on', () => {
    const r = runSteps(sysOf('broken-aops-both'), [{ threads: [[{ op: 'fstat', pid: 0, fd: 0 }]] }], [aopsExclusion]);
    expect(r.violation?.invariant).toBe('aops-exclusion');
    expect(r.violation?.message).toBe('inode 1: a_ops ext2_aops_xip+pagecache has get_xip_mem and readpage');
  });
});

describe('the table decides the path', () => {
  const steps: Action[] = [
    { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
    { op: 'mmap', pid: 0, fd: 0, pages: 2, pgoff: 0, shared: true, read: true, write: true },
    { op: 'store', pid: 0, addr: 14, bytes: [9] }, // file page 1, a data block: xip_file_fault maps its pfn
    { op: 'pwrite', pid: 0, fd: 0, buf: 8, len: 2, pos: 6 },
    { op: 'fsync', pid: 0, fd: 0 },
    { op: 'msync', pid: 0, addr: 8, pages: 2, sync: true },
    { op: 'fstat', pid: 0, fd: 0 },
    { op: 'ftruncate', pid: 0, fd: 0, len: 3 },
    { op: 'pread', pid: 0, fd: 0, buf: 0, len: 4, pos: 0 },
  ];
  // every invariant but the one the broken table is built to trip
  const others = INVARIANTS.filter((i) => i.id !== 'aops-exclusion');
  const run = (variant: string) => {
    const counters = newCounters();
    const r = runSteps(sysOf(variant), steps.map((a) => ({ threads: [[a]] })), others, counters);
    expect(r.violation).toBeNull();
    return { obs: r.steps.map((s) => s.obs), branches: counters.branches };
  };
  const ref = run('reference'), both = run('broken-aops-both');

  it('mapping_is_xip holds for both tables: ext2 installs the XIP f_op, so read, write, mmap and truncate stay XIP and return the same', () => {
    expect(both.obs).toEqual(ref.obs);
    for (const b of ['do_mmap_pgoff:xip_file_mmap', 'ext2_setsize:xip', 'xip_file_fault:found-pfn']) {
      expect(ref.branches.get(b), b).toBeGreaterThan(0);
      expect(both.branches.get(b), b).toBeGreaterThan(0);
    }
    expect(both.obs[6][0][0].stat?.xip).toBe(true);
  });
  it('but fsync and msync find ->writepage in the broken table and take the page-cache writeback path', () => {
    expect(ref.branches.get('vfs:fsync-xip-metadata-only')).toBe(1);
    expect(ref.branches.get('vfs:fsync-writeback')).toBeUndefined();
    expect(ref.branches.get('sys_msync:fsync-range-xip')).toBe(1);
    expect(both.branches.get('vfs:fsync-writeback')).toBe(1);
    expect(both.branches.get('vfs:fsync-xip-metadata-only')).toBeUndefined();
    expect(both.branches.get('sys_msync:fsync-range-writeback')).toBe(1);
  });
});
