import { variant, type Variant } from './kernel/variant.ts';
import { MUTANTS, mutantVariantName } from './mutants.ts';

/**
 * The named designs `--variant` accepts. `reference` is 3.19 plus the i_size recheck of the
 * 4.0 DAX series; the historical ones are the kernels before each race fix (docs/races.md);
 * the `broken-*` ones exist to prove each invariant can fail (properties/invariants/*.test.ts).
 */
export const VARIANTS: readonly Variant[] = [
  variant('reference', '3.19 with the fault-vs-truncate i_size recheck of the 4.0 DAX series (all four race fixes)'),
  // the four historical races, one fix missing each (docs/races.md)
  variant('2.6.26-sparse-race', 'race 1: no xip_sparse_mutex/xip_sparse_seq around the sparse page (fixed in 2.6.27)', ['no-sparse-mutex']),
  variant('2.6.26-alloc-race', 'race 2: get_xip_mem(create=1) not serialised, and ext2_get_blocks without the re-check under truncate_mutex that came in 2.6.30 (fixed in 2.6.27 by xip_sparse_mutex)', ['unserialised-alloc']),
  variant('3.2', 'race 3: -EBUSY from vm_insert_mixed treated as an error, the BUG_ON(err) of 2.6.26–3.2 (fixed in 3.3)', ['ebusy-is-error']),
  variant('3.19', 'race 4: mm/filemap_xip.c as released in 3.3–3.19, no i_size recheck under the i_mmap lock (fixed with the 4.0 DAX series)', ['no-isize-recheck']),
  variant('2.6.26', 'all four: the design before 2.6.27', ['no-sparse-mutex', 'unserialised-alloc', 'ebusy-is-error', 'no-isize-recheck']),
  variant('broken-aops-both', 'ext2_aops_xip also has readpage/writepage', ['aops-both']),
  variant('broken-xip-uses-pagecache', 'xip_file_read reads through the page cache', ['xip-uses-pagecache']),
  variant('broken-remove-ignores-users', 'dcssblk remove and brd BLKFLSBUF ignore the opener count', ['remove-ignores-users']),
  variant('broken-read-skips-data', 'xip_file_read copies zeros instead of the data block', ['read-skips-data']),
  variant('broken-sparse-writable', 'the sparse page is inserted writable', ['sparse-writable']),
  variant('broken-no-xip-unmap', '__xip_unmap is never called after an allocation', ['no-xip-unmap']),
  variant('broken-private-write-shared', 'a store to a private XIP mapping writes the medium', ['private-write-shared']),
  variant('broken-no-zero-new-block', 'ext2_get_blocks links a new block without clearing it', ['no-zero-new-block']),
  variant('broken-truncate-no-unmap', 'truncate_setsize skips unmap_mapping_range', ['truncate-no-unmap']),
  variant('broken-truncate-no-zero-tail', 'ext2_setsize skips xip_truncate_page', ['truncate-no-zero-tail']),
  variant('broken-fault-always-allocates', 'xip_file_fault allocates on every hole', ['fault-always-allocates']),
  variant('broken-xip-on-any-blocksize', 'ext2_fill_super accepts xip with blocksize != PAGE_SIZE', ['xip-on-any-blocksize']),
  variant('broken-remount-flips-xip', 'ext2_remount lets the xip flag change', ['remount-flips-xip']),
  variant('broken-da-range-off-by-one', 'dcssblk_direct_access accepts the page just past the segment end (pgoff > size instead of >=)', ['da-range-off-by-one']),
  variant('broken-da-other-device', 'dcssblk_direct_access maps every dcssblk disk onto the first segment\'s memory', ['da-other-device']),
  variant('broken-alloc-ignores-bitmap', 'ext2_new_blocks hands out the goal block without testing its bitmap bit: a block already in use', ['alloc-ignores-bitmap']),
  variant('broken-free-keeps-bitmap', 'ext2_free_blocks on truncate unlinks the blocks but leaves their bitmap bits set', ['free-keeps-bitmap']),
  variant('broken-write-overruns-buffer', '__xip_file_write copies one byte past the user buffer', ['write-overruns-buffer']),
  variant('broken-sparse-ref-leak', '__xip_unmap forgets page_cache_release', ['sparse-ref-leak']),
  variant('broken-lock-inversion', 'truncate takes xip_sparse_mutex inside the i_mmap lock: an ABBA deadlock with the sparse-page fault', ['lock-order-inversion']),
  // the mutation corpus (model/mutants.ts)
  ...MUTANTS.map((m) => variant(mutantVariantName(m), `${m.kind}: ${m.description}`, [m.flag])),
];

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}

/** The variant that proves an invariant can fail: `broken-<mutation>`, else the one variant switching on just that mutation. */
export function brokenVariantOf(mutation: string): string {
  return (variantByName(`broken-${mutation}`) ?? VARIANTS.find((x) => x.flags.size === 1 && x.flags.has(mutation as never)))?.name ?? `broken-${mutation}`;
}
