import fc from 'fast-check';
import type { Action } from '../model/actions.ts';
import type { State } from '../model/state.ts';
import { fsConfig, fsConfigs, pathIn } from '../model/config.ts';

/**
 * Commands are generated *symbolically* — "the 2nd open descriptor", "inside the 1st file
 * mapping, at byte 3" — and resolved against the state when they run, so fast-check can shrink
 * a sequence freely and every resolved step is still meaningful. The resolved, concrete calls
 * are what a trace records.
 */
export type Sym =
  | { readonly k: 'open'; readonly file: number; readonly mode: number }
  | { readonly k: 'close' | 'fsync'; readonly fd: number }
  | { readonly k: 'unlink'; readonly file: number }
  | { readonly k: 'xfer'; readonly how: number; readonly fd: number; readonly buf: number; readonly len: number; readonly pos: number }
  | { readonly k: 'sendfile'; readonly out: number; readonly in: number; readonly count: number }
  | { readonly k: 'lseek'; readonly fd: number; readonly pos: number; readonly whence: number }
  /** What a scenario observes beside data: fstat, statfs, msync and mprotect of a file mapping. */
  | { readonly k: 'inspect'; readonly what: number; readonly fd: number; readonly vma: number; readonly part: number; readonly prot: number }
  | { readonly k: 'ftruncate'; readonly fd: number; readonly len: number }
  | { readonly k: 'mmap'; readonly fd: number; readonly pages: number; readonly pgoff: number; readonly shared: boolean; readonly write: boolean }
  | { readonly k: 'munmap'; readonly vma: number; readonly part: number }
  | { readonly k: 'load' | 'store'; readonly where: number; readonly off: number; readonly len: number; readonly val: number }
  | { readonly k: 'admin'; readonly what: number; readonly dev: number; readonly arg: number }
  | { readonly k: 'par'; readonly a: Cmd; readonly b: Cmd; readonly schedule: readonly number[] }
  /** A fixed-shape script (a race template): its commands run in order. */
  | { readonly k: 'seq'; readonly cmds: readonly Cmd[] };

export interface Cmd { readonly pid: number; readonly sym: Sym }

/**
 * What the generated runs never do, by construction — printed by every `check` report, so a
 * green run is not read as covering them. Each entry names where the exclusion is made.
 */
export const CHECK_EXCLUSIONS: readonly { readonly name: string; readonly what: string; readonly why: string }[] = [
  {
    name: 'no-concurrent-read-write',
    what: 'concurrent pairs are loads, stores, ftruncate and fsync only (parArb): read, pread, write, pwrite, readv, writev, sendfile and aio run only alone',
    why: 'do_xip_mapping_read takes no lock against truncate, a race no kernel fixed (docs/races.md)',
  },
  {
    name: 'no-concurrent-bookkeeping',
    what: 'open, close, lseek, mmap, munmap, unlink, mount/remount/umount and the block-device actions never run concurrently (parArb)',
    why: 'the reference could judge them (it keeps its own descriptors, mappings and mount; trace files and explore\'s administrator actions run them concurrently), but generating them finds a model defect first: fdget takes no file reference, so a concurrent close of an unlinked file evicts the inode under a running call (counterexamples/model-defects/Defect+Fdget+Close+Ftruncate.trace.json)',
  },
  {
    name: 'munmap-file-mappings-only',
    what: 'munmap targets file mappings only, never the anonymous heap (resolve)',
    why: 'the heap holds the user buffers every transfer reads or writes',
  },
];

const small = (n: number) => fc.nat({ max: n });
/** A descriptor selector: 0–2 name one of the open descriptors, 3 (rare) a closed one. */
const fdSel = fc.oneof({ weight: 12, arbitrary: small(2) }, { weight: 1, arbitrary: fc.constant(3) });

const OPEN_MODES = [
  { read: true, write: true, creat: true }, { read: true }, { read: true, write: true, creat: true }, { read: true, write: true },
  { write: true, append: true, creat: true }, { read: true, write: true, trunc: true }, { write: true }, { read: true, write: true, creat: true, excl: true },
] as const;

/** One symbolic command. `files`/`maxLen` come from the suite's bounds. */
export function symArb(files: number, maxLen: number): fc.Arbitrary<Sym> {
  // loads and stores mostly land inside file mappings, mostly within one page
  const pageLike = fc.record({ where: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 3, max: 6 }) }, small(7)), off: small(maxLen + 4), len: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) }, fc.integer({ min: 1, max: maxLen })), val: fc.integer({ min: 1, max: 9 }) });
  const plain: fc.Arbitrary<Sym> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('open' as const), file: small(files - 1), mode: small(OPEN_MODES.length - 1) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('close' as const, 'fsync' as const), fd: fdSel }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('unlink' as const), file: small(files - 1) }) },
    { weight: 6, arbitrary: fc.record({ k: fc.constant('xfer' as const), how: small(7), fd: fdSel, buf: small(15), len: fc.integer({ min: 0, max: maxLen * 2 }), pos: small(maxLen * 2) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('sendfile' as const), out: fdSel, in: fdSel, count: small(maxLen) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('lseek' as const), fd: fdSel, pos: small(maxLen * 2), whence: small(4) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('inspect' as const), what: small(3), fd: fdSel, vma: small(3), part: small(3), prot: small(2) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('ftruncate' as const), fd: fdSel, len: fc.oneof({ weight: 12, arbitrary: small(maxLen * 2) }, small(maxLen * 3)) }) },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('mmap' as const), fd: fdSel, pages: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 3 }) }, fc.constant(0)), pgoff: small(3), shared: fc.boolean(), write: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('munmap' as const), vma: small(3), part: small(2) }) },
    { weight: 8, arbitrary: fc.record({ k: fc.constantFrom('load' as const, 'store' as const) }).chain((h) => pageLike.map((p) => ({ ...h, ...p }))) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('admin' as const), what: small(14), dev: small(3), arg: small(40) }) },
  );
  return fc.oneof({ weight: 24, arbitrary: plain }, { weight: 2, arbitrary: parArb(pageLike, maxLen) }, { weight: 1, arbitrary: raceArb() });
}

const c = (pid: number, sym: Sym): Cmd => ({ pid, sym });

/**
 * A schedule: which ready thread moves at each step. Unbiased (fast-check's default bias
 * towards small values would mostly run one thread to completion first); it still shrinks
 * towards zeros, i.e. towards the least interleaved schedule.
 */
function scheduleArb(): fc.Arbitrary<number[]> {
  return fc.noBias(fc.array(fc.nat({ max: 3 }), { minLength: 4, maxLength: 60, size: 'max' }));
}
const at = (where: number, page: number, off = 0, PS = 4) => ({ where, off: page * PS + off, len: 1, val: 5 });

/**
 * Race templates: the set-ups under which the historical XIP races happen (docs/races.md),
 * ending in a concurrent pair whose schedule is random. Without them random sequences reach
 * these interleavings too rarely to count on (`npm run reach` measures it): a fault and a
 * truncate of the page it maps; a sparse-page fault through a private mapping and an
 * allocating store through a shared one. The two faults on a hole land at independent offsets
 * of the page: the same page, rarely the same byte; two allocating accesses to one hole
 * (race 2's pair) start from a file truncated to 0, so that no private sparse pte is left over
 * the page (with one, the pair is the unfixed sparse-page window of docs/findings.md section 8).
 * Process 0 maps the file shared and writable, process 1 privately; both hold descriptor 0.
 */
function raceArb(): fc.Arbitrary<Sym> {
  const page = small(2);
  const off = small(3);
  const schedule = scheduleArb();
  const setup = (file: number): Cmd[] => [
    c(0, { k: 'open', file, mode: 0 }), c(1, { k: 'open', file, mode: 0 }),
    c(0, { k: 'ftruncate', fd: 0, len: 12 }),
    c(0, { k: 'mmap', fd: 0, pages: 3, pgoff: 0, shared: true, write: true }),
    c(1, { k: 'mmap', fd: 0, pages: 3, pgoff: 0, shared: false, write: false }),
  ];
  // a first private fault on another hole allocates the sparse page, so __xip_unmap has work to do
  const sparseVsAlloc = fc.record({ file: fc.integer({ min: 1, max: 2 }), page, o1: off, o2: off, schedule }).map(({ file, page, o1, o2, schedule }): Sym => ({
    k: 'seq', cmds: [...setup(file), c(1, { k: 'load', ...at(3, page === 2 ? 0 : 2) }),
      c(0, { k: 'par', a: c(1, { k: 'load', ...at(3, page, o1) }), b: c(0, { k: 'store', ...at(3, page, o2) }), schedule })],
  }));
  const faultVsTruncate = fc.record({ file: fc.integer({ min: 1, max: 2 }), page, len: small(8), schedule, loader: small(1) }).map(({ file, page, len, schedule, loader }): Sym => ({
    k: 'seq', cmds: [...setup(file), c(0, { k: 'store', ...at(3, 0) }), c(0, { k: 'store', ...at(3, page) }),
      c(0, { k: 'par', a: c(loader, { k: 'load', ...at(3, page) }), b: c(0, { k: 'ftruncate', fd: 0, len }), schedule })],
  }));
  // Race 2's pair: two allocating accesses to one hole. A truncate to 0 first zaps every pte of
  // the file (unmap_mapping_range, even_cows), so no private sparse pte an earlier template left
  // over the page survives: with one, the pair is the unfixed sparse-page window instead.
  const allocVsAlloc = fc.record({ file: fc.integer({ min: 1, max: 2 }), page, o1: off, o2: off, write: fc.boolean(), schedule }).map(({ file, page, o1, o2, write, schedule }): Sym => ({
    k: 'seq', cmds: [c(0, { k: 'open', file, mode: 0 }), c(0, { k: 'ftruncate', fd: 0, len: 0 }), ...setup(file).slice(1),
      c(0, { k: 'par', a: c(0, { k: 'store', ...at(3, page, o1) }), b: write ? c(0, { k: 'xfer', how: 3, fd: 0, buf: 0, len: 1, pos: page * 4 + o2 }) : c(0, { k: 'store', ...at(3, page, o2) }), schedule })],
  }));
  return fc.oneof({ weight: 2, arbitrary: sparseVsAlloc }, { weight: 2, arbitrary: faultVsTruncate }, { weight: 1, arbitrary: allocVsAlloc }, { weight: 2, arbitrary: adminArb() }, { weight: 1, arbitrary: writebackArb() });
}

/**
 * Writeback that runs out of blocks: P1 dirties every page of two sparse files through shared
 * mappings — on a page-cache mount ext2 allocates their blocks only when block_write_full_page
 * calls ext2_get_block(create=1) (ext2 has no page_mkwrite reservation in 3.x) — then fsyncs
 * the first and, concurrently, fsyncs and truncates the second. Reaches writeback's -ENOSPC
 * (ext2_aops:writepage-enospc) and a dirty page truncated away under writeback; random
 * sequences dirty too few holes to fill a device.
 */
function writebackArb(): fc.Arbitrary<Sym> {
  // now and then on a page-cache remount of an XIP system's brd disk, whose backing memory runs
  // out before its blocks do: the bios of writeback then fail (brd_insert_page's -ENOSPC, -ENOMEM before 3.16)
  return fc.record({ len: small(8), schedule: scheduleArb(), remount: fc.boolean() }).map(({ len, schedule, remount }): Sym => ({
    k: 'seq', cmds: [
      ...(remount ? [c(0, { k: 'admin', what: 0, dev: 0, arg: 0 }), c(0, { k: 'admin', what: 1, dev: 0, arg: 1 })] : []),
      ...[0, 1].flatMap((fd) => [
        c(1, { k: 'open', file: fd + 1, mode: 0 }), c(1, { k: 'ftruncate', fd, len: 20 }),
        c(1, { k: 'mmap', fd, pages: 5, pgoff: 0, shared: true, write: true }),
      ]),
      ...[3, 4].flatMap((where) => [0, 1, 2, 3, 4].map((page) => c(1, { k: 'store', ...at(where, page) }))),
      // twice: a bio that failed for want of a brd backing page leaves the block linked and the
      // page dirty, so the second writeback writes an existing block (writepage-eio)
      c(1, { k: 'fsync', fd: 0 }), c(1, { k: 'fsync', fd: 0 }),
      c(0, { k: 'par', a: c(1, { k: 'fsync', fd: 1 }), b: c(1, { k: 'ftruncate', fd: 1, len }), schedule }),
    ],
  }));
}

/** Administrative scripts: remount cycles that random sequences rarely line up. */
function adminArb(): fc.Arbitrary<Sym> {
  const admin = (what: number, arg: number, dev = 0): Cmd => c(0, { k: 'admin', what, dev, arg });
  return fc.constantFrom<Sym>(
    // umount, remove the segment, mount it: -ENODEV
    { k: 'seq', cmds: [admin(0, 0), admin(5, 0), admin(1, 1)] },
    // umount, mount again asking for xip (dropped on a disk, refused for a bad block size)
    { k: 'seq', cmds: [admin(0, 0), admin(1, 2)] },
    // umount, mount without xip, then remount asking for it
    { k: 'seq', cmds: [admin(0, 0), admin(1, 1), admin(2, 2)] },
    // a file unlinked while open: remount read-only is -EBUSY (s_remove_count), until closed
    { k: 'seq', cmds: [c(0, { k: 'open', file: 0, mode: 1 }), c(0, { k: 'unlink', file: 0 }), admin(2, 0), c(0, { k: 'close', fd: 0 }), admin(2, 0)] },
  );
}

/**
 * Two calls run as concurrent threads under a generated schedule: single-byte loads and stores
 * (through any mapping, in either process) and ftruncate — the operations whose interleavings
 * the reference design claims are linearizable. read() is left out: it takes no lock against
 * truncate or write, a race no kernel fixed (docs/races.md).
 */
function parArb(pageLike: fc.Arbitrary<{ where: number; off: number; len: number; val: number }>, maxLen: number): fc.Arbitrary<Sym> {
  const one: fc.Arbitrary<Sym> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ k: fc.constantFrom('load' as const, 'store' as const) }).chain((h) => pageLike.map((p) => ({ ...h, ...p, len: 1 }))) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('ftruncate' as const), fd: small(2), len: small(maxLen * 2) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('fsync' as const), fd: small(2) }) },
  );
  const cmd = fc.record({ pid: small(1), sym: one });
  return fc.record({ k: fc.constant('par' as const), a: cmd, b: cmd, schedule: scheduleArb() });
}

export function cmdArb(processes: number, files: number, maxLen: number): fc.Arbitrary<Cmd> {
  // most commands come from process 0, so that descriptors it opened are used; the others share files and pages with it
  const pid = processes > 1 ? fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: processes - 1 })) : fc.constant(0);
  return fc.record({ pid, sym: symArb(files, maxLen) }).map((c) => clampPids(c, processes));
}

function clampPids(c: Cmd, processes: number): Cmd {
  if (c.sym.k !== 'par') return c;
  const fix = (x: Cmd): Cmd => ({ ...x, pid: x.pid % processes });
  return { ...c, sym: { ...c.sym, a: fix(c.sym.a), b: fix(c.sym.b) } };
}

/** A command sequence: what one property run executes. */
export function commandsArb(processes: number, files: number, maxLen: number, maxCommands = 40): fc.Arbitrary<Cmd[]> {
  return fc.array(cmdArb(processes, files, maxLen), { minLength: 1, maxLength: maxCommands, size: 'max' });
}

// ---- resolution against a state ---------------------------------------------------------------

function openFds(s: State, pid: number): number[] {
  return s.procs[pid].files.flatMap((f, fd) => (f ? [fd] : []));
}

function pickFd(s: State, pid: number, sel: number): number {
  const fds = openFds(s, pid);
  // an occasional bad descriptor keeps the EBADF paths covered
  return fds.length && sel < 3 ? fds[sel % fds.length] : 7;
}

/** Commands on descriptors are mostly skipped when the process has none: EBADF needs few samples. */
function noFds(s: State, pid: number, sel: number): boolean {
  return openFds(s, pid).length === 0 && sel !== 3;
}

/** A user address: in the heap, or inside one of the process's file mappings (XIP ones too). */
function pickAddr(s: State, pid: number, where: number, off: number): number {
  const PS = s.cfg.pageSize;
  const fileVmas = s.procs[pid].vmas.filter((v) => v.ino !== null);
  if (where < 3 || !fileVmas.length) return off % (s.cfg.heapPages * PS);
  if (where === 7) return (s.cfg.vpages - 1) * PS + (off % PS); // usually unmapped: SIGSEGV / EFAULT
  const v = fileVmas[where % fileVmas.length];
  return v.start * PS + (off % (v.pages * PS));
}

/**
 * The name generated file `i` has: with one file system `f<i>`; with n, file i is `f<i div n>`
 * of file system i mod n (`<mount point>/f…` below the root), so every file system gets files.
 */
export function generatedName(cfg: State['cfg'], i: number): string {
  const n = fsConfigs(cfg).length;
  return pathIn(cfg, i % n, `f${Math.floor(i / n)}`);
}

/** `mnt` for an administrative call: absent with one file system (its traces stay as they were), else sel mod n. */
function mntOf(s: State, sel: number): { mnt?: number } {
  const n = fsConfigs(s.cfg).length;
  return n > 1 ? { mnt: sel % n } : {};
}

export function resolve(s: State, pid: number, sym: Sym): Action | null {
  const PS = s.cfg.pageSize;
  const devs = s.devices.length;
  if (pid >= s.procs.length) return null; // a template's second process, in a one-process system
  if ('fd' in sym && noFds(s, pid, sym.fd)) return null;
  switch (sym.k) {
    case 'open': return { op: 'open', pid, name: generatedName(s.cfg, sym.file), flags: { ...OPEN_MODES[sym.mode] } };
    case 'close': return { op: 'close', pid, fd: pickFd(s, pid, sym.fd) };
    case 'fsync': return { op: 'fsync', pid, fd: pickFd(s, pid, sym.fd) };
    case 'unlink': return { op: 'unlink', pid, name: generatedName(s.cfg, sym.file) };
    case 'xfer': {
      const fd = pickFd(s, pid, sym.fd);
      const buf = pickAddr(s, pid, sym.buf % 8, sym.buf);
      const len = sym.len;
      switch (sym.how) {
        case 0: return { op: 'read', pid, fd, buf, len };
        case 1: return { op: 'write', pid, fd, buf, len };
        case 2: return { op: 'pread', pid, fd, buf, len, pos: sym.pos };
        case 3: return { op: 'pwrite', pid, fd, buf, len, pos: sym.pos };
        case 4: return { op: 'readv', pid, fd, iov: [{ buf, len: Math.ceil(len / 2) }, { buf: (buf + PS) % (s.cfg.heapPages * PS), len: Math.floor(len / 2) }] };
        case 5: return { op: 'writev', pid, fd, iov: [{ buf, len: Math.ceil(len / 2) }, { buf: (buf + 1) % (s.cfg.heapPages * PS), len: Math.floor(len / 2) }] };
        case 6: return { op: 'aio_read', pid, fd, buf, len, pos: sym.pos };
        default: return { op: 'aio_write', pid, fd, buf, len, pos: sym.pos };
      }
    }
    case 'sendfile': return { op: 'sendfile', pid, outFd: pickFd(s, pid, sym.out), inFd: pickFd(s, pid, sym.in), count: sym.count };
    case 'lseek': {
      // SEEK_SET, SEEK_CUR and SEEK_END (offsets around zero, negative ones too), SEEK_DATA, SEEK_HOLE
      const whence = (['set', 'cur', 'end', 'data', 'hole'] as const)[sym.whence % 5];
      return { op: 'lseek', pid, fd: pickFd(s, pid, sym.fd), pos: whence === 'cur' || whence === 'end' ? (sym.pos % 2 ? -Math.ceil(sym.pos / 2) : sym.pos / 2) : sym.pos, whence };
    }
    case 'inspect': {
      if (sym.what === 0) return { op: 'fstat', pid, fd: pickFd(s, pid, sym.fd) };
      if (sym.what === 1) return { op: 'statfs', pid, ...mntOf(s, sym.vma) };
      const vmas = s.procs[pid].vmas.filter((v) => v.ino !== null);
      // a file mapping, a page of it, a range running past it (-ENOMEM) or an empty one; now and
      // then an unaligned start (-EINVAL)
      const v = vmas.length ? vmas[sym.vma % vmas.length] : s.procs[pid].vmas[0];
      const pages = [v.pages, 1, v.pages + 1, 0][sym.part];
      const addr = v.start * PS + (sym.vma === 3 && sym.part === 1 ? 1 : 0);
      if (sym.what === 2) return { op: 'msync', pid, addr, pages, sync: sym.prot !== 2 };
      return { op: 'mprotect', pid, addr, pages, read: true, write: sym.prot >= 1 };
    }
    case 'ftruncate': return { op: 'ftruncate', pid, fd: pickFd(s, pid, sym.fd), len: sym.len };
    case 'mmap': return { op: 'mmap', pid, fd: pickFd(s, pid, sym.fd), pages: sym.pages, pgoff: sym.pgoff, shared: sym.shared, read: true, write: sym.write };
    case 'munmap': {
      const vmas = s.procs[pid].vmas.filter((v) => v.ino !== null);
      if (!vmas.length) return null;
      const v = vmas[sym.vma % vmas.length];
      // now and then an address inside a page: do_munmap's -EINVAL
      if (sym.vma === 3 && sym.part === 2) return { op: 'munmap', pid, addr: v.start * PS + 1, pages: 1 };
      // the whole vma, its first page, or a page in its middle (splitting it in two)
      if (sym.part === 1 || v.pages < 3) return { op: 'munmap', pid, addr: v.start * PS, pages: sym.part === 0 ? v.pages : 1 };
      return { op: 'munmap', pid, addr: (v.start + 1) * PS, pages: 1 };
    }
    case 'load': return { op: 'load', pid, addr: pickAddr(s, pid, sym.where, sym.off), len: sym.len };
    case 'store': return { op: 'store', pid, addr: pickAddr(s, pid, sym.where, sym.off), bytes: Array.from({ length: sym.len }, (_, i) => ((sym.val + i) % 9) + 1) };
    case 'admin': {
      const dev = sym.dev % devs;
      // the mount point an administrative call names (several file systems: chosen by `dev`)
      const mnt = mntOf(s, sym.dev);
      const fsDev = s.cfg.devices.findIndex((d) => d.name === fsConfig(s.cfg, mnt.mnt ?? 0).device);
      switch (sym.what) {
        case 0: return { op: 'umount', pid, ...mnt };
        case 1: return { op: 'mount', pid, dev: sym.arg % 4 === 0 ? dev : fsDev, xip: sym.arg % 2 === 0, ro: sym.arg % 3 === 0 };
        case 2: return { op: 'remount', pid, ...mnt, xip: sym.arg % 2 === 0, ro: sym.arg % 3 === 0 };
        case 3: return { op: 'blkdev_open', pid, dev, write: sym.arg % 2 === 0 };
        case 4: return { op: 'blkdev_close', pid, dev };
        case 5: return { op: 'dcssblk_remove', pid, dev };
        case 6: return { op: 'dcssblk_save', pid, dev, on: sym.arg % 3 !== 0 };
        case 7: return { op: 'dcssblk_shared', pid, dev, shared: sym.arg % 2 === 0 };
        case 8: return { op: 'brd_blkflsbuf', pid, dev };
        // any page, a file's blocks included (the reference zeroes what it held), and now and
        // then one or two past the end (-EINVAL)
        case 9: return { op: 'brd_discard', pid, dev, page: sym.arg % (s.devices[dev].pages + 2) };
        case 13: return { op: 'dcssblk_save_show', pid, dev };
        default: return { op: 'bdev_direct_access', pid, dev, sector: sym.arg % 3 === 0 ? sym.arg + 1 : sym.arg * 4 };
      }
    }
    case 'par': case 'seq': return null; // expanded by the runner
  }
}
