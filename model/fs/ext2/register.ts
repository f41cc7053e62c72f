import { B_GET_BLOCKS, ext2_bmap, ext2_evict_inode, ext2_new_inode } from './inode.ts';
import { ext2_mkfs } from './mkfs.ts';
import { i_data, type Ext2SbInfo } from './ext2.ts';
import { B_SETSIZE, ext2_setsize } from './ext2_setsize.ts';
import { B_SUPER, EXT2, ext2_mount, ext2_remount, ext2_statfs, ext2_umount } from './super.ts';
import { B_XIP_MEM, ext2_aops_xip } from './xip.ts';
import { B_PAGECACHE, ext2_aops, ext2_aops_xip_both } from './aops.ts';
import { ext2_file_operations, ext2_xip_file_operations } from './file.ts';
import { B_EXT2_IOMAP, ext2_dax_file_operations } from './dax.ts';
import { register_filesystem, type FileSystemType, type FsLayout, type SuperOperations } from '../kernel_api.ts';

/** ext2_sops (fs/ext2/super.c, 3.19), the members the model has (see SuperOperations). */
export const ext2_sops: SuperOperations = {
  name: 'ext2_sops',
  new_inode: ext2_new_inode,
  setsize: ext2_setsize,
  evict_inode: ext2_evict_inode,
  remount_fs: ext2_remount,
  statfs: ext2_statfs,
};

/**
 * What e2fsck reads of ext2 (FsLayout; never called by the kernel model): ext2_bmap — the
 * a_ops->bmap of both ext2_aops and ext2_aops_xip (fs/ext2/inode.c, 3.19) — over i_data, and
 * the block bitmap of ext2_sb_info, or the on-disk one while unmounted.
 */
export const ext2_layout: FsLayout = {
  bmap: ext2_bmap,
  blocksOf: i_data,
  used: (s, fs) => ((s.sbs[fs]?.priv ?? s.onDisk[fs] ?? null) as Ext2SbInfo | null)?.bitmap ?? null,
};

/**
 * ext2_fs_type = { .name = "ext2", .mount = ext2_mount, .kill_sb = kill_block_super }
 * (fs/ext2/super.c, 3.19), with every table ext2 installs in its inodes — the defective one of
 * the broken variant `aops-both` too, which ext2_new_inode names only under that variant.
 */
export const ext2_fs_type: FileSystemType = {
  name: EXT2,
  mkfs: ext2_mkfs,
  mount: ext2_mount,
  umount: ext2_umount,
  s_op: ext2_sops,
  branches: B_SUPER,
  coverage: [B_SUPER, B_XIP_MEM, B_GET_BLOCKS, B_SETSIZE, B_PAGECACHE, B_EXT2_IOMAP],
  a_ops: [ext2_aops_xip, ext2_aops, ext2_aops_xip_both],
  f_ops: [ext2_xip_file_operations, ext2_file_operations, ext2_dax_file_operations],
  layout: ext2_layout,
};

/** init_ext2_fs (module_init): register_filesystem(&ext2_fs_type). */
export function init_ext2_fs(): void {
  register_filesystem(ext2_fs_type);
}

/** ext2 as a plug-in (docs/auditing.md): what `xipcheck audit` takes, and what an auditor's file system imitates. */
export const ext2_plugin = {
  kind: 'fs' as const, role: 'ext2' as const,
  cites: 'fs/ext2/{super,inode,file,xip}.c (3.19; ext2_get_blocks\' re-check under truncate_mutex from 2.6.30)',
  ...ext2_fs_type,
};
