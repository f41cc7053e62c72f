import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';

/** brd_ioctl(BLKFLSBUF): -EBUSY unless bd_openers <= 1, counting the open it is issued through. */
const config = { pageSize: 4, devices: [{ name: 'ram0', driver: 'brd' as const, pages: 4 }, { name: 'ram1', driver: 'brd' as const, pages: 4 }], fs: { device: 'ram1' } };
function rets(steps: Action[]): number[] {
  const r = runSteps(makeSystem('flsbuf', config, variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  return r.steps.map((s) => s.obs[0][0].ret);
}
const open = (pid: number): Action => ({ op: 'blkdev_open', pid, dev: 0, write: true });
const flush = (pid: number): Action => ({ op: 'brd_blkflsbuf', pid, dev: 0 });

describe('BLKFLSBUF on brd', () => {
  it('with nobody else holding the disk: succeeds (the ioctl\'s own open is the one)', () => {
    expect(rets([flush(0)])).toEqual([0]);
  });
  it('through the caller\'s own raw descriptor: succeeds', () => {
    expect(rets([open(0), flush(0)])).toEqual([0, 0]);
  });
  it('while another process holds it open: -EBUSY, for either caller', () => {
    expect(rets([open(0), open(1), flush(0), flush(1)])).toEqual([0, 0, -16, -16]);
    expect(rets([open(1), flush(0)])).toEqual([0, -16]);
  });
  it('while the disk is mounted: -EBUSY', () => {
    expect(rets([{ op: 'brd_blkflsbuf', pid: 0, dev: 1 }])).toEqual([-16]);
  });
  it('a process closes only its own raw opens', () => {
    expect(rets([open(0), { op: 'blkdev_close', pid: 1, dev: 0 }, { op: 'blkdev_close', pid: 0, dev: 0 }])).toEqual([0, -22, 0]);
  });
});
