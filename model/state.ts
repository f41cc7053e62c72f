import type { Config } from './config.ts';

/**
 * The state of the whole machine (TLA+ VARIABLES), one immutable record. Every action returns
 * a new State; nothing is mutated in place, so the explorer can hash, share and compare states.
 * Bytes are plain number arrays: pages are tiny and JSON is the trace format.
 */
export interface State {
  readonly cfg: Config;
  /** Block devices, by index (gendisk + driver private data). */
  readonly devices: readonly Device[];
  /** Per configured file system (index = mount point, cfg.fs order): its mounted super block, or null when not mounted. */
  readonly sbs: readonly (SuperBlock | null)[];
  /**
   * Per configured file system: its own on-disk metadata while it is not mounted, opaque to the
   * rest of the model (ext2: the block bitmap, fs/ext2/ext2.ts Ext2SbInfo) — written by its
   * type's ->mkfs at init and by ->umount, taken back into the super block's s_fs_info by
   * ->mount (null while mounted). Plain JSON data, hashed and compared like everything else.
   */
  readonly onDisk: readonly unknown[];
  /** Raw opens of each block device by user processes (open("/dev/…")), beside the mount's. */
  readonly rawOpens: readonly number[];
  /** In-core and on-disk inodes, by inode number (0 unused). */
  readonly inodes: readonly (Inode | null)[];
  /** The root directory: name → inode number. */
  readonly dir: Readonly<Record<string, number>>;
  /** User processes (mm_struct + files_struct). */
  readonly procs: readonly Proc[];
  /** Kernel threads of control: one per system call or fault in flight. */
  readonly threads: readonly Thread[];
  /** mm/filemap_xip.c `__xip_sparse_page`: allocated lazily, then kept forever. */
  readonly sparse: { readonly allocated: boolean; readonly refs: number; readonly data: readonly number[] };
  /** mm/filemap_xip.c `xip_sparse_seq`: even = no writer section open. */
  readonly sparseSeq: number;
  /** Sleeping locks and rwsems held now: name → holder(s). */
  readonly locks: Readonly<Record<string, LockState>>;
  /** Monotonic counter for fresh thread ids. */
  readonly nextTid: number;
}

export type LockState =
  | { readonly mode: 'excl'; readonly holder: number }
  | { readonly mode: 'shared'; readonly holders: readonly number[] };

export interface Device {
  readonly name: string;
  /** The driver the config names (model/block/driver.ts registry). */
  readonly driver: string;
  /** bd_disk->fops: the registered driver whose table add_disk installed (model/block/direct_access.ts
   *  fopsFor); a broken variant installs a defective one. */
  readonly fops: string;
  /** Capacity in pages. */
  readonly pages: number;
  readonly startSect: number;
  /** Backing memory per page; null = brd page not yet allocated (brd_insert_page on first touch). */
  readonly data: readonly (readonly number[] | null)[];
  /** bd_openers (brd) / dcssblk use_count: how many holders keep addresses valid. */
  readonly openers: number;
  /** False after dcssblk `remove` (segment_unload): its addresses are gone. */
  readonly present: boolean;
  /** get_disk_ro(): the block layer refuses writes and rw mounts. */
  readonly readOnly: boolean;
  /** Holds an ext2 file system (false after brd BLKFLSBUF destroyed it). */
  readonly formatted: boolean;
  /** bd_disk->private_data: the driver's own plain data (dcssblk's segment state), opaque to the rest of the model. */
  readonly priv: unknown;
  /**
   * A partition entry (config `partitionOf`): the index of the disk entry whose gendisk it is
   * part of. The medium — `data`, `priv`, `present`, `readOnly`, `pages` (the disk's capacity),
   * `driver`, `fops` — is the disk's, kept equal on every entry of the disk by updateDevice, and
   * pfns name the disk's pages. Absent on a disk.
   */
  readonly medium?: number;
  /** A partition entry's length in pages (hd_struct.nr_sects / 8); a disk's partition runs to its end. */
  readonly partPages?: number;
}

export interface SuperBlock {
  /** s_type: the registered file_system_type (model/fs/super_operations.ts) whose s_op serves this mount. */
  readonly type: string;
  /** Index of the block device in `devices` (s_bdev). */
  readonly dev: number;
  /** EXT2_MOUNT_XIP after ext2_xip_verify_sb. */
  readonly xip: boolean;
  /** MS_RDONLY. */
  readonly ro: boolean;
  readonly blocksize: number;
  /**
   * sb->s_fs_info: the file system's own plain data (ext2: struct ext2_sb_info, its block
   * bitmap), opaque to the rest of the model — mm, the VFS, the block layer and the checker
   * never read it (the checker sees a layout only through FileSystemType.layout).
   */
  readonly priv: unknown;
}

export interface Inode {
  readonly ino: number;
  /** i_sb: the file system (mount point index) the inode belongs to; its operations go through that one's super block and type. */
  readonly fs: number;
  readonly size: number;
  /**
   * The file system's own per-inode data, the rest of struct ext2_inode_info that EXT2_I()
   * reaches (ext2: i_data, its block map), opaque to the rest of the model. Plain JSON data.
   */
  readonly priv: unknown;
  /**
   * i_blocks: the blocks the inode owns, which the file system maintains as it allocates and
   * frees them (ext2_new_blocks: dquot_alloc_block → inode_add_bytes; ext2_free_blocks: dquot_free_block_nodirty → inode_sub_bytes; 3.19) and
   * generic_fillattr reports as st_blocks (in file-system blocks here, not 512-byte sectors).
   */
  readonly iBlocks: number;
  /**
   * i_mapping->a_ops and i_fop, by name (registries in model/fs/aops.ts and
   * model/fs/file_operations.ts), chosen when the in-core inode was instantiated
   * (ext2_iget/ext2_create) and fixed for its life. Whether the file is XIP is what they say:
   * mapping_is_xip is `a_ops->get_xip_mem != NULL`.
   */
  readonly aops: string;
  readonly fops: string;
  readonly nlink: number;
  /** Open file descriptions + vmas that pin the inode (i_count beyond the dentry). */
  readonly refs: number;
  /** Page cache (address_space radix tree): only for non-XIP inodes. */
  readonly pageCache: readonly (CachePage | null)[];
}

export interface CachePage {
  readonly data: readonly number[];
  readonly dirty: boolean;
}

export interface Proc {
  readonly pid: number;
  readonly vmas: readonly Vma[];
  /** Page table: one entry per virtual page. */
  readonly ptes: readonly (Pte | null)[];
  readonly files: readonly (OpenFile | null)[];
  /** Raw opens of each block device this process holds (its share of State.rawOpens). */
  readonly bdevs: readonly number[];
}

export interface Vma {
  /** First virtual page and length in pages. */
  readonly start: number;
  readonly pages: number;
  readonly ino: number | null;
  readonly pgoff: number;
  /** VM_SHARED / VM_MAYSHARE. */
  readonly shared: boolean;
  /** VM_READ / VM_WRITE (current protection) and VM_MAYWRITE (what mprotect could grant). */
  readonly read: boolean;
  readonly write: boolean;
  readonly mayWrite: boolean;
  /** vm_file was opened for write (FMODE_WRITE): it holds the mount's write access. */
  readonly fmodeWrite: boolean;
  /** vma->vm_ops by name (model/mm/vm_operations.ts), set by the file's f_op->mmap (xip_file_vm_ops, generic_file_vm_ops); null for anonymous memory. */
  readonly vmOps: string | null;
}

/**
 * A page-table entry. `pfn` entries are the special, non-refcounted ptes vm_insert_mixed
 * makes on PTE_SPECIAL architectures; `sparse` is the refcounted __xip_sparse_page inserted by
 * vm_insert_page; `anon` is an anonymous page (heap or COW copy) whose bytes live in the pte.
 */
export type Pte =
  | { readonly kind: 'pfn'; readonly pfn: number; readonly write: boolean }
  | { readonly kind: 'sparse'; readonly write: false }
  | { readonly kind: 'anon'; readonly data: readonly number[]; readonly write: boolean; readonly cow: boolean }
  | { readonly kind: 'pagecache'; readonly ino: number; readonly pgoff: number; readonly write: boolean };

export interface OpenFile {
  readonly ino: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly append: boolean;
  readonly pos: number;
}

/** A kernel thread of control: the operation it runs and the results of its steps so far. */
export interface Thread {
  readonly tid: number;
  readonly pid: number;
  readonly call: Call;
  /** Results of the atomic steps taken so far: the continuation, replayed on demand. */
  readonly results: readonly unknown[];
  /** The label of the step this thread takes next, or null when finished. */
  readonly at: string | null;
  readonly obs: Observation | null;
}

/** One top-level action with concrete arguments, as stored in a trace (see model/actions.ts). */
export interface Call {
  readonly op: string;
  readonly pid: number;
  readonly [arg: string]: unknown;
}

/** What the caller sees: a return value (negative = -errno), bytes, or a signal. */
export interface Observation {
  readonly ret: number;
  readonly data?: readonly number[];
  readonly signal?: 'SIGBUS' | 'SIGSEGV' | 'SIGKILL';
  /** For transfers cut short: the status that ended the loop (the kernel drops it). */
  readonly status?: number;
  /** The user virtual page whose fault failed for want of a block (SIGBUS / EFAULT from ENOSPC: a full bitmap or brd's exhausted memory, brd's ENOMEM before 3.16). */
  readonly allocFail?: number;
  /** fstat: st_size, st_blocks (in file-system blocks here), and whether the inode got the XIP a_ops (model-level: XIP has no stat flag; DAX's is STATX_ATTR_DAX). */
  readonly stat?: StatObs;
  /** statfs of the mount point: f_blocks, f_bfree, ST_RDONLY, and whether "xip" is among the mount's options (/proc/mounts, ext2_show_options). */
  readonly statfs?: StatfsObs;
  /**
   * Not the model's: set by the checker on a call that reports an allocation failure — whether
   * the medium was exhausted (per mount k, bit 2k: no free block; bit 2k+1: no brd backing
   * page; one mount: bits 1 and 2) in any state while the call ran (checker/group.ts).
   */
  readonly mediumFull?: number;
}

export interface StatObs { readonly size: number; readonly blocks: number; readonly xip: boolean }
export interface StatfsObs { readonly blocks: number; readonly bfree: number; readonly ro: boolean; readonly xip: boolean }

// ---- small immutable helpers used across the model ------------------------------------------

export function setAt<T>(arr: readonly T[], i: number, v: T): readonly T[] {
  const out = arr.slice();
  out[i] = v;
  return out;
}

/** `arr` grown with `fill` until index `upto` exists (block maps, page caches, fd tables). */
export function padTo<T>(arr: readonly T[], upto: number, fill: T): readonly T[] {
  if (arr.length > upto) return arr;
  const out = arr.slice();
  while (out.length <= upto) out.push(fill);
  return out;
}

export function updateDevice(s: State, i: number, f: (d: Device) => Device): State {
  const d = f(s.devices[i]);
  const devices = setAt(s.devices, i, d) as Device[];
  // one medium behind a disk and its partitions: what changed of it changes on every entry
  const m = mediumOf(s.devices, i);
  if (m !== i || s.devices.some((x) => x.medium === i)) {
    for (let k = 0; k < devices.length; k++) {
      if (k === i || mediumOf(devices, k) !== m) continue;
      const x = devices[k];
      if (x.data !== d.data || x.priv !== d.priv || x.present !== d.present || x.readOnly !== d.readOnly) {
        devices[k] = { ...x, data: d.data, priv: d.priv, present: d.present, readOnly: d.readOnly };
      }
    }
  }
  return withState(s, { devices });
}

/** The index of the disk entry whose medium device `i` is on (`i` for a disk). */
export function mediumOf(devices: readonly Device[], i: number): number {
  return devices[i].medium ?? i;
}

/**
 * `s` with the fields of `ch` in place of its own. Written out field by field, not as
 * `{ ...s, ...ch }`: V8 copies a spread one property at a time in its runtime (about 0.3 µs for
 * a State on Node 20, 13 fields), while a literal of one fixed shape costs a tenth of that and
 * gives every state one hidden class, so the property reads of every later step stay
 * monomorphic. No field of a State is ever undefined, so `??` takes `ch`'s wherever it has one.
 */
export function withState(s: State, ch: Partial<State>): State {
  return {
    cfg: ch.cfg ?? s.cfg, devices: ch.devices ?? s.devices, sbs: ch.sbs ?? s.sbs, onDisk: ch.onDisk ?? s.onDisk,
    rawOpens: ch.rawOpens ?? s.rawOpens, inodes: ch.inodes ?? s.inodes, dir: ch.dir ?? s.dir, procs: ch.procs ?? s.procs,
    threads: ch.threads ?? s.threads, sparse: ch.sparse ?? s.sparse, sparseSeq: ch.sparseSeq ?? s.sparseSeq,
    locks: ch.locks ?? s.locks, nextTid: ch.nextTid ?? s.nextTid,
  };
}

/**
 * The scheduler's bookkeeping in a State: the threads (their continuations), the sleeping locks
 * and the thread counter. Everything else is the kernel data the model's steps read and write.
 */
export const SCHEDULING_FIELDS = ['threads', 'locks', 'nextTid'] as const;

/** Whether `a` and `b` hold the very same kernel data (every field but SCHEDULING_FIELDS, by identity). */
export function sameKernelData(a: State, b: State): boolean {
  return a === b || (a.devices === b.devices && a.inodes === b.inodes && a.procs === b.procs && a.sbs === b.sbs && a.onDisk === b.onDisk
    && a.rawOpens === b.rawOpens && a.dir === b.dir && a.sparse === b.sparse && a.sparseSeq === b.sparseSeq && a.cfg === b.cfg);
}

export function updateInode(s: State, ino: number, f: (i: Inode) => Inode): State {
  return withState(s, { inodes: setAt(s.inodes, ino, f(s.inodes[ino]!)) });
}

export function updateProc(s: State, pid: number, f: (p: Proc) => Proc): State {
  return withState(s, { procs: setAt(s.procs, pid, f(s.procs[pid])) });
}

/** i_sb: the super block of the file system inode `ino` belongs to (null while that one is unmounted). */
export function sbOf(s: State, ino: number): SuperBlock | null {
  return s.sbs[s.inodes[ino]!.fs] ?? null;
}

/** The state with file system `fs`'s super block replaced. */
export function withSb(s: State, fs: number, sb: SuperBlock | null): State {
  return withState(s, { sbs: setAt(s.sbs, fs, sb) });
}

/** The mounted super blocks with their mount point index. */
export function mountedSbs(s: State): readonly { readonly fs: number; readonly sb: SuperBlock }[] {
  const out: { fs: number; sb: SuperBlock }[] = [];
  s.sbs.forEach((sb, fs) => { if (sb) out.push({ fs, sb }); });
  return out;
}

export function pagesFor(size: number, pageSize: number): number {
  return Math.ceil(size / pageSize);
}
