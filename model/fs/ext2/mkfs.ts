import { ext2_new_inode } from './inode.ts';
import { withIData, type Ext2SbInfo } from './ext2.ts';
import { partitionPage, partitionPages, setAt, updateDevice, zeros, type Ctx, type Inode, type MkfsFile, type State } from '../kernel_api.ts';

/**
 * mke2fs on block device `dev`, writing through it (so inside its partition): block 0 is the
 * super block; each file gets the lowest free blocks in order, a hole none; block b is device
 * page partitionPage(b). The bitmap is the file system's on-disk slice (State.onDisk[fs]) until
 * ext2_fill_super reads it; each file's inode holds its block map (i_data) and i_blocks.
 */
export function ext2_mkfs(ctx: Ctx, s: State, fs: number, dev: number, files: readonly MkfsFile[]): readonly [State, string | null] {
  const PS = s.cfg.pageSize;
  const d = s.devices[dev];
  const bitmap = [true, ...new Array<boolean>(partitionPages(d) - 1).fill(false)];
  const data = d.data.slice();
  // mke2fs writes the super block: on a medium that backs pages on first write, that backs it
  if (data[partitionPage(d, 0)] === null) data[partitionPage(d, 0)] = zeros(PS);
  const inodes: (Inode | null)[] = s.inodes.slice();
  for (const file of files) {
    const map: number[] = [];
    for (let pg = 0; pg * PS < file.data.length; pg++) {
      if (file.holes.includes(pg)) { map.push(0); continue; }
      const b = bitmap.indexOf(false);
      if (b < 0) return [s, `"${file.name}" does not fit on device "${d.name}" (${d.pages} pages)`];
      bitmap[b] = true;
      const page = new Array<number>(PS).fill(0);
      for (let x = 0; x < PS && pg * PS + x < file.data.length; x++) page[x] = file.data[pg * PS + x];
      data[partitionPage(d, b)] = page;
      map.push(b);
    }
    // the on-disk inode, as an unmounted file system's inode would be instantiated (->mount makes them anew)
    inodes.push(withIData({ ...ext2_new_inode(ctx, s, inodes.length, fs), size: file.data.length }, map));
  }
  // the medium every entry of the disk shares changes on all of them (the next mke2fs starts from it)
  const s2 = updateDevice(s, dev, (x) => ({ ...x, data, formatted: true }));
  return [{ ...s2, inodes, onDisk: setAt(s2.onDisk, fs, { bitmap } satisfies Ext2SbInfo) }, null];
}
