import type { Inode, State, SuperBlock } from '../kernel_api.ts';

/**
 * ext2's own slices of the state (fs/ext2/ext2.h, 3.19), kept in the opaque `priv` of its
 * inodes and super blocks and in State.onDisk while unmounted. Only model/fs/ext2 reads them
 * (test/layering.test.ts); the checker sees them through ext2_layout (register.ts), never here.
 */

/** struct ext2_inode_info, what the model keeps of it: i_data, the block map — one entry per page (blocksize == PAGE_SIZE), 0 = hole. */
export interface Ext2InodeInfo { readonly i_data: readonly number[] }

/** struct ext2_sb_info, what the model keeps of it: the block bitmap (one group's, read_block_bitmap) — true = in use; block 0 holds the super block. */
export interface Ext2SbInfo { readonly bitmap: readonly boolean[] }

const NO_BLOCKS: readonly number[] = [];

/** EXT2_I(inode)->i_data. */
export function EXT2_I(i: Inode): Ext2InodeInfo {
  return i.priv as Ext2InodeInfo;
}

/** The block map of inode `ino` (empty for an inode that is not there). */
export function i_data(s: State, ino: number): readonly number[] {
  const i = s.inodes[ino];
  return i ? EXT2_I(i).i_data : NO_BLOCKS;
}

/** EXT2_SB(sb): the mounted file system's ext2_sb_info. */
export function EXT2_SB(sb: SuperBlock): Ext2SbInfo {
  return sb.priv as Ext2SbInfo;
}

/**
 * The inode with block map `map`, and i_blocks kept to it: ext2_new_blocks counts a block into
 * i_blocks as it takes it (dquot_alloc_block → inode_add_bytes) and ext2_free_blocks out as it
 * gives it back (dquot_free_block_nodirty), fs/ext2/balloc.c 3.19 — so i_blocks is the number
 * of blocks the map holds. (Under the 2.6.26 variant `unserialised-alloc`, whose splice
 * overwrites a block another thread linked, the kernel's i_blocks would count the lost block
 * too; the model keeps the map's count, as st_blocks was computed before.)
 */
export function withIData(i: Inode, map: readonly number[]): Inode {
  let n = 0;
  for (const b of map) if (b !== 0) n++;
  return { ...i, priv: { i_data: map } satisfies Ext2InodeInfo, iBlocks: n };
}

/** The super block with block bitmap `bitmap` in its ext2_sb_info. */
export function withBitmap(sb: SuperBlock, bitmap: readonly boolean[]): SuperBlock {
  return { ...sb, priv: { bitmap } satisfies Ext2SbInfo };
}
