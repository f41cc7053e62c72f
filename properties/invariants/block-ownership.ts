import type { Invariant } from '../invariant.ts';
import type { State } from '../../model/state.ts';
import { PAGE_SECTORS, fsConfig } from '../../model/config.ts';
import { diskPageOf, fsBlocks, mediumCanBack, ruleOf } from './medium.ts';
import { layoutOf } from './layout.ts';
import type { FsLayout } from '../../model/fs/super_operations.ts';

/** Who holds a block: the free pool, one (inode, pgoff) of a block map, or nobody although marked used. */
type Owner = 'free' | 'leaked' | { readonly ino: number; readonly pgoff: number };

interface Ownership {
  readonly dev: number;
  readonly xip: boolean;
  readonly owners: readonly Owner[];
}

function ownerName(o: Owner): string {
  return typeof o === 'string' ? o : `inode ${o.ino} pgoff ${o.pgoff}`;
}

function same(a: Owner, b: Owner): boolean {
  return typeof a === 'string' || typeof b === 'string' ? a === b : a.ino === b.ino && a.pgoff === b.pgoff;
}

/** The device holding file system k: the mounted one, else the one the config made it on. */
function fsDevice(s: State, k: number): number {
  const sb = s.sbs[k];
  return sb ? sb.dev : s.cfg.devices.findIndex((d) => d.name === fsConfig(s.cfg, k).device);
}

/** File system k's bitmap (through its layout view) and the inode table, or null when it no longer exists on the medium. */
function fsOf(s: State, k: number): { dev: number; layout: FsLayout; used: readonly boolean[]; inodes: State['inodes'] } | null {
  const dev = fsDevice(s, k);
  // BLKFLSBUF destroyed the file system: no block belongs to anything any more
  if (dev < 0 || !s.devices[dev].formatted) return null;
  const layout = layoutOf(s, k);
  const used = layout?.used(s, k);
  return layout && used ? { dev, layout, used, inodes: s.inodes } : null;
}

/**
 * Ownership, memoised on the (immutable) bitmap and inode table it is computed from, per file
 * system — and on the file system's own slices (its super block, its on-disk slice), in case
 * its layout reads block maps from there rather than from the inodes.
 */
const memo = new WeakMap<readonly boolean[], WeakMap<State['inodes'], Map<number, { sb: unknown; onDisk: unknown; o: Ownership | string }>>>();

function ownership(s: State, k: number): Ownership | string | null {
  const fs = fsOf(s, k);
  if (!fs) return null;
  let m = memo.get(fs.used);
  if (!m) memo.set(fs.used, (m = new WeakMap()));
  let byFs = m.get(fs.inodes);
  if (!byFs) m.set(fs.inodes, (byFs = new Map()));
  let e = byFs.get(k);
  if (e === undefined || e.sb !== s.sbs[k] || e.onDisk !== s.onDisk[k]) byFs.set(k, (e = { sb: s.sbs[k], onDisk: s.onDisk[k], o: computeOwnership(s, k, fs.dev, fs.layout, fs.used) }));
  const o = e.o;
  return typeof o === 'string' ? o : { ...o, xip: !!s.sbs[k]?.xip };
}

/**
 * Ownership of every block of file system k, as e2fsck pass 5 would compute it: the block maps
 * of all its inodes (i_sb = k; unlinked-but-open ones included: they keep their blocks until
 * ext2_evict_inode) against its on-disk bitmap. A violation of the static rules is returned as
 * a string.
 */
function computeOwnership(s: State, k: number, dev: number, layout: FsLayout, used: readonly boolean[]): Ownership | string {
  const size = fsBlocks(s, dev);
  const fsName = s.sbs.length > 1 ? ` of mount ${k}` : '';
  if (!used[0]) return `block 0 (the super block${fsName}) is marked free in the bitmap`;
  const owners: Owner[] = [];
  for (let b = 0; b < Math.max(size, used.length); b++) owners.push(used[b] ? 'leaked' : 'free');
  owners[0] = 'free'; // the super block: reserved, never a file's and never handed out
  for (const i of s.inodes) {
    if (!i || i.fs !== k) continue;
    const map = layout.blocksOf(s, i.ino);
    for (let pg = 0; pg < map.length; pg++) {
      const b = map[pg];
      if (!b) continue;
      if (b < 0 || b >= size) return `inode ${i.ino} pgoff ${pg} maps block ${b}, outside the file system${fsName} (${size} blocks)`;
      const o = owners[b];
      if (typeof o !== 'string') return `block ${b}${fsName} is in two block maps: ${ownerName(o)} and inode ${i.ino} pgoff ${pg}`;
      if (o === 'free') return `inode ${i.ino} pgoff ${pg} maps block ${b}, which the bitmap${fsName} says is free`;
      owners[b] = { ino: i.ino, pgoff: pg };
    }
  }
  return { dev, xip: !!s.sbs[k]?.xip, owners };
}

/**
 * Every block of the file system belongs to at most one file's block map or to the free pool;
 * blocks only change hands through the allocator and ext2_free_blocks.
 */
export const blockOwnership: Invariant = {
  id: 'block-ownership',
  title: 'every block belongs to one file or to the free pool',
  why: 'A block in two maps is one set of bytes shown as two files: a write to one appears in the other, and truncating one frees the other’s data for reuse. A mapped block marked free will be handed out again; a freed block still marked used is lost space, and a map entry past the end of the file system addresses memory that is not the file system’s.',
  source: 'fs/ext2/balloc.c (2.6.26–3.19) ext2_try_to_allocate: ext2_set_bit_atomic, "The block was allocated by another thread"; ext2_new_blocks: "block >= blocks count"; ext2_free_blocks: "Freeing blocks not in datazone", ext2_clear_bit_atomic, "bit already cleared for block"; fs/ext2/inode.c ext2_get_blocks: on ext2_clear_xip_target failure "goto cleanup" leaves the allocated branch unspliced and unfreed; ext2_evict_inode frees the blocks of an unlinked inode at its last reference',
  when: 'step',
  brokenBy: 'alloc-ignores-bitmap',
  needsLayout: true,
  checkStep(pre, post) {
    // every file system on its own bitmap (mount_bdev: each super block its own device)
    for (let k = 0; k < post.sbs.length; k++) {
      const bad = checkFs(pre, post, k);
      if (bad) return bad;
    }
    return null;
  },
};

function checkFs(pre: State, post: State, k: number): string | null {
  const after = ownership(post, k);
  if (after === null || typeof after === 'string') return after;
  const before = ownership(pre, k);
  if (before === null || typeof before === 'string' || before.dev !== after.dev || before.owners === after.owners) return null;
  for (let b = 1; b < after.owners.length; b++) {
    const x = before.owners[b] ?? 'free', y = after.owners[b];
    if (same(x, y) || x === 'free' && typeof y !== 'string' || typeof x !== 'string' && y === 'free') continue;
    if (x === 'free' && y === 'leaked') {
      // ext2_get_blocks' only leak: the new block could not be cleared because direct_access failed
      const d = post.devices[after.dev];
      if (after.xip && ruleOf(d) && !mediumCanBack(post, after.dev, diskPageOf(d, b * PAGE_SECTORS))) continue;
      return `block ${b} was marked used but linked into no file, although ${after.xip ? 'the medium could back it (ext2_clear_xip_target cannot have failed)' : 'only the XIP clear can leave a block unlinked'}`;
    }
    return `block ${b} went from ${ownerName(x)} to ${ownerName(y)} in one step${y === 'leaked' ? ': unlinked but still marked used' : ''}`;
  }
  return null;
}
