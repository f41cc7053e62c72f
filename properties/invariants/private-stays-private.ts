import type { Invariant } from '../invariant.ts';
import type { State } from '../../model/state.ts';
import { fileContent } from './util.ts';
import { usedOf } from './layout.ts';

/** 6. A store through a private mapping changes no file and allocates no block. */
export const privateStaysPrivate: Invariant = {
  id: 'private-stays-private',
  title: 'private mappings stay private',
  why: 'MAP_PRIVATE promises copy-on-write: a private store that reached the medium would change the file for every other user (and write to a read-only file system or ROM).',
  source: 'mm/memory.c do_wp_page (3.x): private vma → cow_user_page into a new anonymous page; xip_file_fault maps the sparse page, not a new block, for a hole in a private mapping',
  when: 'operation',
  perCall: { ops: ['store'] },
  brokenBy: 'private-write-shared',
  needsLayout: true,
  checkOp({ call, pre, post }) {
    if (call.op !== 'store') return null;
    const PS = pre.cfg.pageSize;
    const vp0 = Math.floor(call.addr / PS), vp1 = Math.floor((call.addr + call.bytes.length - 1) / PS);
    const vmas = pre.procs[call.pid].vmas.filter((v) => v.start <= vp1 && vp0 < v.start + v.pages);
    if (vmas.some((v) => v.shared) || !vmas.some((v) => v.ino !== null)) return null;
    for (let k = 0; k < pre.sbs.length; k++) {
      if (!pre.sbs[k] || !post.sbs[k]) continue;
      const a = usedOf(pre, k), b = usedOf(post, k);
      if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) return `a private store allocated a block (bitmap${pre.sbs.length > 1 ? ` of mount ${k}` : ''} changed)`;
    }
    return changedFile(pre, post);
  },
};

function changedFile(pre: State, post: State): string | null {
  for (const i of pre.inodes) {
    if (!i) continue;
    const a = fileContent(pre, i.ino), b = fileContent(post, i.ino);
    if (a.join() !== b.join()) return `a private store changed inode ${i.ino}: [${a}] → [${b}]`;
  }
  return null;
}
