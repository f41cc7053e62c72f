import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';

/**
 * A write whose user buffer is a shared mapping of the very file page it writes, one byte
 * behind the target: __xip_file_write → __copy_from_user_nocache copies forward, byte by byte
 * for such short copies, so each byte read is the one the copy has just stored — the first
 * byte propagates. The reference must agree (coherence), on XIP and on the page cache.
 */
const config = (xip: boolean) => ({
  pageSize: 4,
  devices: [{ name: 'd', driver: xip ? 'dcssblk' as const : 'disk' as const, pages: 6 }],
  fs: { device: 'd', mount: { xip, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4] }] },
});
const steps: Action[] = [
  { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } },
  { op: 'mmap', pid: 0, fd: 0, pages: 1, pgoff: 0, shared: true, read: true, write: true }, // at 0x8
  { op: 'pwrite', pid: 0, fd: 0, buf: 8, len: 3, pos: 1 }, // file[1..3] = buffer file[0..2], forward
  { op: 'pread', pid: 0, fd: 0, buf: 0, len: 4, pos: 0 },
];

describe('user copies run forward, byte by byte', () => {
  for (const xip of [true, false]) {
    it(`pwrite from a mapping of the page it writes, one byte behind (${xip ? 'XIP' : 'page cache'})`, () => {
      const r = runSteps(makeSystem('fwd', config(xip), variantByName('reference')!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
      expect(r.violation).toBeNull();
      expect(r.steps[2].obs[0][0].ret).toBe(3);
      expect(r.steps[3].obs[0][0].data).toEqual([1, 1, 1, 1]); // not [1, 1, 2, 3] (memmove)
    });
    it(`pread into a mapping of the page it reads, one byte ahead (${xip ? 'XIP' : 'page cache'})`, () => {
      const rd: Action = { op: 'pread', pid: 0, fd: 0, buf: 9, len: 3, pos: 0 }; // file[0..2] → file[1..3]
      const r = runSteps(makeSystem('fwd', config(xip), variantByName('reference')!), [...steps.slice(0, 2), rd, steps[3]].map((a) => ({ threads: [[a]] })), INVARIANTS);
      expect(r.violation).toBeNull();
      expect(r.steps[3].obs[0][0].data).toEqual([1, 1, 1, 1]);
    });
  }
});
