import type { Invariant } from '../invariant.ts';
import { hasDirectAccess } from '../../model/block/direct_access.ts';

/** 10a. An XIP mount sits on a device with direct_access and has blocksize == PAGE_SIZE. */
export const mountRules: Invariant = {
  id: 'mount-rules',
  title: 'xip needs direct_access and blocksize == PAGE_SIZE',
  why: 'get_xip_mem maps one file page to one block (pgoff == block number, sector = block * PAGE_SIZE/512): any other block size maps the wrong bytes; without direct_access there is no address to map.',
  source: 'fs/ext2/super.c ext2_fill_super (3.x): "error: unsupported blocksize for xip"; fs/ext2/xip.c ext2_xip_verify_sb: "ignoring xip option - not supported by bdev"',
  when: 'every-step',
  brokenBy: 'xip-on-any-blocksize',
  check(s) {
    // every mount, each on its own rules
    for (const sb of s.sbs) {
      if (!sb?.xip) continue;
      if (!hasDirectAccess(s, sb.dev)) return `XIP mount on ${s.devices[sb.dev].name}, which has no direct_access`;
      if (sb.blocksize !== s.cfg.pageSize) return `XIP mount with blocksize ${sb.blocksize} != PAGE_SIZE ${s.cfg.pageSize}`;
    }
    return null;
  },
};

/** 10b. The xip mode of a mount, and of every live inode, never changes while it is in use. */
export const xipModeStable: Invariant = {
  id: 'xip-mode-stable',
  title: 'the xip mode of a live inode never changes',
  why: 'An inode’s a_ops and f_ops are chosen once, at instantiation; flipping XIP under open files or mappings would leave page-cache pages next to direct mappings (or direct ptes next to a page cache) of one file.',
  source: 'fs/ext2/super.c ext2_remount (3.x): "refusing change of xip flag with busy inodes while remounting"; ext2_iget chooses ext2_aops_xip once',
  when: 'step',
  brokenBy: 'remount-flips-xip',
  checkStep(pre, post) {
    for (let k = 0; k < pre.sbs.length; k++) {
      const a = pre.sbs[k], b = post.sbs[k];
      if (a && b && a.dev === b.dev && a.xip !== b.xip) return `the ${k ? `mount ${k}'s` : "mount's"} xip flag changed ${a.xip} → ${b.xip} while mounted`;
    }
    for (const i of pre.inodes) {
      if (!i || i.refs === 0) continue;
      const j = post.inodes[i.ino];
      if (j && j.aops !== i.aops) return `live inode ${i.ino} changed a_ops ${i.aops} → ${j.aops}`;
      if (j && j.fops !== i.fops) return `live inode ${i.ino} changed i_fop ${i.fops} → ${j.fops}`;
    }
    return null;
  },
};
