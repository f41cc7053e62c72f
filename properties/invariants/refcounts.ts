import type { Invariant } from '../invariant.ts';

/** 12. Reference counts equal what holds them: device openers, sparse-page users, inode references. */
export const refcounts: Invariant = {
  id: 'refcounts',
  title: 'reference counts equal what holds them',
  why: 'The device opener count is what keeps direct_access addresses valid and what refuses remove/flush; the sparse page is refcounted through vm_insert_page; an inode is evicted (its blocks freed) at its last reference. A count off by one frees what is in use or leaks what is not.',
  source: 'fs/block_dev.c bd_openers (blkdev_get per mount_bdev and per raw open; a partition in use holds its disk: __blkdev_get(whole, mode, 1), 3.19), dcssblk use_count; mm/filemap_xip.c __xip_unmap page_cache_release after vm_insert_page; fs/inode.c iput',
  when: 'every-step',
  brokenBy: 'sparse-ref-leak',
  check(s) {
    for (let d = 0; d < s.devices.length; d++) {
      // bd_openers: the raw opens plus one per mounted super block on the device (blkdev_get in
      // mount_bdev), plus one per partition of it in use (__blkdev_get(whole, mode, 1))
      const parts = s.devices.filter((x) => x.medium === d && x.openers > 0).length;
      const want = s.rawOpens[d] + s.sbs.filter((sb) => sb?.dev === d).length + parts;
      if (s.devices[d].openers !== want) return `device ${s.devices[d].name}: openers ${s.devices[d].openers}, held by ${want}${parts ? ` (${parts} of them partitions in use)` : ''}`;
    }
    let sparse = 0;
    for (const p of s.procs) for (const pte of p.ptes) if (pte?.kind === 'sparse') sparse++;
    if (s.sparse.refs !== sparse) return `sparse page refcount ${s.sparse.refs}, mapped by ${sparse} ptes`;
    for (const i of s.inodes) {
      if (!i) continue;
      let held = 0;
      for (const p of s.procs) {
        held += p.files.filter((f) => f?.ino === i.ino).length;
        held += p.vmas.filter((v) => v.ino === i.ino).length;
      }
      if (i.refs !== held) return `inode ${i.ino}: refs ${i.refs}, held by ${held} files and vmas`;
    }
    return null;
  },
};
