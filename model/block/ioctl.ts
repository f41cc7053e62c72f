import { ENODEV, EINVAL } from '../kernel/errno.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, type Ctx, type Proc } from '../kernel/step.ts';
import type { Observation, State } from '../state.ts';
import { setAt } from '../state.ts';
import { blkdev_get, blkdev_put, B_BDEV } from './block_device.ts';
import { direct_access } from './direct_access.ts';
import { dcssblk_remove, dcssblk_save, dcssblk_shared, B_DCSS_SYSFS } from './drivers/dcssblk.ts';
import { brd_blkflsbuf, brd_discard, B_BRD_IOCTL } from './drivers/brd.ts';

/**
 * The block-layer actions a user (or administrator) can take: open and close the raw device,
 * dcssblk's sysfs attributes, brd's ioctls, and a kernel caller probing direct_access.
 */
export function* sys_blkdev_open(ctx: Ctx, pid: number, a: { dev: number; write: boolean }): Proc<Observation> {
  const r = yield* atomic('blkdev_get', (s): readonly [State, readonly [number, string]] => {
    const [s2, err, br] = blkdev_get(s, a.dev, a.write && !has(ctx.variant, 'mut-blkdev-open-ro-write'));
    return err ? [s, [err, br]] : [withRaw(s2, pid, a.dev, +1), [0, br]];
  });
  yield* cover(B_BDEV, r[1]);
  return { ret: r[0] };
}

export function* sys_blkdev_close(_ctx: Ctx, pid: number, a: { dev: number }): Proc<Observation> {
  return yield* atomic('blkdev_put', (s): readonly [State, Observation] => {
    if (!s.procs[pid].bdevs[a.dev]) return [s, { ret: -EINVAL }];
    return [blkdev_put(withRaw(s, pid, a.dev, -1), a.dev), { ret: 0 }];
  });
}

/** Count one raw open more or less, for the device and for the process holding it. */
function withRaw(s: State, pid: number, dev: number, d: number): State {
  const p = s.procs[pid];
  return { ...s, rawOpens: setAt(s.rawOpens, dev, s.rawOpens[dev] + d), procs: setAt(s.procs, pid, { ...p, bdevs: setAt(p.bdevs, dev, p.bdevs[dev] + d) }) };
}

function* sysfs(label: string, f: (s: State) => readonly [State, number, string], b: { fn: string }): Proc<Observation> {
  const r = yield* atomic(label, (s) => { const [s2, ret, br] = f(s); return [s2, [ret, br] as const] as const; });
  yield* cover(b, r[1]);
  return { ret: r[0] };
}

export function* sys_dcssblk_remove(ctx: Ctx, _pid: number, a: { dev: number }): Proc<Observation> {
  return yield* sysfs('dcssblk_remove_store', (s) => dcssblk_remove(s, a.dev, has(ctx.variant, 'remove-ignores-users')), B_DCSS_SYSFS);
}
export function* sys_dcssblk_save(_ctx: Ctx, _pid: number, a: { dev: number; on: boolean }): Proc<Observation> {
  return yield* sysfs('dcssblk_save_store', (s) => dcssblk_save(s, a.dev, a.on), B_DCSS_SYSFS);
}
/** Reading dcssblk's `save` attribute (dcssblk_save_show): 1 while a save waits for the last release. */
export function* sys_dcssblk_save_show(_ctx: Ctx, _pid: number, a: { dev: number }): Proc<Observation> {
  return yield* sysfs('dcssblk_save_show', (s) => {
    const d = s.devices[a.dev];
    if (!d?.present || !d.dcss) return [s, -ENODEV, 'save-show-enodev'];
    return [s, d.dcss.savePending ? 1 : 0, 'save-show'];
  }, B_DCSS_SYSFS);
}
export function* sys_dcssblk_shared(_ctx: Ctx, _pid: number, a: { dev: number; shared: boolean }): Proc<Observation> {
  return yield* sysfs('dcssblk_shared_store', (s) => dcssblk_shared(s, a.dev, a.shared), B_DCSS_SYSFS);
}
/**
 * ioctl(BLKFLSBUF) on a brd device, through the caller's raw descriptor of it if it holds one,
 * else through one it opens for the call: either way that open is among the bd_openers the
 * driver sees, and only it may be (brd_ioctl: `if (bdev->bd_openers <= 1)`).
 */
export function* sys_brd_blkflsbuf(ctx: Ctx, pid: number, a: { dev: number }): Proc<Observation> {
  return yield* sysfs('brd_ioctl(BLKFLSBUF)', (s) => brd_blkflsbuf(s, a.dev, has(ctx.variant, 'remove-ignores-users'), (s.procs[pid].bdevs[a.dev] ?? 0) > 0), B_BRD_IOCTL);
}
/** ioctl(BLKDISCARD) of one page on a brd device (discard_from_brd). */
export function* sys_brd_discard(ctx: Ctx, _pid: number, a: { dev: number; page: number }): Proc<Observation> {
  return yield* sysfs('discard_from_brd', (s) => brd_discard(s, a.dev, a.page, has(ctx.variant, 'mut-brd-discard-off-by-one')), B_BRD_IOCTL);
}

/**
 * A kernel caller that opens the device, asks direct_access for `sector`, and releases it:
 * reaches the driver's error branches (-EINVAL unaligned, -ERANGE past the end, -ENODEV,
 * -ENOMEM) that ext2 never provokes. Returns the pfn.
 */
export function* sys_bdev_direct_access(_ctx: Ctx, _pid: number, a: { dev: number; sector: number }): Proc<Observation> {
  const r = yield* atomic('blkdev_get+direct_access+blkdev_put', (s): readonly [State, number] => {
    const d = s.devices[a.dev];
    if (!d) return [s, -ENODEV];
    // a removed device has no gendisk: the driver's own -ENODEV check sees the missing private data
    const [s1, err] = d.present ? blkdev_get(s, a.dev, false) : [s, 0];
    if (err) return [s, err];
    const [s2, da] = direct_access(s1, a.dev, a.sector);
    const s3 = d.present ? blkdev_put(s2, a.dev) : s2;
    return [s3, 'err' in da ? da.err : da.pfn];
  });
  return { ret: r };
}
