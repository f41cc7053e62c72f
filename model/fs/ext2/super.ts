import { EACCES, EBUSY, EINVAL, ENODEV } from '../../kernel/errno.ts';
import { ext2_new_inode } from './inode.ts';
import { EXT2_SB, type Ext2SbInfo } from './ext2.ts';
import { blkdev_get, blkdev_put, branches, has, hasDirectAccess, partitionPages, setAt, withSb, type Ctx, type MountArgs, type State, type StatfsObs } from '../kernel_api.ts';

const CITE = 'fs/ext2/super.c ext2_fill_super/ext2_remount, fs/ext2/xip.c ext2_xip_verify_sb, fs/super.c (3.x)';
export const B_SUPER = branches('ext2_super', CITE, [
  'mount-ebusy-mounted', 'mount-enodev', 'mount-eacces-ro-device', 'mount-einval-unformatted', 'mount-xip-dropped-no-direct-access',
  'mount-einval-blocksize', 'mount-ok', 'remount-xip-change-refused', 'remount-einval-blocksize', 'remount-ebusy-writers', 'remount-ebusy-unlinked',
  'remount-eacces-ro-device', 'remount-einval-unmounted', 'remount-ok', 'umount-ebusy', 'umount-ok', 'umount-einval',
  'mount-blkdev-get-failed',
] as const, {
  'mount-blkdev-get-failed': 'blkdev_get fails only with -ENODEV (absent device) or -EACCES (write open of a read-only one), and ext2_mount tests both just before',
});

/** file_system_type.name of ext2, which its super blocks name (s_type). */
export const EXT2 = 'ext2';

/**
 * mount_bdev + ext2_fill_super. A rw mount of a read-only disk is -EACCES (mount_bdev);
 * "xip" is silently dropped when the disk has no direct_access (ext2_xip_verify_sb, a hard
 * error only from 4.0); xip with blocksize != PAGE_SIZE fails with -EINVAL.
 * Returns the new state, the result and the branch taken.
 */
export function ext2_mount(ctx: Ctx, s: State, a: MountArgs, blocksize: number): readonly [State, number, string] {
  if (s.sbs[a.fs]) return [s, -EBUSY, 'mount-ebusy-mounted'];
  const d = s.devices[a.dev];
  if (!d || !d.present) return [s, -ENODEV, 'mount-enodev'];
  if (!a.ro && d.readOnly) return [s, -EACCES, 'mount-eacces-ro-device'];
  const [s1, err] = blkdev_get(s, a.dev, !a.ro);
  if (err) return [s, err, 'mount-blkdev-get-failed'];
  if (!d.formatted) return [blkdev_put(s1, a.dev), -EINVAL, 'mount-einval-unformatted'];
  let xip = a.xip, branch = 'mount-ok';
  if (xip && !hasDirectAccess(s, a.dev)) { xip = false; branch = 'mount-xip-dropped-no-direct-access'; }
  if (xip && (blocksize !== s.cfg.pageSize || (has(ctx.variant, 'hist-xip-check-early') && sbMinBlocksize(s, a.dev) !== blocksize)) && !has(ctx.variant, 'xip-on-any-blocksize')) return [blkdev_put(s1, a.dev), -EINVAL, 'mount-einval-blocksize'];
  // ext2_fill_super reads the on-disk super block and group descriptors into ext2_sb_info
  const priv = (s.onDisk[a.fs] as Ext2SbInfo | null) ?? { bitmap: [true, ...new Array(partitionPages(d) - 1).fill(false)] } satisfies Ext2SbInfo;
  const mounted: State = { ...withSb(s1, a.fs, { type: EXT2, dev: a.dev, xip, ro: a.ro, blocksize, priv }), onDisk: setAt(s1.onDisk, a.fs, null) };
  // ext2_iget on first use: the file system's in-core inodes are made anew, with a_ops chosen by
  // the new mount (another mount's inodes are not this super block's: untouched)
  const inodes = mounted.inodes.map((i) => i && i.fs === a.fs ? { ...ext2_new_inode(ctx, mounted, i.ino, a.fs), size: i.size, priv: i.priv, iBlocks: i.iBlocks, nlink: i.nlink } : i);
  return [{ ...mounted, inodes }, 0, branch];
}

/**
 * sb->s_blocksize as 2.6.13–2.6.24's ext2_fill_super saw it at the xip check, before
 * sb_set_blocksize: sb_min_blocksize(sb, BLOCK_SIZE), the larger of 1024 bytes and the disk's
 * hardsect size — 4096 on dcssblk (blk_queue_hardsect_size(…, 4096)), 512 on axonram
 * (AXON_RAM_SECTOR_SIZE). In model bytes: a page, or a quarter page (hist-xip-check-early).
 */
function sbMinBlocksize(s: State, dev: number): number {
  // brd gained direct_access in 2.6.25, two days after this fix: of the XIP drivers of those
  // kernels only axonram (2.6.23, 512-byte sectors) met the early check
  return s.devices[dev].driver === 'axonram' ? Math.max(1, s.cfg.pageSize / 4) : s.cfg.pageSize;
}

/**
 * ext2_remount / do_remount_sb: the xip flag can never change ("refusing change of xip flag
 * with busy inodes"); rw→ro refused with -EBUSY while an unlinked inode is still open or
 * mapped (sb_prepare_remount_readonly, 3.3+: `if (atomic_long_read(&sb->s_remove_count))
 * return -EBUSY;` — drop_nlink counts an inode reaching nlink 0, its eviction uncounts it;
 * fs_may_remount_ro before: `if (inode->i_nlink == 0) goto too_bad;`) or a file is open for
 * write (mnt_get_writers; FMODE_WRITE in fs_may_remount_ro); ro→rw of a read-only disk is
 * -EACCES.
 */
export function ext2_remount(ctx: Ctx, s: State, a: { xip: boolean; ro: boolean; fs: number }): readonly [State, number, string] {
  const sb = s.sbs[a.fs];
  if (!sb) return [s, -EINVAL, 'remount-einval-unmounted'];
  if (!a.ro && s.devices[sb.dev].readOnly) return [s, -EACCES, 'remount-eacces-ro-device'];
  const mine = (ino: number | null): boolean => ino !== null && s.inodes[ino]?.fs === a.fs;
  // s_remove_count (per super block): an inode of this file system with nlink 0 that is not yet evicted (the model evicts at the last reference)
  if (a.ro && !sb.ro && s.inodes.some((i) => i && i.fs === a.fs && i.nlink === 0)) return [s, -EBUSY, 'remount-ebusy-unlinked'];
  // sb_prepare_remount_readonly: any struct file of this super block's mounts open for write — held by a descriptor or by a vma's vm_file
  if (a.ro && !sb.ro && !has(ctx.variant, 'mut-remount-ro-ignores-writers') && s.procs.some((p) => p.files.some((f) => f && f.write && mine(f.ino)) || p.vmas.some((v) => v.fmodeWrite && mine(v.ino)))) return [s, -EBUSY, 'remount-ebusy-writers'];
  // 2.6.13–2.6.21 ran neither ext2_xip_verify_sb nor the blocksize test on remount (hist-remount-unchecked)
  const unchecked = has(ctx.variant, 'hist-remount-unchecked');
  let xip = a.xip && (unchecked || hasDirectAccess(s, sb.dev));
  if (xip && sb.blocksize !== s.cfg.pageSize && !unchecked) {
    // 2.6.22-rc: `goto restore_opts` with err never set; the model takes the 0 the stack slot may
    // hold, and do_remount_sb then applies the MS_RDONLY change (hist-remount-err-uninit)
    if (has(ctx.variant, 'hist-remount-err-uninit')) return [withSb(s, a.fs, { ...sb, ro: a.ro }), 0, 'remount-einval-blocksize'];
    return [s, -EINVAL, 'remount-einval-blocksize'];
  }
  let branch = 'remount-ok';
  // 2.6.13–2.6.28 changed the flag whatever invalidate_inodes said: busy inodes kept their a_ops
  // ("busy inodes while remounting xip remain in cache (no functional problem)"); the model keeps
  // every in-core inode as it is, idle ones too (hist-remount-busy)
  if (xip !== sb.xip && !has(ctx.variant, 'remount-flips-xip') && !has(ctx.variant, 'hist-remount-busy')) { xip = sb.xip; branch = 'remount-xip-change-refused'; }
  // A flipped flag would change the a_ops of inodes instantiated from now on, never of live ones.
  return [withSb(s, a.fs, { ...sb, xip, ro: a.ro }), 0, branch];
}

/** umount of mount point `fs`: -EBUSY while any of its files is open or mapped (do_umount's propagate_mount_busy); releases its block device (blkdev_put). */
export function ext2_umount(_ctx: Ctx, s: State, fs: number, ignoreBusy = false): readonly [State, number, string] {
  const sb = s.sbs[fs];
  if (!sb) return [s, -EINVAL, 'umount-einval'];
  if (s.inodes.some((i) => i && i.fs === fs && i.refs > 0) && !ignoreBusy) return [s, -EBUSY, 'umount-ebusy'];
  // The in-core inodes go away (evict); the block map and bitmap stay on disk (ext2_put_super
  // writes ext2_sb_info back: its bitmap becomes the on-disk slice).
  const s2: State = { ...withSb(s, fs, null), onDisk: setAt(s.onDisk, fs, sb.priv) };
  return [blkdev_put(s2, sb.dev), 0, 'umount-ok'];
}

/**
 * ext2_statfs (3.19): f_blocks counts the blocks past the overhead (here the super block),
 * f_bfree the clear bits of the bitmap (ext2_count_free_blocks); ST_RDONLY from the mount;
 * and whether ext2_show_options lists "xip" (EXT2_MOUNT_XIP).
 */
export function ext2_statfs(s: State, fs: number, ctx?: Ctx): StatfsObs {
  const sb = s.sbs[fs]!;
  // 2.6.13 had no ext2_show_options and 2.6.14's printed only grpid and the quota options: an
  // xip mount did not say so in /proc/mounts until 2.6.16 (hist-show-options-no-xip)
  const shown = sb.xip && !(ctx && has(ctx.variant, 'hist-show-options-no-xip'));
  const used = EXT2_SB(sb).bitmap;
  return { blocks: used.length - 1, bfree: used.filter((u) => !u).length, ro: sb.ro, xip: shown };
}
