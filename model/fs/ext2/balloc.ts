import { setAt, type SuperBlock } from '../kernel_api.ts';
import { EXT2_SB, type Ext2SbInfo } from './ext2.ts';

/**
 * ext2_new_blocks / ext2_free_blocks (fs/ext2/balloc.c), reduced to a bitmap with
 * lowest-free-first allocation. What matters for XIP is that a freed block keeps its old
 * bytes and is handed out again: that is how stale data could leak (invariant new-block-zeroed).
 */
export function ext2_new_block(sb: SuperBlock): [SuperBlock, number] | null {
  const used = EXT2_SB(sb).bitmap;
  const b = used.indexOf(false);
  if (b < 0) return null;
  return [{ ...sb, priv: { bitmap: setAt(used, b, true) } satisfies Ext2SbInfo }, b];
}

export function ext2_free_blocks(sb: SuperBlock, blocks: readonly number[]): SuperBlock {
  let used = EXT2_SB(sb).bitmap;
  for (const b of blocks) if (b) used = setAt(used, b, false);
  return { ...sb, priv: { bitmap: used } satisfies Ext2SbInfo };
}
