import { EIO, ENOSPC } from '../../kernel/errno.ts';
import { ext2_bmap, ext2_get_blocks_alloc } from './inode.ts';
import { truncateMutex, ext2_get_xip_mem } from './xip.ts';
import { atomic, bioRead, bioWrite, branches, cover, lock, padTo, pagesFor, sbOf, setAt, unlock, updateInode, zeros, type AddressSpaceOperations, type Ctx, type Proc, type State } from '../kernel_api.ts';

const CITE = 'fs/ext2/inode.c ext2_readpage/ext2_writepage via mpage/block_write_full_page (3.x); fs/mpage.c do_mpage_readpage; drivers/block/brd.c brd_make_request → copy_to_brd_setup';
// writepage-enospc: no block for a hole; writepage-allocate-eio: the bio writing a new block
// fails — brd_insert_page's -ENOSPC (-ENOMEM before 3.16) when brd's backing pages run out
// (end_buffer_async_write: AS_EIO); writepage-eio: the same bio again at the next writeback, the block linked but its
// brd page still unbacked
export const B_PAGECACHE = branches('ext2_aops', CITE, [
  'readpage-hole', 'readpage-block', 'readpage-cached', 'readpage-beyond-eof', 'writepage-clean', 'writepage-existing', 'writepage-eio',
  'writepage-truncated', 'writepage-allocate', 'writepage-enospc', 'writepage-allocate-eio',
] as const);

/** ext2_readpage: bring file page `pgoff` into the page cache (zeros for a hole). Returns 0. */
export function* ext2_readpage(_ctx: Ctx, ino: number, pgoff: number): Proc<number> {
  const br = yield* atomic('ext2_readpage', (s): readonly [State, string] => {
    if (s.inodes[ino]!.pageCache[pgoff]) return [s, 'readpage-cached'];
    // do_mpage_readpage (fs/mpage.c, 3.x) maps only blocks below last_block_in_file, taken from
    // i_size: a page wholly past EOF is zeroed, never read. It happens when a fault that passed
    // filemap_fault's first i_size check reads the page in after truncate_inode_pages, while
    // the truncated blocks still hold their old bytes; the page then stays in the cache.
    if (pgoff >= pagesFor(s.inodes[ino]!.size, s.cfg.pageSize)) {
      const page = { data: zeros(s.cfg.pageSize), dirty: false };
      return [updateInode(s, ino, (i) => ({ ...i, pageCache: setAt(padTo(i.pageCache, pgoff, null), pgoff, page) })), 'readpage-beyond-eof'];
    }
    const block = ext2_bmap(s, ino, pgoff);
    const [s2, data] = block ? bioRead(s, sbOf(s, ino)!.dev, block) : [s, zeros(s.cfg.pageSize)];
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
    const [s2, err] = bioWrite(s, sbOf(s, ino)!.dev, block, p.data);
    if (err) return [s2, 'writepage-eio'];
    return [markClean(s2, ino, pgoff), 'writepage-existing'];
  });
  if (st !== 'needs-block') {
    yield* cover(B_PAGECACHE, st);
    return st === 'writepage-eio' ? -EIO : 0;
  }
  yield* lock(truncateMutex(ino));
  // block_write_full_page → ext2_get_block(create=1): ENOSPC here is the writeback error a
  // store through a shared mapping into a hole meets (ext2 has no page_mkwrite reservation)
  const r = yield* atomic('ext2_get_blocks(create=1)+submit_bh', (s): readonly [State, readonly [string, number]] => {
    const p = s.inodes[ino]?.pageCache[pgoff];
    if (!p) return [s, ['writepage-truncated', 0]];
    const [s2, got] = ext2_get_blocks_alloc(ctx, s, ino, pgoff, p.data);
    if ('err' in got) return [s2, [got.err === -ENOSPC ? 'writepage-enospc' : 'writepage-allocate-eio', got.err]];
    return [markClean(s2, ino, pgoff), ['writepage-allocate', 0]];
  });
  yield* unlock(truncateMutex(ino));
  yield* cover(B_PAGECACHE, r[0]);
  return r[1];
}

function markClean(s: State, ino: number, pgoff: number): State {
  return updateInode(s, ino, (i) => ({ ...i, pageCache: setAt(i.pageCache, pgoff, { ...i.pageCache[pgoff]!, dirty: false }) }));
}

/**
 * ext2_writepages → mpage_writepages(mapping, wbc, ext2_get_block) as sync_filesystem reaches
 * it at umount, inside the umount step: each dirty page gets its block (allocated if a hole)
 * and is written through the bio path (submit_bh: the partition start added, a read-only disk
 * refused, brd backing the page first). Every error is lost, as a writeback error at umount is.
 */
export function ext2_writepages(ctx: Ctx, s: State, ino: number): State {
  let next = s;
  s.inodes[ino]!.pageCache.forEach((p, pg) => {
    if (!p?.dirty) return;
    const [s2, got] = ext2_get_blocks_alloc(ctx, next, ino, pg, p.data);
    if ('err' in got && got.err === -ENOSPC) return;
    next = s2;
    const blk = ext2_bmap(next, ino, pg);
    if (blk) next = bioWrite(next, sbOf(next, ino)!.dev, blk, p.data, ctx)[0];
  });
  return next;
}

/** ext2_aops (fs/ext2/inode.c, 3.19): the page-cache address_space_operations of a non-XIP mount. */
export const ext2_aops: AddressSpaceOperations = { name: 'ext2_aops', readpage: ext2_readpage, writepage: ext2_writepage, writepages: ext2_writepages };

/**
 * Broken variant `aops-both`: ext2_aops_xip that also carries ext2_aops' readpage, writepage
 * and writepages. The mm code dispatches on the members it finds: mapping_is_xip holds, so
 * read, write, mmap and truncate stay XIP (ext2 still installs ext2_xip_file_operations), but
 * fsync, msync and the writeback at umount now take the page-cache writeback path
 * (filemap_write_and_wait_range finds ->writepage).
 */
export const ext2_aops_xip_both: AddressSpaceOperations = {
  name: 'ext2_aops_xip+pagecache', get_xip_mem: ext2_get_xip_mem, readpage: ext2_readpage, writepage: ext2_writepage, writepages: ext2_writepages,
};
