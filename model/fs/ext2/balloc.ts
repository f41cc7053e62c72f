import { setAt, type SuperBlock } from '../kernel_api.ts';

/**
 * ext2_new_blocks / ext2_free_blocks (fs/ext2/balloc.c), reduced to a bitmap with
 * lowest-free-first allocation. What matters for XIP is that a freed block keeps its old
 * bytes and is handed out again: that is how stale data could leak (invariant new-block-zeroed).
 */
export function ext2_new_block(sb: SuperBlock): [SuperBlock, number] | null {
  const b = sb.used.indexOf(false);
  if (b < 0) return null;
  return [{ ...sb, used: setAt(sb.used, b, true) }, b];
}

export function ext2_free_blocks(sb: SuperBlock, blocks: readonly number[]): SuperBlock {
  let used = sb.used;
  for (const b of blocks) if (b) used = setAt(used, b, false);
  return { ...sb, used };
}
