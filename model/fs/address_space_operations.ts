import type { Ctx, Proc } from '../kernel/step.ts';
import type { State } from '../state.ts';

/** What get_xip_mem hands back: kernel address + pfn of the file page, or a negative errno. */
export type XipMem = { readonly kaddr: number; readonly pfn: number } | { readonly err: number };

/**
 * include/linux/fs.h `struct address_space_operations`, the members XIP touches.
 * xip.txt: get_xip_mem "is mutually exclusive with readpage&writepage that do page cache
 * read/write operations" — an inode's a_ops has either `get_xip_mem` or the page-cache pair.
 * Each member is a process, because ext2's allocation path sleeps on truncate_mutex.
 */
export interface AddressSpaceOperations {
  readonly name: string;
  /** get_xip_mem(mapping, pgoff, create, &kmem, &pfn), 2.6.26–3.19. -ENODATA = hole and !create. */
  readonly get_xip_mem?: (ctx: Ctx, ino: number, pgoff: number, create: boolean) => Proc<XipMem>;
  /** readpage: fill the page-cache page from the block (zeros for a hole). */
  readonly readpage?: (ctx: Ctx, ino: number, pgoff: number) => Proc<number>;
  /** writepage: write a dirty page-cache page back, allocating its block. */
  readonly writepage?: (ctx: Ctx, ino: number, pgoff: number) => Proc<number>;
  /**
   * writepages as sync_filesystem reaches it at umount (do_writepages): every dirty page of the
   * inode written back inside the umount step, errors lost.
   */
  readonly writepages?: (ctx: Ctx, s: State, ino: number) => State;
}
