import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';
import { EXT2_I } from '../fs/ext2/ext2.ts';

/** O_TRUNC truncates whatever the access mode: may_open's `if (flag & O_TRUNC)` → do_truncate (fs/namei.c). */
const config = (ro: boolean) => ({ pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }], fs: { device: 'd', mount: { xip: true, ro }, files: [{ name: 'f', data: [1, 2, 3, 4, 5] }] } });
function run(ro: boolean, steps: Action[]) {
  const r = runSteps(makeSystem('otrunc', config(ro), variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  return r;
}
const openRT: Action = { op: 'open', pid: 0, name: 'f', flags: { read: true, trunc: true } };

describe('open(O_RDONLY|O_TRUNC)', () => {
  it('truncates the file to 0 bytes on a rw mount', () => {
    const r = run(false, [openRT, { op: 'pread', pid: 0, fd: 0, buf: 0, len: 4, pos: 0 }]);
    expect(r.steps.map((s) => s.obs[0][0].ret)).toEqual([0, 0]);
    expect(r.state.inodes[1]!.size).toBe(0);
    expect(EXT2_I(r.state.inodes[1]!).i_data.filter(Boolean)).toEqual([]);
  });
  it('is -EROFS on a read-only mount (mnt_want_write)', () => {
    const r = run(true, [openRT]);
    expect(r.steps[0].obs[0][0].ret).toBe(-30);
    expect(r.state.inodes[1]!.size).toBe(5);
  });
});
