import { registerDriver, substituteDriver, unregisterDriver } from '../../model/block/driver.ts';
import { setPluginGuard } from '../../model/kernel/plugin-guard.ts';
import { get_fs_type, register_filesystem, substituteFileSystem, unregister_filesystem } from '../../model/fs/super_operations.ts';
import { guardFileSystem } from '../../model/fs/guard-fs.ts';
import type { Plugin } from './plugin-shape.ts';

/**
 * Put an audited plug-in in place of the reference one of its role, under the guard; returns
 * what undoes it. A driver is registered beside the built-in ones and substituted for its role;
 * a file system is registered guarded (its tables too), and substituted for ext2 when it has its
 * own name — one named ext2 (the reference itself) replaces the built-in until undone.
 */
export function installPlugin(p: Plugin): () => void {
  setPluginGuard(true);
  if (p.kind === 'driver') {
    registerDriver(p);
    if (p.name !== p.role) substituteDriver(p.role, p.name);
    return () => { setPluginGuard(false); substituteDriver(p.role, null); unregisterDriver(p.name); };
  }
  const before = get_fs_type(p.name);
  register_filesystem(guardFileSystem(p), { replace: true });
  if (p.name !== p.role) substituteFileSystem(p.role, p.name);
  return () => {
    setPluginGuard(false);
    substituteFileSystem(p.role, null);
    if (before) register_filesystem(before, { replace: true });
    else unregister_filesystem(p.name);
  };
}
