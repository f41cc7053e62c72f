import { ENODATA } from '../../kernel/errno.ts';
import { ext2_bmap, ext2_get_blocks_alloc } from './inode.ts';
import { PAGE_SECTORS, atomic, branches, cover, direct_access, lock, sbOf, unlock, type AddressSpaceOperations, type Ctx, type Proc, type XipMem } from '../kernel_api.ts';

const CITE = 'fs/ext2/xip.c ext2_get_xip_mem (2.6.26–3.19)';
export const B_XIP_MEM = branches('ext2_get_xip_mem', CITE, ['enodata-hole', 'mapped', 'allocated', 'alloc-failed', 'direct-access-failed'] as const, {
  'direct-access-failed': 'direct_access of a block the file already owns cannot fail while the device is held open by the mount (reached by variant broken-remove-ignores-users)',
});

export function truncateMutex(ino: number): string {
  return `truncate_mutex:${ino}`;
}

/**
 * ext2_get_xip_mem(mapping, pgoff, create, &kmem, &pfn): __ext2_get_block for one block
 * (pgoff == block index because blocksize == PAGE_SIZE), -ENODATA for a hole when !create,
 * then __inode_direct_access(block * PAGE_SIZE/512).
 * Steps: the lookup is lockless (one step, together with direct_access, which sleeps on
 * nothing); allocation takes ei->truncate_mutex for the re-check + alloc + clear + splice.
 */
export function* ext2_get_xip_mem(ctx: Ctx, ino: number, pgoff: number, create: boolean): Proc<XipMem> {
  const found = yield* atomic('ext2_get_xip_mem', (s) => {
    const block = ext2_bmap(s, ino, pgoff);
    if (!block) return [s, { err: -ENODATA }] as const;
    return direct_access(s, sbOf(s, ino)!.dev, block * PAGE_SECTORS);
  });
  if (!('err' in found)) {
    yield* cover(B_XIP_MEM, 'mapped');
    return found;
  }
  if (found.err !== -ENODATA) {
    yield* cover(B_XIP_MEM, 'direct-access-failed');
    return found;
  }
  if (!create) {
    yield* cover(B_XIP_MEM, 'enodata-hole');
    return found;
  }
  yield* lock(truncateMutex(ino));
  const got = yield* atomic('ext2_get_blocks(create=1)', (s) => ext2_get_blocks_alloc(ctx, s, ino, pgoff));
  yield* unlock(truncateMutex(ino));
  if ('err' in got) {
    yield* cover(B_XIP_MEM, 'alloc-failed');
    return { err: got.err };
  }
  yield* cover(B_XIP_MEM, 'allocated');
  return yield* atomic('__inode_direct_access', (s) => direct_access(s, sbOf(s, ino)!.dev, got.block * PAGE_SECTORS));
}

/** ext2_aops_xip = { .bmap, .get_xip_mem } (fs/ext2/inode.c 2.6.26–3.19). */
export const ext2_aops_xip: AddressSpaceOperations = { name: 'ext2_aops_xip', get_xip_mem: ext2_get_xip_mem };
