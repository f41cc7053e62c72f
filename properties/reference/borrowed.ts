import { driverRole } from '../../model/block/driver.ts';
import { PAGE_SECTORS, fsConfigs } from '../../model/config.ts';
import type { Observation, State } from '../../model/state.ts';
import { EIO, ENOMEM, ENOSPC } from '../../model/kernel/errno.ts';

/**
 * What the reference cannot know from the calls alone and takes from the concrete machine,
 * each read from the medium or the file system's on-disk structures (ground truth that the
 * block-ownership and driver-contract invariants hold to account), never from a status a
 * kernel path reports about itself. Reports print this list, so no verdict hides a borrowing.
 */
export const BORROWED: readonly { readonly what: string; readonly why: string }[] = [
  {
    what: 'whether the medium of the file system a call\'s file is on was exhausted while a call that reports an allocation failure ran (ENOSPC: no clear bit in that mount\'s ext2 block bitmap; ENOMEM: the brd under it has allocated every backing page it may), watched by the checker at every atomic step',
    why: 'which blocks a file owns is ext2 allocation policy, not POSIX; an allocation failure is accepted only when this holds, on every path (write, writev, sendfile, store, fault, fsync)',
  },
  {
    what: 'which file page a brd page holds, for BLKDISCARD (the block maps of the state before the call)',
    why: 'discard zeroes a device page in place; the reference must know whose bytes those were',
  },
  {
    what: 'the page frame numbers of device memory (the machine description: device d page p is pfn (d+1)*256+p)',
    why: 'direct_access returns a pfn; the reference derives which page it must be (sector, partition start) but not how the machine numbers frames',
  },
];

/** No free block in mount k's bitmap, or no brd backing page left to allocate under it. */
export function allocationExhausted(s: State, errno: 'ENOSPC' | 'ENOMEM', k = 0): boolean {
  const sb = s.sbs[k];
  if (!sb) return false;
  if (errno === 'ENOSPC') return sb.used.every(Boolean);
  const d = s.devices[sb.dev];
  const cfg = s.cfg.devices[sb.dev];
  if (driverRole(d.driver) !== 'brd') return false;
  const max = cfg.maxBackingPages ?? cfg.pages;
  return d.data.filter((p) => p !== null).length >= max;
}

/** Per mount k, bit 2k: no free block (ENOSPC); bit 2k+1: brd has no backing page left (ENOMEM). One mount: bits 1 and 2. */
export function exhaustionBits(s: State): number {
  let bits = 0;
  for (let k = 0; k < s.sbs.length; k++) bits |= ((allocationExhausted(s, 'ENOSPC', k) ? 1 : 0) | (allocationExhausted(s, 'ENOMEM', k) ? 2 : 0)) << (2 * k);
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
export function exhaustedDuring(o: Observation, post: State, errno: 'ENOSPC' | 'ENOMEM', mounts: readonly number[]): boolean {
  return mounts.some((k) => {
    if (o.mediumFull !== undefined) return (o.mediumFull & ((errno === 'ENOSPC' ? 1 : 2) << (2 * k))) !== 0;
    return allocationExhausted(post, errno, k);
  });
}

/** The file (inode number) and file page whose block is device page `page` of `dev`, if any. */
export function ownerOfDevicePage(s: State, dev: number, page: number): { ino: number; pgoff: number } | null {
  // the file system on that device (one per device), mounted or as the config made it
  const k = fsConfigs(s.cfg).findIndex((f, x) => (s.sbs[x]?.dev ?? s.cfg.devices.findIndex((d) => d.name === f.device)) === dev);
  if (k < 0) return null;
  const block = page - Math.floor(s.devices[dev].startSect / PAGE_SECTORS);
  if (block <= 0) return null;
  for (const i of s.inodes) {
    if (!i || i.fs !== k) continue;
    const pg = i.blocks.indexOf(block);
    if (pg >= 0) return { ino: i.ino, pgoff: pg };
  }
  return null;
}
