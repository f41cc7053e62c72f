import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore/explore.ts';
import { familyConfig, familySetup } from '../../checker/explore/family.ts';
import type { Action } from '../../model/actions.ts';
import { variantByName } from '../../model/variants.ts';

/**
 * __xip_unmap's xip_sparse_seq reader (mm/filemap_xip.c, 2.6.27–3.19): walk i_mmap locklessly,
 * and redo the walk under xip_sparse_mutex if a sparse-page insert overlapped it. Random
 * `check` runs almost never interleave a hole fault with an allocating write closely enough
 * to need the retry, so `npm run mutation` saw 25 of its 61 mutants survive every test
 * (docs/mutation.md). Every interleaving of two small scenarios pins it: the reference holds
 * and takes both exits of read_seqcount_retry; without the 2.6.27 fix race 1 is there.
 */
const bound = { threads: 2, ops: 1, pages: 2 };
// race 1 (counterexamples/races/Race1+PrivateHoleFault+WriteHole.trace.json): a read fault on a
// hole through a private mapping, against a write that allocates that page's block
const threads: Action[][] = [[{ op: 'load', pid: 1, addr: 9, len: 1 }], [{ op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 5 }]];
const spec = { name: 'race1', config: familyConfig(bound), setup: familySetup(bound), threads };

// the fault takes the hole at pgoff 2 while the write allocates pgoff 1: its sparse insert can
// overlap the write's lockless walk, which must then be redone under xip_sparse_mutex
const bound3 = { threads: 2, ops: 1, pages: 3 };
const otherPage: Action[][] = [[{ op: 'load', pid: 1, addr: 13, len: 1 }], [{ op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 5 }]];
const spec3 = { name: 'overlap', config: familyConfig(bound3), setup: familySetup(bound3), threads: otherPage };

describe('__xip_unmap under every interleaving of a hole fault and an allocating write', () => {
  it('race 1 (one page): the reference holds; the walk unmaps the sparse pte and the lockless walk suffices', () => {
    const r = explore(spec, { variant: variantByName('reference')! });
    expect(r.violation?.message ?? null).toBeNull();
    expect(r.verdict).toBe('exhausted');
    expect({ clean: r.branches['__xip_unmap:seq-clean'] > 0, unmapped: r.branches['__xip_unmap:unmapped-sparse-pte'] > 0 })
      .toEqual({ clean: true, unmapped: true });
  });
  it('a sparse insert for another page overlapping the walk: the walk is redone under xip_sparse_mutex', () => {
    const r = explore(spec3, { variant: variantByName('reference')! });
    expect(r.violation?.message ?? null).toBeNull();
    expect(r.verdict).toBe('exhausted');
    expect(r.branches['__xip_unmap:retry-locked'] ?? 0).toBeGreaterThan(0);
  });
  it('2.6.26 (no xip_sparse_mutex, no xip_sparse_seq) leaves the sparse page over the new block', () => {
    expect(explore(spec, { variant: variantByName('2.6.26-sparse-race')! }).violation?.invariant).toBe('sparse-page');
  });
});
