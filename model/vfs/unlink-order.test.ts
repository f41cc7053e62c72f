import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';

/**
 * do_unlinkat's order of refusals (fs/namei.c, 3.19; the same in 6.1): mnt_want_write comes
 * before lookup_hash, so unlinking a name that does not exist on a read-only mount is -EROFS,
 * not -ENOENT — on the model and on the reference (which would flag either alone). The lab
 * found it: ext4 and xfs answered -EROFS where both had -ENOENT (docs/lab.md).
 */
const config = (ro: boolean) => ({ pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }], fs: { device: 'd', mount: { xip: true, ro }, files: [{ name: 'f', data: [1, 2, 3, 4] }] } });
const run = (ro: boolean, steps: Action[]) => {
  const r = runSteps(makeSystem('unlink-order', config(ro), variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  return r.steps.map((s) => s.obs[0][0].ret);
};
const unlink = (name: string): Action => ({ op: 'unlink', pid: 0, name });

describe('unlink: which refusal comes first', () => {
  it('a missing name on a read-only mount: -EROFS (mnt_want_write before the lookup)', () => {
    expect(run(true, [unlink('nothing')])).toEqual([-30]);
  });
  it('an existing name on a read-only mount: -EROFS', () => {
    expect(run(true, [unlink('f')])).toEqual([-30]);
  });
  it('read-write: a missing name is -ENOENT, an existing one goes', () => {
    expect(run(false, [unlink('nothing'), unlink('f'), unlink('f')])).toEqual([-2, 0, -2]);
  });
});
