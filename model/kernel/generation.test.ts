import { describe, expect, it } from 'vitest';
import { tablesGeneration } from './generation.ts';
import { registerDriver, substituteDriver, unregisterDriver, driverByName } from '../block/driver.ts';
import { register_filesystem, substituteFileSystem } from '../fs/super_operations.ts';
import { ext2_fs_type } from '../fs/ext2/register.ts';
import { setPluginGuard } from './plugin-guard.ts';

describe('the tables\' generation: what a cache of set-ups keys on', () => {
  it('moves on every change of what a config name resolves to, and on the guard', () => {
    const changes: [string, () => void][] = [
      ['registerDriver', () => registerDriver({ ...driverByName('brd')!, name: 'gen-test' })],
      ['substituteDriver', () => substituteDriver('brd', 'gen-test')],
      ['substituteDriver back', () => substituteDriver('brd', null)],
      ['unregisterDriver', () => unregisterDriver('gen-test')],
      ['register_filesystem', () => register_filesystem(ext2_fs_type, { replace: true })],
      ['substituteFileSystem', () => substituteFileSystem('ext2', null)],
      ['setPluginGuard', () => setPluginGuard(false)],
    ];
    for (const [what, change] of changes) {
      const before = tablesGeneration();
      change();
      expect(tablesGeneration(), what).not.toBe(before);
    }
  });
});
