import { EOPNOTSUPP } from '../kernel/errno.ts';
import { has, variant, type Variant } from '../kernel/variant.ts';
import type { Ctx } from '../kernel/step.ts';
import type { State } from '../state.ts';
import type { DirectAccess } from './block_device_operations.ts';
import { callDriver, driverOf, substituteOf } from './driver.ts';

/** add_disk: the table the driver installs in gendisk->fops (a broken variant installs a defective one). */
export function fopsFor(driver: string, v: Variant): string {
  const audited = substituteOf(driver);
  if (audited) return audited;
  if (driver === 'dcssblk' && has(v, 'da-range-off-by-one')) return 'dcssblk:range-off-by-one';
  if (driver === 'dcssblk' && has(v, 'da-other-device')) return 'dcssblk:first-segment';
  if (driver === 'axonram' && has(v, 'hist-axonram-no-part-start')) return 'axonram:no-part-start';
  if (driver === 'axonram' && has(v, 'hist-axonram-bogus-pfn')) return 'axonram:bogus-pfn';
  if (driver === 'brd' && has(v, 'hist-brd-highmem')) return 'brd:highmem';
  if (driver === 'brd' && has(v, 'hist-brd-enomem')) return 'brd:enomem';
  return driver;
}

export function hasDirectAccess(s: State, dev: number): boolean {
  return !!driverOf(s, dev).fops.direct_access;
}

/**
 * `bdev->bd_disk->fops->direct_access(bdev, sector, &kaddr, &pfn)` as called by
 * __inode_direct_access (fs/ext2/xip.c 2.6.26–3.19), which BUG_ONs on a missing method; the
 * model returns -EOPNOTSUPP there instead (what 4.0's bdev_direct_access returns).
 */
export function direct_access(s: State, dev: number, sector: number, ctx: Ctx = neutralCtx(s)): readonly [State, DirectAccess] {
  if (!hasDirectAccess(s, dev)) return [s, { err: -EOPNOTSUPP }];
  const [s2, st] = callDriver<DirectAccess>(s, dev, 'direct_access', (drv, disk) => drv.fops.direct_access!(ctx, disk, sector), validDirectAccess);
  return [s2, st!.ret];
}

/** direct_access's answer: a kaddr inside its pfn's page, or a negative errno. */
export function validDirectAccess(r: unknown): string | null {
  if (!r || typeof r !== 'object') return `direct_access returned ${JSON.stringify(r)} instead of { kaddr, pfn } or { err }`;
  const o = r as Record<string, unknown>;
  if ('err' in o) return Number.isInteger(o.err) && (o.err as number) < 0 && Object.keys(o).length === 1 ? null : `direct_access returned ${JSON.stringify(r)}: err must be a negative errno and alone`;
  // whether the pfn is the sector's memory is driver-contract's to judge, after the step: the
  // bogus pfns of history (axonram's virt_to_phys of a stack address, brd's highmem NULL) are
  // well-formed answers that violate it
  return Number.isInteger(o.kaddr) && Number.isInteger(o.pfn) && (o.kaddr as number) >= 0 && (o.pfn as number) >= 0 && Object.keys(o).length === 2 ? null : `direct_access returned ${JSON.stringify(r)}: kaddr and pfn must be non-negative integers`;
}

const NO_MUTATION = variant('none', 'a caller outside any design variant (an invariant probing the driver)');

/** For callers that run no kernel code of their own (the driver-contract probe): no mutation switched on. */
export function neutralCtx(s: State): Ctx {
  return { variant: NO_MUTATION, pageSize: s.cfg.pageSize };
}
