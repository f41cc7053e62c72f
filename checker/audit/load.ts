import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pluginOf, shapeError, type Plugin } from './plugin-shape.ts';
import { BUILTIN_DRIVERS } from '../../model/block/drivers/builtin.ts';

/** A module that cannot be audited: exit 2 with this one line. */
export class PluginLoadError extends Error {}

let tsxRegistered = false;

const WHAT = {
  driver: "a driver { kind: 'driver', name, role, add_disk, fops }",
  fs: "a file system { kind: 'fs', name, role: 'ext2', mkfs, mount, umount, s_op, branches, a_ops, f_ops, layout? }",
};

/**
 * Import a plug-in module from anywhere (a TypeScript one through tsx, registered only then) and
 * check its shape. Its top-level code runs here: an exception there is a load error, not a finding.
 * `kind` is what the auditor asked for (--kind); by default, what the export says it is.
 */
export async function loadPlugin(path: string, kind?: 'driver' | 'fs'): Promise<Plugin> {
  const file = resolve(path);
  if (!existsSync(file)) throw new PluginLoadError(`${path}: no such file (give the path of a .js, .mjs or .ts module exporting the plug-in)`);
  if (/\.(c|m)?tsx?$/.test(file) && !tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    throw new PluginLoadError(`${path}: cannot load the module: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}`);
  }
  const p = pluginOf(mod) as { kind?: unknown } | undefined;
  if (p === undefined || p === null) throw new PluginLoadError(`${path}: exports no plug-in — export default ${WHAT[kind ?? 'driver']} (docs/auditing.md)`);
  const k = kind ?? (p.kind === 'fs' ? 'fs' : 'driver');
  if (kind && p.kind !== kind && (p.kind === 'fs' || p.kind === 'driver')) throw new PluginLoadError(`${path}: exports a ${p.kind === 'fs' ? 'file system' : 'driver'}, not a ${kind === 'fs' ? 'file system' : 'driver'} (drop --kind, or give --kind ${p.kind})`);
  const bad = shapeError(p, k);
  if (bad) throw new PluginLoadError(`${path}: not a ${k === 'fs' ? 'file-system' : 'driver'} plug-in: ${bad} (docs/auditing.md lists what ${k === 'fs' ? 'a file system' : 'a driver'} exports)`);
  const d = p as Plugin;
  if (d.kind === 'driver' && BUILTIN_DRIVERS.some((b) => b.name === d.name && b !== d)) {
    // the audited driver replaces the built-in of its role by substitution: it needs its own name
    return { ...d, name: `${d.name}-audited` };
  }
  return d;
}
