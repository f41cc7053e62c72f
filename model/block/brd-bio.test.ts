import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';

/**
 * brd's bio path allocates: brd_make_request → brd_do_bvec → copy_to_brd_setup →
 * brd_insert_page, -ENOSPC when no page can be had (drivers/block/brd.c 3.16–3.19; -ENOMEM in
 * 2.6.25–3.15). The page cache of a non-XIP mount meets it at writeback: fsync reports -EIO
 * (the ->writepage route; docs/limitations.md item 48).
 */
const config = (max: number) => ({
  pageSize: 4,
  devices: [{ name: 'ram0', driver: 'brd' as const, pages: 6, maxBackingPages: max }],
  // super block + one file block: 2 backing pages at init
  fs: { device: 'ram0', mount: { xip: false, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4] }] },
});
const steps: Action[] = [
  { op: 'store', pid: 0, addr: 0, bytes: [7] },
  { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
  { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 5 }, // page 1: a new block at writeback
  { op: 'fsync', pid: 0, fd: 0 },
];
function run(max: number) {
  const sys = makeSystem('brd-bio', config(max), variantByName('reference')!);
  return runSteps(sys, steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
}

describe('brd bio writes allocate backing pages', () => {
  it('writeback of a new block allocates a brd page', () => {
    const r = run(6);
    expect(r.violation).toBeNull();
    expect(r.steps[3].obs[0][0].ret).toBe(0);
    expect(r.state.devices[0].data.filter((p) => p !== null).length).toBe(3);
  });
  it('with no backing page left the bio fails (-ENOSPC) and fsync reports -EIO', () => {
    const r = run(2);
    expect(r.violation).toBeNull();
    expect(r.steps[3].obs[0][0].ret).toBe(-5);
    expect(r.state.devices[0].data.filter((p) => p !== null).length).toBe(2);
  });
});
