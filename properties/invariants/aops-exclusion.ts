import type { Invariant } from '../invariant.ts';
import { aopsRegistry } from '../../model/fs/aops.ts';

/** 1. An address space with get_xip_mem has no readpage/writepage. */
export const aopsExclusion: Invariant = {
  id: 'aops-exclusion',
  title: 'get_xip_mem excludes readpage/writepage',
  why: 'A mapping that could be served both in place and through the page cache would hold two copies of one block that nothing keeps coherent.',
  source: 'xip.txt (3.19): "This address space operation is mutually exclusive with readpage&writepage that do page cache read/write operations." fs/ext2/inode.c ext2_aops_xip = { .bmap, .get_xip_mem }',
  when: 'every-step',
  brokenBy: 'aops-both',
  check(s) {
    for (const i of s.inodes) {
      if (!i) continue;
      const a = aopsRegistry.get(i.aops);
      if (a?.get_xip_mem && (a.readpage || a.writepage)) return `inode ${i.ino}: a_ops ${i.aops} has get_xip_mem and ${a.readpage ? 'readpage' : 'writepage'}`;
    }
    return null;
  },
};
