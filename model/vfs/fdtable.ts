import type { OpenFile, State } from '../state.ts';
import { padTo, setAt, updateInode, updateProc } from '../state.ts';
import { iput_final } from './inode.ts';

/** get_unused_fd + fd_install: the lowest free descriptor. */
export function fd_install(s: State, pid: number, f: OpenFile, notLowest = false): readonly [State, number] {
  const files = s.procs[pid].files;
  let fd = notLowest ? -1 : files.indexOf(null);
  if (fd < 0) fd = files.length;
  const next = updateProc(s, pid, (p) => ({ ...p, files: setAt(padTo(p.files, fd, null), fd, f) }));
  return [updateInode(next, f.ino, (i) => ({ ...i, refs: i.refs + 1 })), fd];
}

/** fput of the last reference: drop the inode reference, evicting an unlinked inode. */
export function fd_close(s: State, pid: number, fd: number): State {
  const f = s.procs[pid].files[fd];
  if (!f) return s;
  let next = updateProc(s, pid, (p) => ({ ...p, files: setAt(p.files, fd, null) }));
  next = updateInode(next, f.ino, (i) => ({ ...i, refs: i.refs - 1 }));
  return iput_final(next, f.ino);
}
