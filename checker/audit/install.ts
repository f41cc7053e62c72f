import { registerDriver, substituteDriver, unregisterDriver } from '../../model/block/driver.ts';
import { setPluginGuard } from '../../model/kernel/plugin-guard.ts';
import { get_fs_type, register_filesystem, substituteFileSystem, unregister_filesystem } from '../../model/fs/super_operations.ts';
import { guardFileSystem } from '../../model/fs/guard-fs.ts';
import { aopsRegistry, register_aops, unregister_aops } from '../../model/fs/aops.ts';
import { fopsRegistry, register_fops, unregister_fops } from '../../model/fs/file_operations.ts';
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
  const guarded = guardFileSystem(p);
  // the tables its guarded ones replace (a plug-in may reuse a table name of ext2's), to put back
  const aopsBefore = guarded.a_ops.map((a) => [a, aopsRegistry.get(a.name)] as const);
  const fopsBefore = guarded.f_ops.map((f) => [f, fopsRegistry.get(f.name)] as const);
  register_filesystem(guarded, { replace: true });
  if (p.name !== p.role) substituteFileSystem(p.role, p.name);
  return () => {
    setPluginGuard(false);
    substituteFileSystem(p.role, null);
    if (before) register_filesystem(before, { replace: true });
    else unregister_filesystem(p.name);
    for (const [a, was] of aopsBefore) if (was) register_aops(was, true); else unregister_aops(a.name, a);
    for (const [f, was] of fopsBefore) if (was) register_fops(was, true); else unregister_fops(f.name, f);
  };
}
