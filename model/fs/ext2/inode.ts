import { EIO, ENOSPC } from '../../kernel/errno.ts';
import { ext2_free_blocks, ext2_new_block } from './balloc.ts';
import { EXT2_I, EXT2_SB, i_data, withIData } from './ext2.ts';
import { PAGE_SECTORS, bioWrite, branches, direct_access, has, hit, padTo, sbOf, setAt, updateInode, withSb, writePfn, zeros, type Ctx, type Inode, type State, type SuperBlock } from '../kernel_api.ts';

const CITE = 'fs/ext2/inode.c ext2_get_blocks (2.6.26–3.19; the re-check under truncate_mutex from 2.6.30)';
export const B_GET_BLOCKS = branches('ext2_get_blocks', CITE, [
  'raced-mapped', 'enospc', 'clear-xip-target-failed-leak', 'alloc-zeroed-spliced', 'alloc-pagecache-spliced', 'pagecache-write-eio',
] as const);

/** ext2_get_block(create=0): the block mapped at `pgoff`, 0 for a hole (lockless chain walk of i_data); ext2_bmap's answer too. */
export function ext2_bmap(s: State, ino: number, pgoff: number): number {
  return i_data(s, ino)[pgoff] ?? 0;
}

export type GetBlocks = { readonly block: number; readonly branch: string } | { readonly err: number; readonly branch: string };

/**
 * The allocating half of ext2_get_blocks, run under ei->truncate_mutex (the caller holds it):
 * re-check the map (another thread may have allocated), ext2_alloc_branch, then on an XIP
 * mount ext2_clear_xip_target zeroes the new block *before* ext2_splice_branch links it into
 * the inode — the only thing that keeps a reused block's old bytes from showing in the file.
 * If the clear fails, the block is neither spliced nor freed (the leak the kernel has).
 * `data`, on a non-XIP mount, is the page written back (block_write_full_page): the block is
 * linked with those bytes written.
 */
export function ext2_get_blocks_alloc(ctx: Ctx, s: State, ino: number, pgoff: number, data?: readonly number[]): readonly [State, GetBlocks] {
  const r = getBlocksAlloc(ctx, s, ino, pgoff, data);
  hit(B_GET_BLOCKS, r[1].branch);
  return r;
}

function getBlocksAlloc(ctx: Ctx, s: State, ino: number, pgoff: number, data?: readonly number[]): readonly [State, GetBlocks] {
  // The re-check under truncate_mutex ("another get_block allocated this branch": verify_chain,
  // then ext2_get_branch again) arrived in 2.6.30 (Jan Kara, "ext2: fix data corruption for
  // racing writes"). ext2_get_blocks of 2.6.25/26 has none: after mutex_lock(&ei->truncate_mutex)
  // it goes straight to ext2_alloc_branch, and ext2_splice_branch's `*where->p = where->key`
  // overwrites a block another caller linked meanwhile. Page-cache callers never raced on one
  // block (the page lock), XIP callers did until 2.6.27 serialised get_xip_mem(create=1) under
  // xip_sparse_mutex; variant `unserialised-alloc` is that 2.6.26 code.
  const existing = ext2_bmap(s, ino, pgoff);
  if (existing && !has(ctx.variant, 'unserialised-alloc')) return [s, { block: existing, branch: 'raced-mapped' }];
  // ext2_new_blocks(inode, …) allocates from inode->i_sb's bitmap; the mutant `mut-alloc-first-sb`
  // takes the block from the first mounted super block's bitmap while that one has a free bit
  const fs = s.inodes[ino]!.fs;
  const sb = s.sbs[fs]!;
  const first = s.sbs.findIndex(Boolean);
  const from = has(ctx.variant, 'mut-alloc-first-sb') && first >= 0 && EXT2_SB(s.sbs[first]!).bitmap.includes(false) ? first : fs;
  const got = has(ctx.variant, 'alloc-ignores-bitmap') ? newBlockAtGoalUntested(s.sbs[from]!, s.inodes[ino]!, pgoff) : ext2_new_block(s.sbs[from]!);
  if (!got) return [s, { err: -ENOSPC, branch: 'enospc' }];
  let [sb2, block] = got;
  let next: State = withSb(s, from, sb2);
  if (sb.xip) {
    // ext2_clear_xip_target: __inode_direct_access + clear_page
    const [s3, da] = direct_access(next, sb.dev, block * PAGE_SECTORS);
    next = s3;
    if ('err' in da) return [next, { err: da.err, branch: 'clear-xip-target-failed-leak' }];
    if (!has(ctx.variant, 'no-zero-new-block')) next = zeroDevicePage(next, da.pfn);
  }
  next = updateInode(next, ino, (i) => withIData(i, setAt(padTo(EXT2_I(i).i_data, pgoff, 0), pgoff, block)));
  if (!sb.xip && data) {
    // block_write_full_page: get_block has spliced the block before the bio is submitted, so a
    // failed write (brd's -ENOSPC) leaves it linked, unwritten; the page stays dirty (-EIO)
    const [s3, err] = bioWrite(next, sb.dev, block, data);
    if (err) return [s3, { err: -EIO, branch: 'pagecache-write-eio' }];
    next = s3;
  }
  return [next, { block, branch: sb.xip ? 'alloc-zeroed-spliced' : 'alloc-pagecache-spliced' }];
}

/**
 * The broken variant `alloc-ignores-bitmap`: ext2_find_near's goal (the nearest block mapped
 * to the left of `pgoff`) handed out as ext2_try_to_allocate would, but without the
 * ext2_set_bit_atomic test that says "the block was allocated by another thread".
 */
function newBlockAtGoalUntested(sb: SuperBlock, inode: Inode, pgoff: number): [SuperBlock, number] | null {
  const map = EXT2_I(inode).i_data;
  for (let p = Math.min(pgoff, map.length) - 1; p >= 0; p--) if (map[p]) return [sb, map[p]];
  return ext2_new_block(sb);
}

/** clear_page(kaddr) of ext2_clear_xip_target. */
function zeroDevicePage(s: State, pfn: number): State {
  return writePfn(s, pfn, 0, zeros(s.cfg.pageSize));
}

/**
 * __ext2_truncate_blocks (under truncate_mutex): free every block at or beyond page
 * `fromPage`. The freed blocks keep their bytes.
 */
export function ext2_truncate_blocks(s: State, ino: number, fromPage: number, keepBitmap = false): State {
  const inode = s.inodes[ino]!;
  const map = EXT2_I(inode).i_data;
  const freed = map.slice(fromPage).filter((b) => b !== 0);
  const blocks = map.slice(0, fromPage);
  // keepBitmap: the broken variant `free-keeps-bitmap` (ext2_free_blocks without ext2_clear_bit_atomic)
  const sb = sbOf(s, ino)!;
  return updateInode(keepBitmap ? s : withSb(s, inode.fs, ext2_free_blocks(sb, freed)), ino, (i) => withIData(i, blocks));
}

/**
 * ext2_iget / ext2_create (fs/ext2/inode.c, fs/ext2/namei.c, 3.19): a regular file's a_ops and
 * i_fop are chosen when the in-core inode is made — `if (ext2_use_xip(inode->i_sb))`
 * ext2_aops_xip with ext2_xip_file_operations, else ext2_aops with ext2_file_operations — and
 * never re-evaluated (walkthrough §1.2).
 */
export function ext2_new_inode(ctx: Ctx, s: State, ino: number, fs: number): Inode {
  const xip = !!s.sbs[fs]?.xip;
  const aops = xip ? (has(ctx.variant, 'aops-both') ? 'ext2_aops_xip+pagecache' : 'ext2_aops_xip') : 'ext2_aops';
  // 6.1 (variant dax-6.1): one ext2_file_operations whose read_iter/write_iter/mmap test IS_DAX
  const fops = xip ? (has(ctx.variant, 'dax-6.1') ? 'ext2_dax_file_operations' : 'ext2_xip_file_operations') : 'ext2_file_operations';
  return { ino, fs, size: 0, priv: { i_data: [] }, iBlocks: 0, aops, fops, nlink: 1, refs: 0, pageCache: [] };
}

/** ext2_evict_inode (3.19) of an unlinked inode: `if (inode->i_blocks) ext2_truncate_blocks(inode, 0)`. */
export function ext2_evict_inode(s: State, ino: number): State {
  return ext2_truncate_blocks(s, ino, 0);
}
