/**
 * A design variant: the reference design (3.19 plus the fault-vs-truncate fix of the 4.0 DAX
 * series), a historical kernel, or a deliberately broken model used to prove an invariant can
 * fail. Each switch is one small mutation at one named place in the model.
 */
export interface Variant {
  readonly name: string;
  readonly description: string;
  /** Mutations switched on. */
  readonly flags: ReadonlySet<Mutation>;
}

export type Mutation =
  // historical designs (see docs/races.md)
  | 'no-sparse-mutex'            // 2.6.25/26: no xip_sparse_mutex / xip_sparse_seq around the sparse page
  | 'unserialised-alloc'         // 2.6.25/26: get_xip_mem(create=1) not serialised, and ext2_get_blocks trusts its lockless lookup (no re-check under truncate_mutex before 2.6.30)
  | 'ebusy-is-error'             // 2.6.26–3.2: -EBUSY from vm_insert_mixed hits BUG_ON(err) (fixed in 3.3)
  | 'no-isize-recheck'           // every released XIP kernel: no i_size recheck under i_mmap lock
  // the historical-bug library (docs/history.md, counterexamples/history/library.json): one
  // fix from the kernel's history reverted each
  | 'hist-write-at-page-start'   // 2.6.24-rc: __xip_file_write copies to kaddr, not kaddr + offset ("mm: fix XIP file writes")
  | 'hist-read-length'           // 2.6.26–2.6.29: do_xip_mapping_read caps nr at len, not len - copied ("mm: do_xip_mapping_read: fix length calculation")
  | 'hist-axonram-no-part-start' // 2.6.23–2.6.26: axon_ram_direct_access ignores bd_part->start_sect ("powerpc/axonram: Enable partitioning of the Axons DDR2 DIMMs")
  | 'hist-axonram-bogus-pfn'     // 2.6.26–3.18 at least: *pfn = virt_to_phys(kaddr), the stack slot's address ("axonram: Fix bug in direct_access")
  | 'hist-brd-highmem'           // 2.6.25: brd_insert_page allocates with __GFP_HIGHMEM even for XIP; page_address() is NULL ("fix brd allocation flags")
  | 'hist-sparse-highmem'        // 2.6.21–2.6.23: xip_sparse_page() uses get_zeroed_page(GFP_HIGHUSER), NULL for a highmem page ("xip: fix get_zeroed_page with __GFP_HIGHMEM")
  | 'hist-zero-page-colour'      // 2.6.15 merge window (before -rc1): __xip_unmap looks for ZERO_PAGE(address) of an unset address: on MIPS another colour's zero page ("mm: xip_unmap ZERO_PAGE fix")
  | 'hist-remount-busy'          // 2.6.13–2.6.28: ext2_remount changes the xip flag with busy inodes ("ext2/xip: refuse to change xip flag during remount with busy inodes")
  | 'hist-remount-unchecked'     // 2.6.13–2.6.21: ext2_remount neither runs ext2_xip_verify_sb nor checks the blocksize ("ext2: disallow setting xip on remount")
  | 'hist-remount-err-uninit'    // 2.6.22-rc: the remount blocksize refusal returns an uninitialised err ("ext2: fix return of uninitialised variable")
  | 'hist-xip-check-early'       // 2.6.13–2.6.24: ext2_fill_super compares sb->s_blocksize before it is set ("ext2: xip check fix")
  | 'hist-show-options-no-xip'   // 2.6.13–2.6.15: /proc/mounts never lists "xip" ("ext2: print xip mount option in ext2_show_options")
  | 'hist-brd-enomem'            // 2.6.25–3.15: brd_insert_page's failure is -ENOMEM in brd_direct_access and copy_to_brd_setup; -ENOSPC from 3.16 ("brd: return -ENOSPC rather than -ENOMEM on page allocation failure", 96f8d8e0965b). Every variant of a kernel before 3.16 carries it
  // the successor design (docs/lab.md): ext2 on 6.1's fs/dax.c, held to ext4 and xfs on a real kernel
  | 'dax-6.1'                    // 6.1: ext2_dax_file_operations/ext2_dax_vm_ops over fs/dax.c dax_iomap_rw/dax_iomap_pte_fault and ext2_iomap_ops (model/fs/ext2/dax.ts)
  // broken models, one per invariant (properties/invariants/*.test.ts)
  | 'aops-both'                  // ext2_aops_xip also carries readpage/writepage
  | 'xip-uses-pagecache'         // xip_file_read goes through the page cache
  | 'remove-ignores-users'       // dcssblk remove_store without the use_count check
  | 'read-skips-data'            // xip_file_read returns zeros for data blocks
  | 'sparse-writable'            // sparse page inserted writable
  | 'no-xip-unmap'               // __xip_unmap never called after allocation
  | 'private-write-shared'       // COW of a private XIP page writes through to the device
  | 'no-zero-new-block'          // ext2_get_blocks links the block before clearing it
  | 'truncate-no-unmap'          // truncate_setsize skips unmap_mapping_range
  | 'truncate-no-zero-tail'      // ext2_setsize skips xip_truncate_page
  | 'fault-always-allocates'     // xip_file_fault allocates on every hole (ignores VM_SHARED, VM_WRITE, MS_RDONLY)
  | 'xip-on-any-blocksize'       // ext2_fill_super skips the blocksize == PAGE_SIZE check
  | 'remount-flips-xip'          // ext2_remount lets the xip flag change
  | 'da-range-off-by-one'        // dcssblk_direct_access: range check one page too lenient (pgoff > size instead of >=)
  | 'da-other-device'            // dcssblk_direct_access answers with the first segment's memory, whatever the disk
  | 'alloc-ignores-bitmap'       // ext2_new_blocks takes the goal block without testing its bitmap bit (double allocation)
  | 'free-keeps-bitmap'          // ext2_free_blocks (truncate path) forgets to clear the bitmap bits
  | 'write-overruns-buffer'      // __xip_file_write copies one byte past the user buffer
  | 'sparse-ref-leak'            // __xip_unmap forgets page_cache_release
  | 'lock-order-inversion'       // truncate takes xip_sparse_mutex inside the i_mmap lock (ABBA with the sparse fault)
  // the mutation corpus (model/mutants.ts): defects of the kinds an implementer makes
  | 'mut-xip-hole-write-enospc' | 'mut-ftruncate-odd-einval' | 'mut-open-append-enoent' | 'mut-close-fd0-ebadf'
  | 'mut-lseek-off-by-one' | 'mut-unlink-ro' | 'mut-mmap-shared-write-rdonly' | 'mut-read-past-eof'
  | 'mut-efbig-off-by-one' | 'mut-umount-ignores-busy' | 'mut-remount-ro-ignores-writers' | 'mut-fd-not-lowest'
  | 'mut-blkdev-open-ro-write' | 'mut-brd-discard-off-by-one' | 'mut-pread-moves-fpos' | 'mut-alloc-first-sb';

export function variant(name: string, description: string, flags: readonly Mutation[] = []): Variant {
  return { name, description, flags: new Set(flags) };
}

export function has(v: Variant, m: Mutation): boolean {
  return v.flags.has(m);
}
