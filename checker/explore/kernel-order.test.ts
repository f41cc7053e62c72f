import { describe, expect, it } from 'vitest';
import { explore } from './explore.ts';
import { familyConfig, familySetup } from './family.ts';
import { variantByName } from '../../model/variants.ts';
import type { Action } from '../../model/actions.ts';
import { makeSystem } from '../system.ts';
import { runSteps } from '../sequence.ts';

/**
 * The kernel's own order of steps, pinned where a race story depends on it.
 * truncate_pagecache (mm/truncate.c, 3.19) calls unmap_mapping_range twice, around
 * truncate_inode_pages, each call under the i_mmap lock on its own.
 */
const bound = { threads: 2, ops: 1, pages: 2 };
const spec = (threads: Action[][]) => ({ name: 'order', config: familyConfig(bound), setup: familySetup(bound), threads });
const faultVsTruncate: Action[][] = [[{ op: 'load', pid: 0, addr: 5, len: 1 }], [{ op: 'ftruncate', pid: 0, fd: 0, len: 0 }]];

describe('truncate_pagecache: two unmap_mapping_range calls', () => {
  it('a truncate runs i_size_write, unmap, truncate_inode_pages, unmap, then frees the blocks', () => {
    const r = explore(spec(faultVsTruncate), { variant: variantByName('3.19')! });
    const labels = r.violation!.steps.at(-1)!.interleaving!.filter((x) => x.thread === 1).map((x) => x.label);
    const order = labels.filter((l) => /i_size_write|unmap_mapping_range|truncate_inode_pages|__ext2_truncate_blocks/.test(l));
    expect(order).toEqual(['i_size_write', 'unmap_mapping_range', 'truncate_inode_pages', 'unmap_mapping_range', '__ext2_truncate_blocks']);
  });
  it('race 4 (3.19) still exists with the second unmap: its fault maps the pfn after both, 25 atomic steps', () => {
    const r = explore(spec(faultVsTruncate), { variant: variantByName('3.19')! });
    expect(r.violation?.invariant).toBe('no-stale-mapping');
    expect(r.violation!.schedule.length).toBe(25);
    const story = r.violation!.steps.at(-1)!.interleaving!.map((x) => `T${x.thread} ${x.label}`);
    const insert = story.indexOf('T0 vm_insert_mixed');
    const unmaps = story.flatMap((l, i) => (l === 'T1 unmap_mapping_range' ? [i] : []));
    expect(unmaps).toHaveLength(2);
    expect(insert).toBeGreaterThan(unmaps[1]);
  });
  it('a pte inserted between the two unmaps is removed by the second one (3.19, no i_size recheck)', () => {
    const sys = makeSystem('between', familyConfig(bound), variantByName('3.19')!);
    // T0 looks the block up (6 steps); T1 runs to the unlock after its first unmap (8 steps);
    // T0 maps the pfn (vm_insert_mixed); T1 runs truncate_inode_pages and the second unmap.
    const schedule = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1];
    const r = runSteps(sys, [...familySetup(bound).map((a) => ({ threads: [[a]] })), { threads: faultVsTruncate, schedule }], []);
    const story = r.steps.at(-1)!.interleaving!.map((x) => `T${x.thread} ${x.label}`);
    expect(story.slice(13, 18)).toEqual(['T1 unlock(i_mmap:1)', 'T0 vm_insert_mixed', 'T1 truncate_inode_pages', 'T1 lock(i_mmap:1)', 'T1 unmap_mapping_range']);
    expect(r.state.procs[0].ptes[1] ?? null).toBeNull();
    expect(r.steps.at(-1)!.obs[0][0].signal).toBe('SIGBUS'); // the load retries, faults, and finds i_size 0
  });
});

describe('ext2_get_blocks: the re-check under truncate_mutex (2.6.30) and the 2.6.27 mutex', () => {
  const twoStores: Action[][] = [[{ op: 'store', pid: 0, addr: 9, bytes: [5] }], [{ op: 'store', pid: 0, addr: 9, bytes: [6] }]];
  it('2.6.26 (no mutex around create=1, no re-check): two faults on one hole each link a block', () => {
    // the second splice orphans the first block: block-ownership sees it before the stale pte
    expect(explore(spec(twoStores), { variant: variantByName('2.6.26-alloc-race')! }).violation?.invariant).toBe('block-ownership');
  });
  it('without xip_sparse_mutex but with the 2.6.30 re-check, the second allocator finds the first one\'s block', () => {
    // variant 2.6.26-sparse-race takes no xip_sparse_mutex at all, but keeps ext2's re-check
    expect(explore(spec(twoStores), { variant: variantByName('2.6.26-sparse-race')! }).verdict).toBe('exhausted');
  });
});
