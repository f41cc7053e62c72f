import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../../checker/system.ts';
import { runSteps } from '../../../checker/sequence.ts';
import { INVARIANTS } from '../../../properties/registry.ts';
import { variantByName } from '../../variants.ts';
import type { Action } from '../../actions.ts';

/** do_remount_sb → sb_prepare_remount_readonly: -EBUSY while sb->s_remove_count is non-zero. */
const config = { pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }], fs: { device: 'd', files: [{ name: 'f', data: [1, 2, 3, 4] }] } };
function rets(steps: Action[]): number[] {
  const r = runSteps(makeSystem('remount', config, variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  return r.steps.map((s) => s.obs[0][0].ret);
}
const ro: Action = { op: 'remount', pid: 0, xip: true, ro: true };

describe('read-only remount with an unlinked file still open', () => {
  it('is -EBUSY while the unlinked inode is open read-only, and succeeds once it is closed (evicted)', () => {
    expect(rets([{ op: 'open', pid: 0, name: 'f', flags: { read: true } }, { op: 'unlink', pid: 0, name: 'f' }, ro, { op: 'close', pid: 0, fd: 0 }, ro])).toEqual([0, 0, -16, 0, 0]);
  });
  it('is -EBUSY while only a mapping keeps the unlinked inode', () => {
    expect(rets([
      { op: 'open', pid: 0, name: 'f', flags: { read: true } },
      { op: 'mmap', pid: 0, fd: 0, pages: 1, pgoff: 0, shared: false, read: true, write: false },
      { op: 'close', pid: 0, fd: 0 }, { op: 'unlink', pid: 0, name: 'f' }, ro,
    ]).slice(2)).toEqual([0, 0, -16]);
  });
});
