import { driverRole } from '../../model/block/driver.ts';
import { mediumConfig, PAGE_SECTORS } from '../../model/config.ts';
import { partitionPages } from '../../model/block/block_device.ts';
import { mediumOf, type Observation, type State } from '../../model/state.ts';
import { EIO, ENOMEM, ENOSPC } from '../../model/kernel/errno.ts';

/**
 * What the reference cannot know from the calls alone and takes from the concrete machine,
 * each read from the medium or the file system's on-disk structures (ground truth that the
 * block-ownership and driver-contract invariants hold to account), never from a status a
 * kernel path reports about itself. Reports print this list, so no verdict hides a borrowing.
 */
export const BORROWED: readonly { readonly what: string; readonly why: string }[] = [
  {
    what: 'whether the medium was exhausted while a call that reports an allocation failure ran (ENOSPC: no clear bit in the mounted ext2 block bitmap; ENOMEM: brd has allocated every backing page it may), watched by the checker at every atomic step',
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

/** No free block in the mounted file system's bitmap, or no brd backing page left to allocate. */
export function allocationExhausted(s: State, errno: 'ENOSPC' | 'ENOMEM'): boolean {
  if (!s.sb) return false;
  if (errno === 'ENOSPC') return s.sb.used.every(Boolean);
  const d = s.devices[s.sb.dev];
  const cfg = mediumConfig(s.cfg, s.sb.dev);
  if (driverRole(d.driver) !== 'brd') return false;
  const max = cfg.maxBackingPages ?? cfg.pages;
  return d.data.filter((p) => p !== null).length >= max;
}

/** Bit 1: no free block (ENOSPC); bit 2: brd has no backing page left (ENOMEM). */
export function exhaustionBits(s: State): number {
  return (allocationExhausted(s, 'ENOSPC') ? 1 : 0) | (allocationExhausted(s, 'ENOMEM') ? 2 : 0);
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
export function exhaustedDuring(o: Observation, post: State, errno: 'ENOSPC' | 'ENOMEM'): boolean {
  if (o.mediumFull !== undefined) return (o.mediumFull & (errno === 'ENOSPC' ? 1 : 2)) !== 0;
  return allocationExhausted(post, errno);
}

/** The file (inode number) and file page whose block is disk page `page` of `dev`'s disk, if any. */
export function ownerOfDevicePage(s: State, dev: number, page: number): { ino: number; pgoff: number } | null {
  const fsDev = s.sb?.dev ?? s.cfg.devices.findIndex((d) => d.name === s.cfg.fs.device);
  // the file system's partition may be another block device of the same disk
  if (mediumOf(s.devices, dev) !== mediumOf(s.devices, fsDev)) return null;
  const block = page - Math.floor(s.devices[fsDev].startSect / PAGE_SECTORS);
  if (block <= 0 || block >= partitionPages(s.devices[fsDev])) return null;
  for (const i of s.inodes) {
    if (!i) continue;
    const pg = i.blocks.indexOf(block);
    if (pg >= 0) return { ino: i.ino, pgoff: pg };
  }
  return null;
}
