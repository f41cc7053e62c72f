import { variant, type Variant } from './kernel/variant.ts';
import { MUTANTS, mutantVariantName } from './mutants.ts';

/**
 * The named designs `--variant` accepts. `reference` is 3.19 plus the i_size recheck of the
 * 4.0 DAX series; the historical ones are the kernels before each race fix (docs/races.md);
 * the `broken-*` ones exist to prove each invariant can fail (properties/invariants/*.test.ts).
 */
/**
 * What every variant of a kernel before 3.16 carries besides its own defect: the brd of
 * 2.6.25–3.15, whose allocation failure is -ENOMEM (-ENOSPC from 3.16, 96f8d8e0965b). The
 * variants of kernels before 2.6.25 had no brd at all (rd.c has no direct_access); they run
 * the first brd, hence its errno too.
 */
const BEFORE_3_16 = ['hist-brd-enomem'] as const;

export const VARIANTS: readonly Variant[] = [
  variant('reference', '3.19 with the fault-vs-truncate i_size recheck of the 4.0 DAX series (all four race fixes)'),
  // the four historical races, one fix missing each (docs/races.md)
  variant('2.6.26-sparse-race', 'race 1: no xip_sparse_mutex/xip_sparse_seq around the sparse page (fixed in 2.6.27)', ['no-sparse-mutex', ...BEFORE_3_16]),
  variant('2.6.26-alloc-race', 'race 2: get_xip_mem(create=1) not serialised, and ext2_get_blocks without the re-check under truncate_mutex that came in 2.6.30 (fixed in 2.6.27 by xip_sparse_mutex)', ['unserialised-alloc', ...BEFORE_3_16]),
  variant('3.2', 'race 3: -EBUSY from vm_insert_mixed treated as an error, the BUG_ON(err) of 2.6.26–3.2 (fixed in 3.3)', ['ebusy-is-error', ...BEFORE_3_16]),
  variant('3.19', 'race 4: mm/filemap_xip.c as released in 3.3–3.19, no i_size recheck under the i_mmap lock (fixed with the 4.0 DAX series)', ['no-isize-recheck']),
  variant('2.6.26', 'all four: the design before 2.6.27', ['no-sparse-mutex', 'unserialised-alloc', 'ebusy-is-error', 'no-isize-recheck', ...BEFORE_3_16]),
  // the successor: DAX as Linux 6.1 has it, held to ext4 and xfs by the lab (docs/lab.md)
  variant('dax-6.1', 'DAX of Linux 6.1 (fs/dax.c) in place of mm/filemap_xip.c: reads under i_rwsem shared counting every byte copied, writes mapping their extent before copying and moving i_size only if bytes were written, read faults on holes mapping the zero page whatever the mapping, write faults allocating and replacing it', ['dax-6.1']),
  // the historical-bug library: one fix of the kernel's history reverted each (docs/history.md)
  variant('2.6.24-rc-xip-write-offset', 'mm/filemap_xip.c __xip_file_write copies to the start of the page, whatever the offset (fixed before 2.6.24 by "mm: fix XIP file writes", 369b8f5a704)', ['hist-write-at-page-start', ...BEFORE_3_16]),
  variant('2.6.29-xip-read-length', 'mm/filemap_xip.c do_xip_mapping_read caps each copy at len, not len - copied (fixed in 2.6.30 by "mm: do_xip_mapping_read: fix length calculation", 58984ce21d3)', ['hist-read-length', ...BEFORE_3_16]),
  variant('2.6.26-axonram-partition', 'axon_ram_direct_access ignores the partition start (fixed in 2.6.27 by "powerpc/axonram: Enable partitioning of the Axons DDR2 DIMMs", 8204cba7fa0)', ['hist-axonram-no-part-start', ...BEFORE_3_16]),
  variant('3.18-axonram-pfn', 'axon_ram_direct_access returns virt_to_phys(kaddr), the pfn of a stack slot (fixed by "axonram: Fix bug in direct_access", merged with the 4.0 DAX series; the 3.19.8 tree has the fix)', ['hist-axonram-bogus-pfn']),
  variant('2.6.25-brd-highmem', 'brd_insert_page allocates highmem pages under XIP, page_address() is NULL (fixed in 2.6.26 by "fix brd allocation flags", 26defe34e48)', ['hist-brd-highmem', ...BEFORE_3_16]),
  variant('2.6.23-sparse-highmem', 'xip_sparse_page() is get_zeroed_page(GFP_HIGHUSER), NULL for a highmem page (fixed in 2.6.24 by "xip: fix get_zeroed_page with __GFP_HIGHMEM", c51b1a160b6)', ['hist-sparse-highmem', ...BEFORE_3_16]),
  variant('2.6.15-merge-zero-page-colour', '__xip_unmap looks for ZERO_PAGE(address) of an unset address, on MIPS another colour (fixed in the 2.6.15 merge window, before -rc1, by "mm: xip_unmap ZERO_PAGE fix", 67b02f119df)', ['hist-zero-page-colour', ...BEFORE_3_16]),
  variant('2.6.28-remount-xip-busy', 'ext2_remount changes the xip flag with busy inodes (fixed in 2.6.29 by "ext2/xip: refuse to change xip flag during remount with busy inodes", 0e4a9b59282)', ['hist-remount-busy', ...BEFORE_3_16]),
  variant('2.6.21-remount-xip-unchecked', 'ext2_remount takes -o xip without ext2_xip_verify_sb or the blocksize test, and changes the flag (fixed in 2.6.22 by "ext2: disallow setting xip on remount", 266f5aa0970; the flag change itself until 2.6.29)', ['hist-remount-unchecked', 'hist-remount-busy', ...BEFORE_3_16]),
  variant('2.6.22-rc-remount-err', 'ext2_remount refuses xip on a blocksize != PAGE_SIZE but returns an uninitialised err (fixed before 2.6.22 by "ext2: fix return of uninitialised variable", ddc80bd7815)', ['hist-remount-err-uninit', ...BEFORE_3_16]),
  variant('2.6.24-xip-check', 'ext2_fill_super compares sb->s_blocksize before it is set: -o xip refused on 512-byte-sector disks such as axonram (fixed in 2.6.25 by "ext2: xip check fix", a8e3eff4668)', ['hist-xip-check-early', ...BEFORE_3_16]),
  variant('2.6.15-show-options-no-xip', 'ext2_show_options (2.6.14–2.6.15; none in 2.6.13) does not list "xip": /proc/mounts hides an xip mount (fixed in 2.6.16 by "ext2: print xip mount option in ext2_show_options", 835417967c1)', ['hist-show-options-no-xip', ...BEFORE_3_16]),
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
