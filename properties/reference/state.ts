import { driverRole } from '../../model/block/driver.ts';
import type { DriverRole } from '../../model/block/block_device_operations.ts';
import { fsConfigs, mediumIndex, PAGE_SECTORS, pathIn, type Config } from '../../model/config.ts';
import { pagesFor } from '../../model/state.ts';
import type { TruncateWindow } from './truncate-window.ts';

/**
 * The reference's own state: what a POSIX (as Linux implements it) machine with one ext2 or
 * several (each on its own device, mounted at the root or at a directory of it) and a few
 * block devices holds, with no pages, blocks, ptes, locks or drivers' private data. It is
 * derived from the configuration alone (refInit) and then only from the calls and what the
 * reference itself says they do — never from the concrete model's state, except for the few
 * facts listed in BORROWED (borrowed.ts), each of which the report names.
 *
 * Plain data only (arrays and records with numeric keys): file names are data in `names`,
 * never object keys, and the whole value is JSON-hashable (the checker deduplicates candidate
 * reference states by their JSON).
 */
/**
 * Which design's documented freedoms the reference grants where POSIX leaves a choice (a
 * transfer whose user buffer faults): XIP 3.19 drops the chunk that faulted and grows the file
 * to a failed write's offset; DAX 6.1 counts every byte copied and grows the file only by bytes
 * written. Part of the specification the check is run against, never read from the model.
 */
export type RefDesign = 'xip-3.19' | 'dax-6.1';

export interface RefState {
  readonly design: RefDesign;
  /** Live files by the reference's own id (the lowest id not in use, as ext2 picks inode numbers). */
  readonly files: Readonly<Record<number, RefFile>>;
  /** The directory tree as actions name it: [name, file id], sorted by name (`<mount point>/<name>` below a mount point). */
  readonly names: readonly (readonly [string, number])[];
  /** Per process: open file descriptions by descriptor number (null = free). */
  readonly fds: readonly (readonly (RefFd | null)[])[];
  /** Per process: the mappings, sorted by start page. */
  readonly vmas: readonly (readonly RefVma[])[];
  /** Private bytes of each process: anonymous pages and COW'd private file pages, by virtual page. */
  readonly priv: readonly Readonly<Record<number, readonly (number | null)[]>>[];
  /** Per mount point (cfg.fs order, 0 = the root): its ext2 mount, or null. */
  readonly mounts: readonly (RefMount | null)[];
  /** Block devices, by index, as an administrator sees them. */
  readonly devs: readonly RefDev[];
  /** An ftruncate between i_size_write and its unmap (concurrent groups only: truncate-window.ts). */
  readonly window?: TruncateWindow;
}

export interface RefFile {
  readonly size: number;
  /** Bytes up to the end of the last page; null where the reference leaves a byte unspecified. */
  readonly data: readonly (number | null)[];
  /** Whether the file was instantiated by an xip mount (XIP file operations: aio is -EINVAL, reads count whole chunks). */
  readonly xip: boolean;
  /** The file system (mount point) it lives on: no call moves a file between file systems (no rename or link: no EXDEV). */
  readonly fs: number;
}

export interface RefFd {
  readonly file: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly append: boolean;
  readonly pos: number;
}

export interface RefVma {
  readonly start: number;
  readonly pages: number;
  /** null: anonymous (the heap). */
  readonly file: number | null;
  readonly pgoff: number;
  readonly shared: boolean;
  readonly read: boolean;
  readonly write: boolean;
  /** VM_MAYWRITE: what mprotect may grant (a shared mapping only when the file was opened for write). */
  readonly mayWrite: boolean;
  /** The mapping's file was opened for write: it holds the mount's write access (remount ro is -EBUSY). */
  readonly fmodeWrite: boolean;
}

export interface RefMount {
  readonly dev: number;
  readonly ro: boolean;
  /** The xip option in force (dropped when the device has no direct_access). */
  readonly xip: boolean;
}

export interface RefDev {
  /** The specification the device's driver implements (its declared role), not its code. */
  readonly driver: DriverRole;
  /** The disk's capacity in pages (a partition's too: it lives on its disk's medium). */
  readonly pages: number;
  readonly startSect: number;
  /** The disk entry this block device is on: itself for a disk, its disk for a partition. */
  readonly disk: number;
  /** The pages a file system made on this block device has: the partition's, or the disk's past startSect. */
  readonly fsPages: number;
  readonly present: boolean;
  readonly readOnly: boolean;
  /** Holds an ext2 file system (a configured one; lost by brd BLKFLSBUF or dcssblk remove). */
  readonly formatted: boolean;
  /** Holders: raw opens plus the mounts on it. */
  readonly openers: number;
  /** Raw opens by user processes (blkdev_open), per process: a process closes only its own. */
  readonly raw: readonly number[];
  readonly dcss: { readonly segmentType: string; readonly shared: boolean; readonly savePending: boolean; readonly saves: number } | null;
}

const RO_SEGMENTS = new Set(['SR', 'ER', 'SC']);

/** dcssblk: a segment loaded shared of a read-only type is a read-only disk. */
export function dcssReadOnly(segmentType: string, shared: boolean): boolean {
  return shared && RO_SEGMENTS.has(segmentType);
}

/** Whether mount -o xip keeps the option on this device (a driver with direct_access). */
export function hasDirectAccess(d: RefDev): boolean {
  return d.driver !== 'disk';
}

/** The role a configured driver declared (its specification); the config was checked at init. */
function roleOf(name: string): DriverRole {
  return driverRole(name) ?? 'disk';
}

/** The machine as configured: files as mke2fs wrote them (holes read as zeros), each file system mounted as configured. */
export function refInit(s: { readonly cfg: Config }, design: RefDesign = 'xip-3.19'): RefState {
  const cfg = s.cfg;
  const PS = cfg.pageSize;
  const list = fsConfigs(cfg);
  const fsDevs = list.map((f) => cfg.devices.findIndex((d) => d.name === f.device));
  const mounts: (RefMount | null)[] = list.map((f, k) => (f.mounted
    ? { dev: fsDevs[k], ro: f.mount.ro, xip: f.mount.xip && roleOf(cfg.devices[fsDevs[k]].driver) !== 'disk' }
    : null));
  const files: Record<number, RefFile> = {};
  const names: [string, number][] = [];
  let id = 0;
  list.forEach((fsc, k) => fsc.files.forEach((f) => {
    const data: number[] = [];
    for (let i = 0; i < pagesFor(f.data.length, PS) * PS; i++) data.push(f.holes.includes(Math.floor(i / PS)) || i >= f.data.length ? 0 : f.data[i]);
    files[++id] = { size: f.data.length, data, xip: !!mounts[k]?.xip, fs: k };
    names.push([pathIn(cfg, k, f.name), id]);
  }));
  names.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // the mounts hold their block devices, and a partition in use holds its disk
  const mountedOn = (i: number): number => mounts.filter((m) => m?.dev === i).length;
  const devs: RefDev[] = cfg.devices.map((p, i) => {
    // a partition is its disk's medium seen from startSect on
    const disk = mediumIndex(cfg, i);
    const d = cfg.devices[disk];
    const driver = roleOf(d.driver);
    const fsPages = p.partitionOf === undefined ? d.pages - p.startSect / PAGE_SECTORS : p.pages;
    return {
      driver, pages: d.pages, startSect: p.startSect, disk, fsPages, present: true,
      readOnly: d.readOnly || (driver === 'dcssblk' && dcssReadOnly(d.segmentType, d.shared)),
      formatted: fsDevs.includes(i), raw: Array.from({ length: cfg.processes }, () => 0),
      openers: mountedOn(i) + cfg.devices.filter((_, j) => j !== i && mediumIndex(cfg, j) === i && mountedOn(j) > 0).length,
      dcss: driver === 'dcssblk' ? { segmentType: d.segmentType, shared: d.shared, savePending: false, saves: 0 } : null,
    };
  });
  const heap: RefVma = { start: 0, pages: cfg.heapPages, file: null, pgoff: 0, shared: false, read: true, write: true, mayWrite: true, fmodeWrite: false };
  return {
    design, files, names, mounts, devs,
    fds: Array.from({ length: cfg.processes }, () => []),
    vmas: Array.from({ length: cfg.processes }, () => [heap]),
    priv: Array.from({ length: cfg.processes }, () => ({})),
  };
}
