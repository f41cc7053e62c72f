import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';

/**
 * do_mmap_pgoff's order of refusals (mm/mmap.c, 3.19): -EBADF (sys_mmap_pgoff's fget), -EINVAL
 * (!len), then get_unmapped_area's -ENOMEM, and only then the open-mode tests' -EACCES — a
 * mapping that has no room and that the mode forbids is -ENOMEM, on the model and on the
 * reference (which would flag either alone).
 */
const config = { pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }], fs: { device: 'd', mount: { xip: true, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4] }] }, vpages: 6, heapPages: 2 };
const run = (steps: Action[]) => {
  const r = runSteps(makeSystem('mmap-order', config, variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  return r.steps.map((s) => s.obs[0][0].ret);
};
const openRO: Action = { op: 'open', pid: 0, name: 'f', flags: { read: true } };
const sharedWrite = (pages: number): Action => ({ op: 'mmap', pid: 0, fd: 0, pages, pgoff: 0, shared: true, read: true, write: true });

describe('mmap: which refusal comes first', () => {
  it('no room and a read-only file: -ENOMEM (get_unmapped_area before the FMODE_WRITE test)', () => {
    expect(run([openRO, sharedWrite(5)])).toEqual([0, -12]);
  });
  it('room and a read-only file: -EACCES', () => {
    expect(run([openRO, sharedWrite(1)])).toEqual([0, -13]);
  });
  it('no length: -EINVAL before either', () => {
    expect(run([openRO, sharedWrite(0)])).toEqual([0, -22]);
  });
});
