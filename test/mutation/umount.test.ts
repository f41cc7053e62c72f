import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../../model/variants.ts';
import type { Action } from '../../model/actions.ts';

/**
 * umount (model/actions.ts): do_umount's -EBUSY comes before generic_shutdown_super, so a busy
 * file system is not synced — sync_filesystem runs only on the way down (fs/namespace.c
 * do_umount, fs/super.c generic_shutdown_super, 3.19). On a page-cache mount a dirty page
 * stays dirty, its block unallocated, after a refused umount. `npm run mutation` saw the
 * mutant that syncs before refusing live (docs/mutation.md).
 */
const config = { pageSize: 4, devices: [{ name: 'd', driver: 'brd' as const, pages: 8 }], fs: { device: 'd', mount: { xip: false, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8], holes: [1] }] } };
const steps: Action[] = [
  { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
  { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 5 }, // dirties the hole's page; ext2 allocates at writeback
  { op: 'statfs', pid: 0 },
  { op: 'umount', pid: 0 },
  { op: 'statfs', pid: 0 },
  { op: 'fsync', pid: 0, fd: 0 },
  { op: 'statfs', pid: 0 },
  { op: 'close', pid: 0, fd: 0 },
  { op: 'umount', pid: 0 },
] as Action[];

describe('umount of a busy page-cache file system', () => {
  it('-EBUSY, and nothing written back: the block comes with fsync', () => {
    const r = runSteps(makeSystem('umount-busy', config, variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
    expect(r.violation).toBeNull();
    const obs = r.steps.map((x) => x.obs[0][0]);
    expect(obs.map((o) => o.ret)).toEqual([0, 1, 0, -16, 0, 0, 0, 0, 0]);
    const bfree = [obs[2], obs[4], obs[6]].map((o) => o.statfs?.bfree);
    expect(bfree[1]).toBe(bfree[0]);
    expect(bfree[2]).toBe(bfree[0]! - 1);
  });
});
