import { ENOSPC } from '../../kernel/errno.ts';
import { branches } from '../../kernel/coverage.ts';
import { atomic, cover, lock, unlock, type Ctx, type Proc } from '../../kernel/step.ts';
import { bioRead, bioWrite } from '../../block/block_device.ts';
import { zeros } from '../../kernel/physmem.ts';
import type { State } from '../../state.ts';
import { padTo, setAt, updateInode } from '../../state.ts';
import type { AddressSpaceOperations } from '../address_space_operations.ts';
import { ext2_bmap, ext2_get_blocks_alloc } from './inode.ts';
import { truncateMutex, ext2_get_xip_mem } from './xip.ts';

const CITE = 'fs/ext2/inode.c ext2_readpage/ext2_writepage via mpage/block_write_full_page (3.x)';
// writepage-error: ENOSPC of the allocation, or a failed bio (brd_insert_page's -ENOMEM when
// brd's backing pages run out); a rw mount of a read-only disk is refused, so never -EIO from that
export const B_PAGECACHE = branches('ext2_aops', CITE, ['readpage-hole', 'readpage-block', 'readpage-cached', 'writepage-clean', 'writepage-existing', 'writepage-allocate', 'writepage-error'] as const);

/** ext2_readpage: bring file page `pgoff` into the page cache (zeros for a hole). Returns 0. */
export function* ext2_readpage(_ctx: Ctx, ino: number, pgoff: number): Proc<number> {
  const br = yield* atomic('ext2_readpage', (s): readonly [State, string] => {
    if (s.inodes[ino]!.pageCache[pgoff]) return [s, 'readpage-cached'];
    const block = ext2_bmap(s, ino, pgoff);
    const [s2, data] = block ? bioRead(s, s.sb!.dev, block) : [s, zeros(s.cfg.pageSize)];
    const page = { data: (data ?? zeros(s.cfg.pageSize)).slice(), dirty: false };
    return [updateInode(s2, ino, (i) => ({ ...i, pageCache: setAt(padTo(i.pageCache, pgoff, null), pgoff, page) })), block ? 'readpage-block' : 'readpage-hole'];
  });
  yield* cover(B_PAGECACHE, br);
  return 0;
}

/** ext2_writepage: write a dirty page back, allocating its block (under truncate_mutex) if a hole. */
export function* ext2_writepage(ctx: Ctx, ino: number, pgoff: number): Proc<number> {
  const st = yield* atomic('ext2_writepage', (s): readonly [State, string] => {
    const p = s.inodes[ino]?.pageCache[pgoff];
    if (!p || !p.dirty) return [s, 'writepage-clean'];
    const block = ext2_bmap(s, ino, pgoff);
    if (!block) return [s, 'needs-block'];
    const [s2, err] = bioWrite(s, s.sb!.dev, block, p.data);
    if (err) return [s2, 'writepage-error'];
    return [markClean(s2, ino, pgoff), 'writepage-existing'];
  });
  if (st !== 'needs-block') {
    yield* cover(B_PAGECACHE, st);
    return st === 'writepage-error' ? -5 : 0;
  }
  yield* lock(truncateMutex(ino));
  const r = yield* atomic('ext2_get_blocks(create=1)+submit_bh', (s): readonly [State, string] => {
    const p = s.inodes[ino]?.pageCache[pgoff];
    if (!p) return [s, 'writepage-clean'];
    const [s2, got] = ext2_get_blocks_alloc(ctx, s, ino, pgoff, p.data);
    // -ENOSPC from the allocation; any failed bio (brd's -ENOMEM, a read-only disk) is the
    // -EIO end_buffer_async_write leaves for fsync (AS_EIO)
    if ('err' in got) return [s2, got.err === -ENOSPC ? 'writepage-error' : 'writepage-error-eio'];
    return [markClean(s2, ino, pgoff), 'writepage-allocate'];
  });
  yield* unlock(truncateMutex(ino));
  yield* cover(B_PAGECACHE, r === 'writepage-error-eio' ? 'writepage-error' : r);
  return r === 'writepage-error' ? -28 : r === 'writepage-error-eio' ? -5 : 0;
}

function markClean(s: State, ino: number, pgoff: number): State {
  return updateInode(s, ino, (i) => ({ ...i, pageCache: setAt(i.pageCache, pgoff, { ...i.pageCache[pgoff]!, dirty: false }) }));
}

/** ext2_aops: the page-cache address_space_operations of a non-XIP mount. */
export const ext2_aops: AddressSpaceOperations = { name: 'ext2_aops', readpage: ext2_readpage, writepage: ext2_writepage };

/** Broken variant `aops-both`: ext2_aops_xip that also carries readpage/writepage. */
export const ext2_aops_xip_both: AddressSpaceOperations = {
  name: 'ext2_aops_xip+pagecache', get_xip_mem: ext2_get_xip_mem, readpage: ext2_readpage, writepage: ext2_writepage,
};
