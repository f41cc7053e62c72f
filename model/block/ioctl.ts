import { ENODEV, EINVAL, EOPNOTSUPP } from '../kernel/errno.ts';
import { has } from '../kernel/variant.ts';
import { atomic, cover, type Ctx, type Proc } from '../kernel/step.ts';
import type { Observation, State } from '../state.ts';
import { setAt, withState } from '../state.ts';
import { blkdev_get, blkdev_put, validErrno, B_BDEV } from './block_device.ts';
import { direct_access } from './direct_access.ts';
import { callDriver, driverOf } from './driver.ts';
import { branches, hit } from '../kernel/coverage.ts';

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

export function* sys_blkdev_close(ctx: Ctx, pid: number, a: { dev: number }): Proc<Observation> {
  return yield* atomic('blkdev_put', (s): readonly [State, Observation] => {
    if (!s.procs[pid].bdevs[a.dev]) return [s, { ret: -EINVAL }];
    return [blkdev_put(withRaw(s, pid, a.dev, -1), a.dev, ctx), { ret: 0 }];
  });
}

/** Count one raw open more or less, for the device and for the process holding it. */
function withRaw(s: State, pid: number, dev: number, d: number): State {
  const p = s.procs[pid];
  return withState(s, { rawOpens: setAt(s.rawOpens, dev, s.rawOpens[dev] + d), procs: setAt(s.procs, pid, { ...p, bdevs: setAt(p.bdevs, dev, p.bdevs[dev] + d) }) });
}

const CITE = 'fs/block_dev.c blkdev_ioctl, block/ioctl.c blk_ioctl_discard, drivers/base sysfs attributes (3.x)';
export const B_BLKDEV_IOCTL = branches('blkdev_ioctl', CITE, ['blkflsbuf-enodev', 'blkflsbuf-generic', 'discard-unsupported', 'sysfs-enodev'] as const);

/**
 * A sysfs attribute of the device's driver (dcssblk's remove, save, shared). A driver without
 * the attribute has no such file, and a removed device's own attributes went with it
 * (device_unregister): both are -ENODEV here (open(2) of the vanished file). `remove` is the
 * driver's root attribute, which names the device and answers for a removed one itself.
 */
function* sysfs(ctx: Ctx, attr: string, dev: number, value: boolean | null): Proc<Observation> {
  const r = yield* atomic(attr === 'save_show' ? 'dcssblk_save_show' : `dcssblk_${attr}_store`, (s): readonly [State, number] => {
    const store = s.devices[dev] && driverOf(s, dev).sysfs?.[attr];
    if (!store || (attr !== 'remove' && !s.devices[dev].present)) return hit(B_BLKDEV_IOCTL, 'sysfs-enodev'), [s, -ENODEV];
    const [s2, st] = callDriver<number>(s, dev, `sysfs ${attr}`, (drv, disk) => drv.sysfs![attr](ctx, disk, value), attr === 'save_show' ? validShow : validErrno(attr));
    return [s2, st!.ret];
  });
  return { ret: r };
}

function validShow(r: unknown): string | null {
  return Number.isInteger(r) ? null : `save_show returned ${JSON.stringify(r)}, not an integer`;
}

export function* sys_dcssblk_remove(ctx: Ctx, _pid: number, a: { dev: number }): Proc<Observation> {
  return yield* sysfs(ctx, 'remove', a.dev, null);
}
export function* sys_dcssblk_save(ctx: Ctx, _pid: number, a: { dev: number; on: boolean }): Proc<Observation> {
  return yield* sysfs(ctx, 'save', a.dev, a.on);
}
/** Reading dcssblk's `save` attribute (dcssblk_save_show): 1 while a save waits for the last release. */
export function* sys_dcssblk_save_show(ctx: Ctx, _pid: number, a: { dev: number }): Proc<Observation> {
  return yield* sysfs(ctx, 'save_show', a.dev, null);
}
export function* sys_dcssblk_shared(ctx: Ctx, _pid: number, a: { dev: number; shared: boolean }): Proc<Observation> {
  return yield* sysfs(ctx, 'shared', a.dev, a.shared);
}

/**
 * ioctl(BLKFLSBUF) through the caller's raw descriptor of the device if it holds one, else
 * through one it opens for the call: either way that open is among the bd_openers the driver
 * sees. A driver without its own BLKFLSBUF gets blkdev_ioctl's generic one: sync and invalidate
 * the buffer cache (nothing to model). A removed device cannot be opened: -ENODEV.
 */
export function* sys_brd_blkflsbuf(ctx: Ctx, pid: number, a: { dev: number }): Proc<Observation> {
  const r = yield* atomic('brd_ioctl(BLKFLSBUF)', (s): readonly [State, number] => {
    const d = s.devices[a.dev];
    if (!d?.present) return hit(B_BLKDEV_IOCTL, 'blkflsbuf-enodev'), [s, -ENODEV];
    const viaOwnFd = (s.procs[pid].bdevs[a.dev] ?? 0) > 0;
    return ioctl(ctx, s, a.dev, 'BLKFLSBUF', { viaOwnFd }, () => (hit(B_BLKDEV_IOCTL, 'blkflsbuf-generic'), 0));
  });
  return { ret: r };
}
/** ioctl(BLKDISCARD) of one page: blkdev_issue_discard, -EOPNOTSUPP on a queue without discard. */
export function* sys_brd_discard(ctx: Ctx, _pid: number, a: { dev: number; page: number }): Proc<Observation> {
  const r = yield* atomic('discard_from_brd', (s): readonly [State, number] => {
    const d = s.devices[a.dev];
    if (!d?.present) return hit(B_BLKDEV_IOCTL, 'discard-unsupported'), [s, -EOPNOTSUPP];
    return ioctl(ctx, s, a.dev, 'BLKDISCARD', { page: a.page }, () => (hit(B_BLKDEV_IOCTL, 'discard-unsupported'), -EOPNOTSUPP));
  });
  return { ret: r };
}

/** The driver's ->ioctl for `cmd`, or the block layer's answer when the driver has none for it. */
function ioctl(ctx: Ctx, s: State, dev: number, cmd: 'BLKFLSBUF' | 'BLKDISCARD', arg: { page?: number; viaOwnFd?: boolean }, generic: () => number): readonly [State, number] {
  if (!driverOf(s, dev).fops.ioctl) return [s, generic()];
  const [s2, st] = callDriver<number>(s, dev, `ioctl ${cmd}`, (drv, disk) => drv.fops.ioctl!(ctx, disk, cmd, arg), validErrno(`ioctl ${cmd}`));
  return st ? [s2, st.ret] : [s, generic()];
}

/**
 * A kernel caller that opens the device, asks direct_access for `sector`, and releases it:
 * reaches the driver's error branches that ext2 never provokes (-EINVAL unaligned, -ERANGE past
 * the end, -ENODEV), and brd's allocation failure (-ENOSPC; -ENOMEM before 3.16). Returns the pfn.
 */
export function* sys_bdev_direct_access(ctx: Ctx, _pid: number, a: { dev: number; sector: number }): Proc<Observation> {
  const r = yield* atomic('blkdev_get+direct_access+blkdev_put', (s): readonly [State, number] => {
    const d = s.devices[a.dev];
    if (!d) return [s, -ENODEV];
    // a removed device has no gendisk: the driver's own -ENODEV check sees the missing private data
    const [s1, err] = d.present ? blkdev_get(s, a.dev, false) : [s, 0];
    if (err) return [s, err];
    const [s2, da] = direct_access(s1, a.dev, a.sector, ctx);
    const s3 = d.present ? blkdev_put(s2, a.dev, ctx) : s2;
    return [s3, 'err' in da ? da.err : da.pfn];
  });
  return { ret: r };
}
