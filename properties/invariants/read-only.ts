import type { Invariant } from '../invariant.ts';
import { partitionPage, partitionPages } from '../../model/block/block_device.ts';
import { usedOf } from './layout.ts';

/** 9. A read-only device and a read-only mount are never written. */
export const readOnly: Invariant = {
  id: 'read-only',
  title: 'read-only stays read-only',
  why: 'A ROM or a shared read-only DCSS segment cannot take a store (on s390 it is hardware-protected and the store faults the kernel); an ro mount promises the medium is left as it was.',
  source: 'drivers/s390/block/dcssblk.c set_disk_ro for SR/ER/SC segments, dcssblk_make_request; mm/filemap_xip.c xip_file_fault MS_RDONLY test; fs/super.c mount_bdev -EACCES',
  when: 'step',
  brokenBy: 'fault-always-allocates',
  needsLayout: true,
  checkStep(pre, post, label) {
    // An ro mount promises that the file system writes nothing; root's BLKDISCARD on the
    // writable disk beneath it is not the file system's write (blkdev_ioctl allows it on a
    // writable disk; a read-only one refuses it, and stays judged below).
    const rawDiscard = /discard_from_brd$/.test(label);
    for (let d = 0; d < pre.devices.length; d++) {
      const a = pre.devices[d], b = post.devices[d];
      // the read-only mount on this device, if any (one file system per device)
      const k = pre.sbs.findIndex((sb) => sb?.dev === d);
      const roMount = k >= 0 && pre.sbs[k]!.ro && !!post.sbs[k]?.ro && !rawDiscard;
      if (!a.readOnly && !roMount) continue;
      if (!a.present || !b.present) continue;
      // a read-only disk is read-only everywhere; an ro mount promises only its own partition
      // (another partition of the disk may hold a writable file system)
      const from = a.readOnly ? 0 : partitionPage(a, 0), to = a.readOnly ? a.pages : from + partitionPages(a);
      for (let pg = from; pg < to; pg++) {
        const x = a.data[pg], y = b.data[pg];
        if (x !== y && x !== null && (y === null || x.join() !== y.join())) return `${roMount ? 'read-only mount on' : 'read-only device'} ${a.name}: page ${pg} changed [${x}] → [${y}]`;
      }
      if (roMount && usedOf(pre, k)?.join() !== usedOf(post, k)?.join()) return `read-only mount on ${a.name}: the block bitmap changed`;
    }
    return null;
  },
};
