import type { State } from '../state.ts';
import { setAt, withState } from '../state.ts';
import { inodeFsType } from '../fs/super_operations.ts';

/**
 * iput_final → evict (fs/inode.c, 3.x), after the caller dropped a reference: once nothing
 * holds an unlinked inode (generic_drop_inode: i_nlink == 0), its i_sb's ->evict_inode frees what it owns
 * and the in-core inode goes (clear_inode, destroy_inode).
 */
export function iput_final(s: State, ino: number): State {
  const i = s.inodes[ino];
  if (!i || i.nlink > 0 || i.refs > 0) return s;
  const s2 = inodeFsType(s, ino).s_op.evict_inode(s, ino);
  return withState(s2, { inodes: setAt(s2.inodes, ino, null) });
}
