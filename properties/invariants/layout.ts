import { fsConfigs, type Config } from '../../model/config.ts';
import { fsTypeOf, get_fs_type, type FsLayout } from '../../model/fs/super_operations.ts';
import type { State } from '../../model/state.ts';

/**
 * The checker's one window into a file system's layout: FileSystemType.layout (what e2fsck
 * reads — a_ops->bmap and the block bitmap). The invariants and the reference never read a file
 * system's priv or on-disk slice themselves (test/layering.test.ts holds them to it).
 */

/** The layout view of file system `k` (mount point index), or null when its type gives none. */
export function layoutOf(s: State, k: number): FsLayout | null {
  return fsTypeOf(s, k).layout ?? null;
}

const NO_BLOCKS: readonly number[] = [];

/** Every page's block of inode `ino` through its file system's layout (0 = hole); empty for an inode that is not there. */
export function blocksOf(s: State, ino: number): readonly number[] {
  const i = s.inodes[ino];
  if (!i) return NO_BLOCKS;
  const l = layoutOf(s, i.fs);
  if (!l) throw new Error(`blocksOf: file system ${i.fs} gives no layout view (the invariant should have been left unjudged)`);
  return l.blocksOf(s, ino);
}

/** a_ops->bmap through the layout: the block of file page `pgoff` of inode `ino`, 0 for a hole or a missing inode. */
export function bmap(s: State, ino: number, pgoff: number): number {
  const i = s.inodes[ino];
  if (!i) return 0;
  const l = layoutOf(s, i.fs);
  if (!l) throw new Error(`bmap: file system ${i.fs} gives no layout view (the invariant should have been left unjudged)`);
  return l.bmap(s, ino, pgoff);
}

/** The block bitmap of file system `k`, mounted or not (null: none on the medium, or no layout view). */
export function usedOf(s: State, k: number): readonly boolean[] | null {
  return layoutOf(s, k)?.used(s, k) ?? null;
}

/** Why an invariant that reads the layout is not evaluated: printed under "not evaluated". */
export const NO_LAYOUT = 'a configured file system gives no layout view (FileSystemType.layout: a_ops->bmap and its block bitmap, what e2fsck reads), without which which block a file page is in cannot be known';

/** The key under which the checker counts evaluations an invariant left for want of a layout (beside its per-call skips). */
export const noLayoutKey = (id: string): string => `${id}#no-layout`;

/** The per-invariant counts kept under noLayoutKey in a skipped-calls map, by invariant id. */
export function noLayoutCounts(skipped: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...skipped].flatMap(([k, n]) => (k.endsWith('#no-layout') ? [[k.slice(0, -'#no-layout'.length), n]] : [])));
}

const lacking = new WeakMap<Config, string | null>();

/**
 * The first configured file system whose type gives no layout view, or null when every one
 * does. The types a config names are fixed for a run (registrations and audit substitutions
 * happen before the machine is made), so the answer is memoised per config.
 */
export function withoutLayout(s: State): string | null {
  let r = lacking.get(s.cfg);
  if (r === undefined) {
    r = null;
    for (const [k, f] of fsConfigs(s.cfg).entries()) {
      const t = get_fs_type(s.sbs[k]?.type ?? f.type);
      if (t && !t.layout) { r = t.name; break; }
    }
    lacking.set(s.cfg, r);
  }
  return r;
}
