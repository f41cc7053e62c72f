import { z } from 'zod';
import type { BlockDriver } from '../../model/block/block_device_operations.ts';
import type { FileSystemType } from '../../model/fs/super_operations.ts';

/**
 * What a plug-in module must export (validated at load, before anything runs): a driver or a
 * file system as `default` (or as `driver`, `fs`, `plugin`). The functions' own behaviour is
 * judged by the audit, not here.
 */
const fn = z.custom<(...a: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const ident = z.string().regex(/^[a-z0-9][a-z0-9_.+:-]*$/i, 'must be a plain identifier (letters, digits, _ . + : -)');

export const DriverShape = z.object({
  kind: z.literal('driver'),
  name: ident,
  role: z.enum(['dcssblk', 'brd', 'axonram', 'disk'], { error: 'role must name the reference driver whose specification it implements: dcssblk, brd, axonram or disk' }),
  cites: z.string().default('(no source given)'),
  add_disk: fn,
  fops: z.object({ direct_access: fn.optional(), release: fn.optional(), ioctl: fn.optional() }).loose(),
  sysfs: z.record(z.string(), fn).optional(),
  write_page: fn.optional(),
}).loose();

export const FsShape = z.object({
  kind: z.literal('fs'),
  name: ident,
  role: z.literal('ext2', { error: 'role must be "ext2": the one file system whose specification the model has' }),
  cites: z.string().default('(no source given)'),
  mkfs: fn,
  mount: fn,
  umount: fn,
  s_op: z.object({ name: z.string(), new_inode: fn, setsize: fn, evict_inode: fn, remount_fs: fn, statfs: fn }).loose(),
  branches: z.object({ fn: z.string() }).loose(),
  a_ops: z.array(z.object({ name: ident, get_xip_mem: fn.optional(), readpage: fn.optional(), writepage: fn.optional(), writepages: fn.optional() }).loose()).min(1),
  f_ops: z.array(z.object({ name: ident, read: fn, write: fn, mmap: fn, fsync: fn }).loose()).min(1),
  /** What e2fsck reads (FsLayout): optional — without it the invariants that judge blocks are reported not evaluated. */
  layout: z.object({ bmap: fn, blocksOf: fn, used: fn }).loose().optional(),
}).loose();

export type DriverPlugin = BlockDriver;
export type FsPlugin = FileSystemType & { readonly kind: 'fs'; readonly role: 'ext2'; readonly cites: string };
export type Plugin = DriverPlugin | FsPlugin;

/** One line naming what is missing or wrong, and where. */
export function shapeError(exported: unknown, kind: 'driver' | 'fs'): string | null {
  const r = (kind === 'fs' ? FsShape : DriverShape).safeParse(exported);
  if (r.success) return null;
  const i = r.error.issues[0];
  const at = i.path.length ? i.path.join('.') : 'the export';
  const got = i.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), exported);
  return `${at}: ${got === undefined ? 'missing' : i.message}`;
}

/** The plug-in a module exports: `default`, else `driver`, `fs` or `plugin`. */
export function pluginOf(mod: Record<string, unknown>): unknown {
  return mod.default ?? mod.driver ?? mod.fs ?? mod.plugin;
}
