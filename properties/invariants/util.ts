import type { State } from '../../model/state.ts';
import { pagesFor } from '../../model/state.ts';
import { readPfn, zeros } from '../../model/kernel/physmem.ts';
import { fsBlockPfn } from '../../model/block/block_device.ts';
import { bmap } from './layout.ts';

/** The bytes of a file's pages as the medium (or the page cache, if it has the page) holds them; the blocks through the layout view (an invariant using it sets needsLayout). */
export function fileContent(s: State, ino: number): number[] {
  const i = s.inodes[ino];
  if (!i) return [];
  const out: number[] = [];
  const dev = s.sbs[i.fs]?.dev ?? -1;
  for (let pg = 0; pg < pagesFor(i.size, s.cfg.pageSize); pg++) {
    const pc = i.pageCache[pg];
    const b = pc ? 0 : bmap(s, ino, pg);
    out.push(...(pc ? pc.data : b && dev >= 0 ? readPfn(s, fsBlockPfn(s, dev, b)) : zeros(s.cfg.pageSize)));
  }
  return out;
}
