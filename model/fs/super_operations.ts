import { tracked } from '../kernel/tables.ts';
import { withState } from '../state.ts';
import type { Ctx, Proc } from '../kernel/step.ts';
import type { Inode, State, StatfsObs } from '../state.ts';
import type { AddressSpaceOperations } from './address_space_operations.ts';
import type { FileOperations } from './file_operations.ts';
import { register_aops } from './aops.ts';
import { register_fops } from './file_operations.ts';
import { fsConfig } from '../config.ts';
import { tablesChanged } from '../kernel/generation.ts';

/**
 * mount(2) as the model's `mount` action gives it: the device, the options "xip" and "ro", and
 * `fs`, the mount point (index into cfg.fs) whose super block the mount makes.
 */
export interface MountArgs { readonly dev: number; readonly xip: boolean; readonly ro: boolean; readonly fs: number }

/** What a mount, remount or umount of a file system returns: the new state, 0 or -errno, and the branch taken. */
export type SuperResult = readonly [State, number, string];

/**
 * include/linux/fs.h `struct super_operations` (3.19), the members through which the VFS
 * reaches a file system in the model, with two the kernel keeps elsewhere because the model's
 * files are all regular files of one inode_operations: the inode instantiation of
 * ->create/->lookup (ext2_create, ext2_iget: alloc_inode, then a_ops and i_fop chosen) and
 * i_op->setattr's size change (ext2_setattr → ext2_setsize). Writeback goes through the
 * inode's a_ops (->writepage for fsync/msync, ->writepages for sync_filesystem), never here.
 */
export interface SuperOperations {
  readonly name: string;
  /** A regular file's in-core inode of file system `fs` (i_sb), its a_ops and i_fop chosen as that mount dictates (once, for the inode's life). */
  readonly new_inode: (ctx: Ctx, s: State, ino: number, fs: number) => Inode;
  /** i_op->setattr with ATTR_SIZE and a new size, under i_mutex (do_truncate holds it). */
  readonly setsize: (ctx: Ctx, ino: number, newsize: number) => Proc<number>;
  /** ->evict_inode at the last iput of an unlinked inode: free what it owns (the VFS then drops the in-core inode). */
  readonly evict_inode: (s: State, ino: number) => State;
  /** ->remount_fs via do_remount_sb (with its checks) of mount point `fs`'s super block, one step. */
  readonly remount_fs: (ctx: Ctx, s: State, a: { readonly xip: boolean; readonly ro: boolean; readonly fs: number }) => SuperResult;
  /** ->statfs of mount point `fs`, with what ->show_options says of "xip" (ctx: the design variant; optional, so a plug-in may ignore it). */
  readonly statfs: (s: State, fs: number, ctx?: Ctx) => StatfsObs;
}

/** A file mkfs puts on a new file system: its name (the directory is the VFS's), bytes, and the pages left as holes. */
export interface MkfsFile { readonly name: string; readonly data: readonly number[]; readonly holes: readonly number[] }

/**
 * The checker's window into a file system's layout — what e2fsck and dumpe2fs read off the
 * disk, never called by the kernel model (mm, the VFS and the block layer reach a file system
 * only through its operations). The invariants that judge blocks (block-ownership,
 * new-block-zeroed, no-stale-mapping, …) and the facts the reference borrows from the machine
 * (properties/reference/borrowed.ts) read it; a file system that gives none leaves those
 * invariants not evaluated, and the report says so.
 */
export interface FsLayout {
  /**
   * a_ops->bmap (ext2_bmap → generic_block_bmap(mapping, block, ext2_get_block), 3.19; both
   * ext2_aops and ext2_aops_xip have it): the block holding file page `pgoff` of inode `ino`
   * (blocksize == PAGE_SIZE), 0 for a hole.
   */
  readonly bmap: (s: State, ino: number, pgoff: number) => number;
  /** Every page's block of inode `ino` (bmap of pgoff 0, 1, … up to the last mapped page; 0 = hole): e2fsck pass 1's walk of the inode's blocks. */
  readonly blocksOf: (s: State, ino: number) => readonly number[];
  /**
   * The block bitmap of file system `fs` (mount point index), mounted or not: true = in use,
   * block 0 (the super block) included; null when the file system holds none (not made). The
   * checker memoises what it derives on the array returned, so an unchanged bitmap must be the
   * same array object.
   */
  readonly used: (s: State, fs: number) => readonly boolean[] | null;
}

/**
 * include/linux/fs.h `struct file_system_type`, registered by register_filesystem. The mounted
 * super block names it (SuperBlock.type); an unmounted file system is the one mkfs made
 * (Config fs.type).
 */
export interface FileSystemType {
  readonly name: string;
  /**
   * mkfs (mke2fs for ext2; the kernel has no such member — the model's machine is made with its
   * file systems on it): make file system `fs` (mount point index) on block device `dev` of a
   * state where nothing is mounted, holding `files`. It writes the device's memory, the file
   * system's on-disk slice State.onDisk[fs], and one on-disk inode per file, numbered from
   * s.inodes.length in the order given. Returns the state and null, or the state unchanged and
   * why the files do not fit.
   */
  readonly mkfs: (ctx: Ctx, s: State, fs: number, dev: number, files: readonly MkfsFile[]) => readonly [State, string | null];
  /** ->mount: mount_bdev + fill_super with the mount checks, one step; the super block it makes names this type. */
  readonly mount: (ctx: Ctx, s: State, a: MountArgs, blocksize: number) => SuperResult;
  /**
   * umount: do_umount's -EBUSY while files are open or mapped, then generic_shutdown_super
   * (->put_super) and kill_block_super, one step. The umount action calls it once to learn
   * whether it may proceed, then again after sync_filesystem (model/vfs/sync.ts).
   */
  readonly umount: (ctx: Ctx, s: State, fs: number, ignoreBusy: boolean) => SuperResult;
  readonly s_op: SuperOperations;
  /** The branch catalogue (model/kernel/coverage.ts) the mount, remount and umount branches belong to. */
  readonly branches: { readonly fn: string };
  /** The branch catalogues of the file system's own code: what `audit` reports coverage of. */
  readonly coverage?: readonly { readonly fn: string }[];
  /** Every address_space_operations and file_operations table its inodes can name. */
  readonly a_ops: readonly AddressSpaceOperations[];
  readonly f_ops: readonly FileOperations[];
  /** What e2fsck reads (see FsLayout): optional; without it the invariants that judge blocks are not evaluated on this file system's machines. */
  readonly layout?: FsLayout;
}

const fileSystems = tracked('file system', new Map<string, FileSystemType>());
/** Each name's first registration (the model's own file systems register first, at import): what `<name>:reference` names. */
const builtins = tracked('file system reference', new Map<string, FileSystemType>());

/** register_filesystem (fs/filesystems.c): the type, and the tables its inodes name. */
export function register_filesystem(fs: FileSystemType, o: { replace?: boolean } = {}): void {
  tablesChanged();
  const had = fileSystems.get(fs.name);
  if (had && had !== fs && !o.replace) throw new Error(`file system "${fs.name}" registered twice`);
  if (!builtins.has(fs.name)) builtins.set(fs.name, fs);
  for (const a of fs.a_ops) register_aops(a, o.replace);
  for (const f of fs.f_ops) register_fops(f, o.replace);
  fileSystems.set(fs.name, fs);
}

/**
 * Undo register_filesystem of a type (its tables stay registered: they may be another type's
 * too). A name no longer registered has no reference either: the next type registered under it
 * is `<name>:reference`, as in a process that never saw the first.
 */
export function unregister_filesystem(name: string): void {
  tablesChanged();
  fileSystems.delete(name);
  builtins.delete(name);
}

/**
 * `xipcheck audit --kind fs`: every config that makes the reference file system `role` gets the
 * audited one instead; the config still names the role, whose specification holds it.
 */
const substitutes = tracked('file system substitute', new Map<string, string>());

export function substituteFileSystem(role: string, by: string | null): void {
  tablesChanged();
  if (by === null) substitutes.delete(role);
  else substitutes.set(role, by);
}

/**
 * The type name a config gives the model's own file system `role` where an audited one of that
 * role shares the machine with it: no audit substitutes it (`<role>:reference`).
 */
export function referenceTypeName(role: string): string {
  return `${role}:reference`;
}

/** get_fs_type (fs/filesystems.c), or undefined when no registered file system has that name. */
export function get_fs_type(name: string): FileSystemType | undefined {
  if (name.endsWith(':reference')) return builtins.get(name.slice(0, -':reference'.length));
  return fileSystems.get(substitutes.get(name) ?? name);
}

/**
 * sget (fs/super.c) sets s_type to the file_system_type mount(2) named: the VFS, not the file
 * system, records which type a super block belongs to. The model's mount names the type the
 * config made on the device; a successful ->mount's super block is stamped with it.
 */
export function sget_type(s: State, fs: number, type: string): State {
  const sb = s.sbs[fs];
  if (!sb || sb.type === type) return s;
  const sbs = s.sbs.slice();
  sbs[fs] = { ...sb, type };
  return withState(s, { sbs });
}

export function registeredFileSystems(): readonly string[] {
  return [...fileSystems.keys()];
}

/** File system `fs` (mount point index) of the state: its mounted super block's type, else the one mkfs made (its config's type). */
export function fsTypeOf(s: State, fs: number): FileSystemType {
  const name = s.sbs[fs]?.type ?? fsConfig(s.cfg, fs).type;
  const t = get_fs_type(name);
  if (!t) throw new Error(`no registered file system "${name}"`);
  return t;
}

/** i_sb->s_type: the file system inode `ino` belongs to. */
export function inodeFsType(s: State, ino: number): FileSystemType {
  return fsTypeOf(s, s.inodes[ino]!.fs);
}
