import { ext2_bmap, ext2_truncate_blocks } from './inode.ts';
import { truncateMutex } from './xip.ts';
import { atomic, block_truncate_page, branches, cover, has, invalidate_lock, lock, mapping_is_xip, pagesFor, read, truncate_setsize, unlock, xip_truncate_page, type Ctx, type Proc } from '../kernel_api.ts';

const CITE = 'fs/ext2/inode.c ext2_setsize (3.x)';
export const B_SETSIZE = branches('ext2_setsize', CITE, ['xip', 'pagecache', 'tail-error'] as const, {
  'tail-error': 'xip_truncate_page fails only when direct_access does: see ext2_get_xip_mem:direct-access-failed',
});

/**
 * ext2_setsize, called by ext2_setattr under i_mutex when the size changes. The kernel's order:
 * zero the partial tail (xip_truncate_page), set i_size and unmap user ptes beyond the new EOF
 * (truncate_setsize), then free the blocks under truncate_mutex (__ext2_truncate_blocks).
 * The -EINVAL/-EPERM early exits (non-regular, append-only, immutable) cannot arise here: the
 * model has only regular files without attributes.
 */
export function* ext2_setsize(ctx: Ctx, ino: number, newsize: number): Proc<number> {
  const xip = yield* read('mapping_is_xip', (s) => mapping_is_xip(s, ino));
  yield* cover(B_SETSIZE, xip ? 'xip' : 'pagecache');
  let err = 0;
  if (xip) {
    if (!has(ctx.variant, 'truncate-no-zero-tail')) err = yield* xip_truncate_page(ctx, ino, newsize);
  } else err = yield* block_truncate_page(ctx, ino, newsize, ext2_bmap);
  if (err) { yield* cover(B_SETSIZE, 'tail-error'); return err; }
  // 6.1 (variant dax-6.1): dax_truncate_page zeroes the same tail, then truncate_setsize and
  // __ext2_truncate_blocks under filemap_invalidate_lock, which every DAX fault holds shared
  const invalidate = has(ctx.variant, 'dax-6.1');
  if (invalidate) yield* lock(invalidate_lock(ino));
  yield* truncate_setsize(ctx, ino, newsize);
  yield* lock(truncateMutex(ino));
  yield* atomic('__ext2_truncate_blocks', (s) => [ext2_truncate_blocks(s, ino, pagesFor(newsize, ctx.pageSize), has(ctx.variant, 'free-keeps-bitmap')), null] as const);
  yield* unlock(truncateMutex(ino));
  if (invalidate) yield* unlock(invalidate_lock(ino));
  return 0;
}
