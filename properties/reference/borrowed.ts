import { driverRole } from '../../model/block/driver.ts';
import { fsConfigs, mediumConfig, PAGE_SECTORS } from '../../model/config.ts';
import { partitionPages } from '../../model/block/block_device.ts';
import { mediumOf, type Observation, type State } from '../../model/state.ts';
import { EIO, ENOMEM, ENOSPC, errnoName } from '../../model/kernel/errno.ts';
import { allocFailureOf } from '../invariants/medium.ts';
import { blocksOf, layoutOf, usedOf } from '../invariants/layout.ts';
import { fsTypeOf } from '../../model/fs/super_operations.ts';

/** ENOSPC for -28: the name alone, as the messages of the reference write errnos. */
export const errnoWord = (e: number): string => errnoName(e).replace(/^-/, '');

/**
 * What the reference cannot know from the calls alone and takes from the concrete machine,
 * each read from the medium or the file system's on-disk structures (ground truth that the
 * block-ownership and driver-contract invariants hold to account), never from a status a
 * kernel path reports about itself. Reports print this list, so no verdict hides a borrowing.
 */
export const BORROWED: readonly { readonly what: string; readonly why: string }[] = [
  {
    what: 'whether the medium of the file system a call\'s file is on was exhausted while a call that reports an allocation failure ran (no clear bit in that mount\'s ext2 block bitmap: ENOSPC; the brd under it has allocated every backing page it may: ENOSPC from 3.16, ENOMEM before), watched by the checker at every atomic step',
    why: 'which blocks a file owns is ext2 allocation policy, not POSIX; an allocation failure is accepted only when this holds, on every path (write, writev, sendfile, store, fault, fsync)',
  },
  {
    what: 'which kernel\'s brd the mounted disk runs (the table add_disk installed: one of a kernel before 3.16, or 3.19\'s)',
    why: 'brd reports its exhausted memory as -ENOMEM in 2.6.25–3.15 and as -ENOSPC from 3.16 (96f8d8e0965b); the reference accepts the errno of that kernel only',
  },
  {
    what: 'which file page a brd page holds, for BLKDISCARD (the block maps of the state before the call; in a concurrent group that ends with another owner of that page than it began with, the bytes of both owners are unspecified)',
    why: 'discard zeroes a device page in place; the reference must know whose bytes those were',
  },
  {
    what: 'the page frame numbers of device memory (the machine description: device d page p is pfn (d+1)*256+p)',
    why: 'direct_access returns a pfn; the reference derives which page it must be (sector, partition start) but not how the machine numbers frames',
  },
];

/** What can run out: the blocks of a mounted file system's bitmap, or the brd backing pages under it. */
export type Exhaustion = 'blocks' | 'backing';

/**
 * No free block in mount k's bitmap, or no brd backing page left to allocate under it. The
 * bitmap is read through the file system's layout view (what e2fsck reads); a file system that
 * gives none is asked what statfs(2) would say (f_bfree == 0: its ->statfs).
 */
export function allocationExhausted(s: State, what: Exhaustion, k = 0): boolean {
  const sb = s.sbs[k];
  if (!sb) return false;
  if (what === 'blocks') {
    if (!layoutOf(s, k)) return fsTypeOf(s, k).s_op.statfs(s, k).bfree === 0;
    return usedOf(s, k)?.every(Boolean) ?? false;
  }
  const d = s.devices[sb.dev];
  const cfg = mediumConfig(s.cfg, sb.dev);
  if (driverRole(d.driver) !== 'brd') return false;
  const max = cfg.maxBackingPages ?? cfg.pages;
  return d.data.filter((p) => p !== null).length >= max;
}

/** Per mount k, bit 2k: no free block; bit 2k+1: brd has no backing page left under it. One mount: bits 1 and 2. */
export function exhaustionBits(s: State): number {
  let bits = 0;
  for (let k = 0; k < s.sbs.length; k++) bits |= ((allocationExhausted(s, 'blocks', k) ? 1 : 0) | (allocationExhausted(s, 'backing', k) ? 2 : 0)) << (2 * k);
  return bits;
}

/** Whether an observation says a call failed, somewhere, for want of a block or a backing page. */
export function reportsAllocationFailure(o: Observation): boolean {
  const e = o.status ?? o.ret;
  return o.allocFail !== undefined || e === -ENOSPC || e === -ENOMEM || e === -EIO;
}

/**
 * Was the medium exhausted while the call ran? The checker watched every state of the call
 * (Observation.mediumFull); without that record (a caller judging one call by hand), the
 * state after it.
 */
export function exhaustedDuring(o: Observation, post: State, what: Exhaustion, mounts: readonly number[]): boolean {
  return mounts.some((k) => {
    if (o.mediumFull !== undefined) return (o.mediumFull & ((what === 'blocks' ? 1 : 2) << (2 * k))) !== 0;
    return allocationExhausted(post, what, k);
  });
}

/**
 * The errno brd of the mounted disk's kernel reports when brd_insert_page finds no page
 * (brd_direct_access, copy_to_brd_setup): -ENOSPC from 3.16, -ENOMEM in 2.6.25–3.15
 * (medium.ts allocFailureOf). Null when the file system's disk is not brd's.
 */
export function brdAllocFailure(s: State, k = 0): number | null {
  const dev = s.sbs[k]?.dev ?? s.cfg.devices.findIndex((d) => d.name === fsConfigs(s.cfg)[k].device);
  const d = s.devices[dev];
  return d && driverRole(d.driver) === 'brd' ? allocFailureOf(d) : null;
}

/**
 * Why an allocation failure `errno` (-ENOSPC or -ENOMEM) that a call reports is not explained
 * by the medium, or null when it is: ENOSPC by a full bitmap (ext2_new_blocks) or, from 3.16,
 * by brd's exhausted backing memory; ENOMEM only by brd's exhausted memory, and only on a
 * kernel before 3.16. Each errno is matched to its own cause: a full bitmap never explains
 * ENOMEM, and brd's exhaustion explains only the errno of its kernel.
 */
export function unexplainedAllocFailure(o: Observation, post: State, errno: number, mounts: readonly number[]): string | null {
  const blocks = exhaustedDuring(o, post, 'blocks', mounts);
  // brd's exhaustion explains the errno of the kernel of the brd it happened under
  const backingUnder = mounts.filter((k) => exhaustedDuring(o, post, 'backing', [k]));
  const backing = backingUnder.length > 0;
  const brds = (backing ? backingUnder : mounts).map((k) => brdAllocFailure(post, k)).filter((e): e is number => e !== null);
  const brd = brds.includes(errno) ? errno : brds[0] ?? null;
  if (errno === -ENOSPC && blocks) return null;
  if (backing && brd === errno) return null;
  const bitmap = errno === -ENOSPC ? 'free blocks in the bitmap' : null;
  if (backing && brd !== null) return `brd's exhausted memory is ${errnoWord(brd)} on this kernel (${brd === -ENOSPC ? '3.16 on, 96f8d8e0965b' : '2.6.25–3.15'}), not ${errnoWord(errno)}${bitmap ? `, and there are ${bitmap}` : ''}`;
  const causes = [bitmap, brd !== null ? 'brd backing pages left' : errno === -ENOSPC ? null : 'no brd disk under the file system, the one driver that reports ENOMEM'].filter(Boolean);
  return `the medium is not exhausted (${causes.join(', ')})`;
}

/** The file (inode number) and file page whose block is disk page `page` of `dev`'s disk, if any. */
export function ownerOfDevicePage(s: State, dev: number, page: number): { ino: number; pgoff: number } | null {
  // every file system on that disk (one per block device: the disk itself or a partition of it),
  // mounted or as the config made it
  for (let k = 0; k < fsConfigs(s.cfg).length; k++) {
    const fsDev = s.sbs[k]?.dev ?? s.cfg.devices.findIndex((d) => d.name === fsConfigs(s.cfg)[k].device);
    if (fsDev < 0 || mediumOf(s.devices, dev) !== mediumOf(s.devices, fsDev)) continue;
    const block = page - Math.floor(s.devices[fsDev].startSect / PAGE_SECTORS);
    if (block <= 0 || block >= partitionPages(s.devices[fsDev])) continue;
    // the block maps through the file system's layout view (a file system without one: no owner known)
    if (!layoutOf(s, k)) continue;
    for (const i of s.inodes) {
      if (!i || i.fs !== k) continue;
      const pg = blocksOf(s, i.ino).indexOf(block);
      if (pg >= 0) return { ino: i.ino, pgoff: pg };
    }
  }
  return null;
}
