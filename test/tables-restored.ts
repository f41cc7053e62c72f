import { afterAll } from 'vitest';
// the whole model, so that everything it registers at import is registered before the baseline
import '../index.ts';
import '../model/filesystems.ts';
import { kernelTables } from '../model/kernel/tables.ts';
import { pluginGuardOn } from '../model/kernel/plugin-guard.ts';

/**
 * vitest setup file: every test file leaves the kernel's tables as it found them — the same
 * drivers, file systems, operation tables, substitutions and declared branches, each the same
 * object, and the plug-in guard off. A test that installs a plug-in must remove it, or another
 * test file running after it in the same worker would audit, check or count coverage on a
 * machine it did not ask for.
 */
const before = kernelTables();
const guardBefore = pluginGuardOn();

afterAll(() => {
  const after = kernelTables();
  const changed: string[] = [];
  for (const [k, v] of after) if (!before.has(k)) changed.push(`added ${k}`); else if (before.get(k) !== v) changed.push(`replaced ${k}`);
  for (const k of before.keys()) if (!after.has(k)) changed.push(`removed ${k}`);
  if (pluginGuardOn() !== guardBefore) changed.push(`plug-in guard left ${pluginGuardOn() ? 'on' : 'off'}`);
  if (changed.length) throw new Error(`this test file left the kernel's tables changed (${changed.length}): ${changed.slice(0, 8).join('; ')}${changed.length > 8 ? '; …' : ''}`);
});
