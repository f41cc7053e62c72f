import { describe, expect, it } from 'vitest';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { variantByName } from '../variants.ts';
import type { Action } from '../actions.ts';
import { EXT2_I } from './ext2/ext2.ts';

/**
 * The variant dax-6.1 (model/fs/dax.ts, model/fs/ext2/dax.ts) against the reference design on
 * the same calls: each difference of docs/lab.md's table, and every invariant holding under it
 * (runSteps checks them all, the POSIX reference told the design).
 */
const config = { pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 8 }], fs: { device: 'd', mount: { xip: true, ro: false }, files: [{ name: 'f', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3], holes: [1] }], maxFilePages: 5 }, processes: 2, vpages: 12, heapPages: 2 };
function run(variant: 'reference' | 'dax-6.1', steps: Action[]) {
  const r = runSteps(makeSystem('dax', config, variantByName(variant)!), steps.map((a) => ({ threads: [[a]] })), INVARIANTS);
  expect(r.violation).toBeNull();
  return { obs: r.steps.map((s) => s.obs[0][0]), state: r.state };
}
const blocks = (s: { inodes: readonly unknown[] }) => EXT2_I(s.inodes[1] as never).i_data.filter(Boolean).length;
const open: Action = { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } };
const mapShared: Action = { op: 'mmap', pid: 0, fd: 0, pages: 3, pgoff: 0, shared: true, read: true, write: true };

describe('dax-6.1: faults', () => {
  it('a read fault on a hole of a shared writable mapping maps the zero page and allocates nothing (XIP 3.19 allocates)', () => {
    const steps: Action[] = [open, mapShared, { op: 'load', pid: 0, addr: 12, len: 1 }];
    const dax = run('dax-6.1', steps), xip = run('reference', steps);
    expect(dax.obs[2]).toMatchObject({ ret: 0, data: [0] });
    expect(dax.state.procs[0].ptes[3]).toEqual({ kind: 'sparse', write: false });
    expect(blocks(dax.state)).toBe(2);
    expect(blocks(xip.state)).toBe(3);
  });
  it('a store to that zero page allocates, replaces the zero page in every mapping, and maps the block writable', () => {
    const other: Action = { op: 'mmap', pid: 1, fd: 0, pages: 3, pgoff: 0, shared: false, read: true, write: false };
    const r = run('dax-6.1', [open, mapShared, { op: 'open', pid: 1, name: 'f', flags: { read: true } }, other,
      { op: 'load', pid: 0, addr: 12, len: 1 }, { op: 'load', pid: 1, addr: 12, len: 1 }, { op: 'store', pid: 0, addr: 12, bytes: [7] }, { op: 'load', pid: 1, addr: 12, len: 1 }]);
    expect(r.obs[6]).toMatchObject({ ret: 1 });
    expect(r.state.procs[0].ptes[3]).toMatchObject({ kind: 'pfn', write: true });
    expect(r.obs[7]).toMatchObject({ data: [7] }); // P1's zero page was unmapped: it faults in the block
    expect(blocks(r.state)).toBe(3);
    expect(r.state.sparse.refs).toBe(0);
  });
});

describe('dax-6.1: read and write', () => {
  it('a read whose buffer faults part-way counts the bytes copied (XIP 3.19 drops the chunk)', () => {
    // the buffer's last 2 bytes are past the heap (pages 0-1): the copy stops at address 8
    const steps: Action[] = [open, { op: 'pread', pid: 0, fd: 0, buf: 6, len: 4, pos: 0 }];
    expect(run('dax-6.1', steps).obs[1]).toMatchObject({ ret: 2, data: [1, 2] });
    expect(run('reference', steps).obs[1]).toMatchObject({ ret: -14 });
  });
  it('a write past EOF that writes nothing leaves the size and frees what it allocated (XIP 3.19 grows the file to the offset)', () => {
    const steps: Action[] = [open, { op: 'pwrite', pid: 0, fd: 0, buf: 40, len: 4, pos: 18 }, { op: 'fstat', pid: 0, fd: 0 }];
    expect(run('dax-6.1', steps).obs[2].stat).toMatchObject({ size: 12, blocks: 2 });
    expect(run('reference', steps).obs[2].stat).toMatchObject({ size: 18, blocks: 3 });
  });
  it('a write maps its whole extent before copying: a copy that stops in the first page keeps the second page\'s block', () => {
    // pages 3 and 4 are holes inside EOF after the ftruncate; the buffer (heap pages 0-1) ends after 2 bytes
    const steps: Action[] = [open, { op: 'ftruncate', pid: 0, fd: 0, len: 20 }, { op: 'pwrite', pid: 0, fd: 0, buf: 6, len: 8, pos: 12 }, { op: 'fstat', pid: 0, fd: 0 }];
    const dax = run('dax-6.1', steps), xip = run('reference', steps);
    expect(dax.obs[2]).toMatchObject({ ret: 2 });
    expect(xip.obs[2]).toMatchObject({ ret: 2 });
    expect(dax.obs[3].stat).toMatchObject({ size: 20, blocks: 4 });
    expect(xip.obs[3].stat).toMatchObject({ size: 20, blocks: 3 });
  });
  it('a read of a hole into a buffer that faults at its first byte returns 0: 6.1\'s defect, which the reference refuses', () => {
    const r = runSteps(makeSystem('dax', config, variantByName('dax-6.1')!), [open, { op: 'pread', pid: 0, fd: 0, buf: 40, len: 4, pos: 4 }].map((a) => ({ threads: [[a as Action]] })), INVARIANTS);
    expect(r.violation).toMatchObject({ invariant: 'posix-returns' });
    expect(r.violation?.message).toContain('returned 0, reference says -14');
  });
});
