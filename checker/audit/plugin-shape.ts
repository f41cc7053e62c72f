import { z } from 'zod';
import type { BlockDriver } from '../../model/block/block_device_operations.ts';

/**
 * What a driver plug-in module must export (validated at load, before anything runs): a
 * BlockDriver as `default` or as `driver`. The functions' own behaviour is judged by the audit.
 */
const fn = z.custom<(...a: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');

export const DriverShape = z.object({
  kind: z.literal('driver', { error: 'kind must be "driver" (a file-system plug-in says "fs")' }),
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'name must be a plain identifier (letters, digits, _ . -)'),
  role: z.enum(['dcssblk', 'brd', 'axonram', 'disk'], { error: 'role must name the reference driver whose specification it implements: dcssblk, brd, axonram or disk' }),
  cites: z.string().default('(no source given)'),
  add_disk: fn,
  fops: z.object({ direct_access: fn.optional(), release: fn.optional(), ioctl: fn.optional() }).loose(),
  sysfs: z.record(z.string(), fn).optional(),
  write_page: fn.optional(),
}).loose();

/** One line naming what is missing or wrong, and where. */
export function shapeError(exported: unknown): string | null {
  const r = DriverShape.safeParse(exported);
  if (r.success) return null;
  const i = r.error.issues[0];
  const at = i.path.length ? i.path.join('.') : 'the export';
  const got = i.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), exported);
  return `${at}: ${got === undefined ? 'missing' : i.message}`;
}

/** The plug-in a module exports: `default`, else `driver` or `plugin`. */
export function pluginOf(mod: Record<string, unknown>): unknown {
  return mod.default ?? mod.driver ?? mod.plugin;
}

export type DriverPlugin = BlockDriver;
