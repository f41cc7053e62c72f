import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../../model/variants.ts';
import type { Action } from '../../model/actions.ts';

/**
 * Which read faults on a hole allocate a block under XIP (xip_file_fault, mm/filemap_xip.c 3.19):
 *
 *   if ((vma->vm_flags & (VM_WRITE | VM_MAYWRITE)) &&
 *       (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) &&
 *       (!(mapping->host->i_sb->s_flags & MS_RDONLY)))   → get_xip_mem(create = 1)
 *
 * else the sparse page. A load reads zeros either way; what tells them apart is the block the
 * file gained (st_blocks, f_bfree). `npm run mutation` left `VM_WRITE | VM_MAYWRITE` made `&&`
 * alive (docs/mutation.md): no test mapped a file shared and writable-to-be but PROT_READ.
 */
const config = (ro: boolean) => ({ pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 8 }], fs: { device: 'd', mount: { xip: true, ro }, files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8], holes: [1] }] }, vpages: 6, heapPages: 2 });
const open = (write: boolean): Action => ({ op: 'open', pid: 0, name: 'f', flags: { read: true, write } });
const mmap = (shared: boolean, write: boolean): Action => ({ op: 'mmap', pid: 0, fd: 0, pages: 2, pgoff: 0, shared, read: true, write });
// the mapping starts at page 2 (after the heap): file page 1, the hole, is at address 12
const steps = (rw: boolean, shared: boolean, write: boolean): Action[] => [open(rw), mmap(shared, write), { op: 'fstat', pid: 0, fd: 0 }, { op: 'load', pid: 0, addr: 12, len: 1 }, { op: 'fstat', pid: 0, fd: 0 }];
const blocksBeforeAfter = (ro: boolean, s: Action[]) => {
  const r = runSteps(makeSystem('fault-alloc', config(ro), variantByName('reference')!), s.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  const obs = r.steps.map((x) => x.obs[0][0]);
  expect(obs[3].data).toEqual([0]);
  return [obs[2].stat?.blocks, obs[4].stat?.blocks];
};

describe('a read fault on a hole under XIP: allocate, or map the sparse page', () => {
  it('shared, PROT_READ, of a file open for writing (VM_MAYWRITE): allocates', () => {
    expect(blocksBeforeAfter(false, steps(true, true, false))).toEqual([1, 2]);
  });
  it('shared and writable (VM_WRITE): allocates', () => {
    expect(blocksBeforeAfter(false, steps(true, true, true))).toEqual([1, 2]);
  });
  it('private, even writable: the sparse page', () => {
    expect(blocksBeforeAfter(false, steps(true, false, true))).toEqual([1, 1]);
  });
  it('shared of a file open read-only (no VM_MAYWRITE): the sparse page', () => {
    expect(blocksBeforeAfter(false, steps(false, true, false))).toEqual([1, 1]);
  });
  it('on a read-only mount, where no file is open for writing (the MS_RDONLY test itself is defensive: sb_prepare_remount_readonly refuses while one is): the sparse page', () => {
    expect(blocksBeforeAfter(true, steps(false, true, false))).toEqual([1, 1]);
  });
});
