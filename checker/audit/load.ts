import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pluginOf, shapeError, type DriverPlugin } from './plugin-shape.ts';
import { BUILTIN_DRIVERS } from '../../model/block/drivers/builtin.ts';

/** A module that cannot be audited: exit 2 with this one line. */
export class PluginLoadError extends Error {}

let tsxRegistered = false;

/**
 * Import a plug-in module from anywhere (a TypeScript one through tsx, registered only then) and
 * check its shape. Its top-level code runs here: an exception there is a load error, not a finding.
 */
export async function loadPlugin(path: string, kind: 'driver' | 'fs' = 'driver'): Promise<DriverPlugin> {
  const file = resolve(path);
  if (!existsSync(file)) throw new PluginLoadError(`${path}: no such file (give the path of a .js, .mjs or .ts module exporting the plug-in)`);
  if (kind === 'fs') throw new PluginLoadError('--kind fs: file-system plug-ins cannot be audited yet (only drivers: --kind driver); the file-system contract is in docs/auditing.md');
  if (/\.(c|m)?tsx?$/.test(file) && !tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    throw new PluginLoadError(`${path}: cannot load the module: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
  const p = pluginOf(mod);
  if (p === undefined) throw new PluginLoadError(`${path}: exports no plug-in — export default a driver { kind: 'driver', name, role, add_disk, fops } (docs/auditing.md)`);
  const bad = shapeError(p);
  if (bad) throw new PluginLoadError(`${path}: not a driver plug-in: ${bad} (docs/auditing.md lists what a driver exports)`);
  const d = p as DriverPlugin;
  if (BUILTIN_DRIVERS.some((b) => b.name === d.name && b !== d)) {
    // the audited driver replaces the built-in of its role by substitution: it needs its own name
    return { ...d, name: `${d.name}-audited` };
  }
  return d;
}
