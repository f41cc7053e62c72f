// A RAM-disk driver for xipcheck's worked example (docs/auditing.md): brd's specification — memory
// given to a page on first touch, -ENOSPC once the machine's limit is reached (3.16 on) — written by an
// "auditor" against the public contract only. This version has the bug the example finds.
import { pfnOf, PAGE_SECTORS, errno } from 'xipcheck';

/** How many pages the machine lets the disk take: the config's limit, else one per page. */
const limit = (disk) => disk.config.maxBackingPages ?? disk.pages;
const used = (disk) => disk.backed.filter(Boolean).length;

export default {
  kind: 'driver',
  name: 'ramdisk',
  role: 'brd',
  cites: 'examples/audit/ramdisk.mjs (after drivers/block/brd.c brd_direct_access, 3.16–3.19)',
  add_disk: (config) => ({ priv: null, backed: false, readOnly: config.readOnly }),
  fops: {
    direct_access(ctx, disk, sector) {
      if (!disk.present) return { ret: { err: -errno.ENODEV } };
      if (sector % PAGE_SECTORS) return { ret: { err: -errno.EINVAL } };
      const page = sector / PAGE_SECTORS;
      if (page >= disk.pages) return { ret: { err: -errno.ERANGE } };
      const at = { kaddr: pfnOf(disk.index, page) * disk.pageSize, pfn: pfnOf(disk.index, page) };
      if (disk.backed[page]) return { ret: at };
      // BUG: the memory limit is never consulted — a page is handed out even when the machine has none left
      return { ret: at, back: [page] };
    },
    // brd_ioctl: BLKFLSBUF frees every page unless someone else holds the disk; BLKDISCARD zeroes one page
    ioctl(ctx, disk, cmd, arg) {
      if (cmd === 'BLKFLSBUF') return disk.openers + (arg.viaOwnFd ? 0 : 1) > 1 ? { ret: -errno.EBUSY } : { ret: 0, freeAll: true };
      if (disk.readOnly) return { ret: -errno.EACCES };
      if (arg.page >= disk.pages) return { ret: -errno.EINVAL };
      return disk.backed[arg.page] ? { ret: 0, zero: [arg.page] } : { ret: 0 };
    },
  },
  // make_request for a write: the page gets memory first, or the bio fails
  write_page: (ctx, disk, page) => (disk.backed[page] ? { ret: 0 } : used(disk) < limit(disk) ? { ret: 0, back: [page] } : { ret: -errno.ENOSPC }),
};
