import type { Ctx, Proc } from '../kernel/step.ts';

/**
 * include/linux/iomap.h `struct iomap` (6.1), in file pages: the extent that starts at the page
 * asked for. A hole is one block long (ext2_iomap_begin) or as long as the hole (ext4); a mapped
 * extent is a run of blocks, each with the pfn dax_direct_access gives for it. `fresh`:
 * IOMAP_F_NEW, the blocks were allocated (and zeroed) by this call.
 */
export type Iomap =
  | { readonly type: 'hole'; readonly pgoff: number; readonly pages: number }
  | { readonly type: 'mapped'; readonly pgoff: number; readonly pages: number; readonly pfns: readonly number[]; readonly fresh: boolean }
  | { readonly err: number };

/**
 * `struct iomap_ops` (6.1): ->iomap_begin maps (IOMAP_WRITE: allocates) up to `pages` file pages
 * from `pgoff`; ->iomap_end sees how many bytes of the extent were processed.
 */
export interface IomapOps {
  readonly name: string;
  readonly iomap_begin: (ctx: Ctx, ino: number, pgoff: number, pages: number, write: boolean) => Proc<Iomap>;
  readonly iomap_end?: (ctx: Ctx, ino: number, pos: number, length: number, written: number, write: boolean) => Proc<void>;
}
