import { EBADF, ENOENT } from '../kernel/errno.ts';
import { branches } from '../kernel/coverage.ts';
import { cover, read, type Ctx, type Proc } from '../kernel/step.ts';
import type { Observation } from '../state.ts';
import { mapping_is_xip } from '../fs/aops.ts';
import { fsTypeOf } from '../fs/super_operations.ts';

const CITE = 'fs/stat.c vfs_fstat/generic_fillattr, fs/statfs.c vfs_statfs, fs/ext2/super.c ext2_statfs/ext2_show_options (3.19)';
export const B_STAT = branches('vfs_stat', CITE, ['fstat-ebadf', 'fstat', 'statfs-unmounted', 'statfs'] as const);

/**
 * fstat: generic_fillattr copies i_size and i_blocks. i_blocks counts the blocks the inode
 * owns, kept by the file system as it allocates and frees them (ext2 counts 512-byte sectors;
 * the model counts file-system blocks, its pages being tiny). The XIP-ness of the inode's a_ops is reported beside, for scenarios to pin.
 */
export function* sys_fstat(_ctx: Ctx, pid: number, a: { fd: number }): Proc<Observation> {
  const r = yield* read('vfs_fstat', (s): Observation => {
    const f = s.procs[pid].files[a.fd];
    if (!f) return { ret: -EBADF };
    const i = s.inodes[f.ino]!;
    return { ret: 0, stat: { size: i.size, blocks: i.iBlocks, xip: mapping_is_xip(s, f.ino) } };
  });
  yield* cover(B_STAT, r.ret < 0 ? 'fstat-ebadf' : 'fstat');
  return r;
}

/**
 * statfs of mount point `mnt` (default the root): vfs_statfs → its super block's s_op->statfs (ext2_statfs: f_blocks, f_bfree,
 * ST_RDONLY, and whether ext2_show_options lists "xip"). Unmounted, the mount point is a name
 * the model's root does not have: -ENOENT, as for open. (A mount point beyond cfg.fs is no
 * directory at all: -ENOENT too.)
 */
export function* sys_statfs(ctx: Ctx, _pid: number, a: { mnt?: number }): Proc<Observation> {
  const k = a.mnt ?? 0;
  const r = yield* read('vfs_statfs', (s): Observation => {
    if (!s.sbs[k]) return { ret: -ENOENT };
    return { ret: 0, statfs: fsTypeOf(s, k).s_op.statfs(s, k, ctx) };
  });
  yield* cover(B_STAT, r.ret < 0 ? 'statfs-unmounted' : 'statfs');
  return r;
}
