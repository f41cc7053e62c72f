import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from './check.ts';
import { variantByName } from '../model/variants.ts';
import { ext2_fs_type } from '../model/fs/ext2/register.ts';
import { register_filesystem, unregister_filesystem, type FileSystemType } from '../model/fs/super_operations.ts';
import { REFERENCE_SUITE } from '../properties/suites/reference.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { NO_LAYOUT } from '../properties/invariants/layout.ts';

/**
 * A file system that gives no layout view (FileSystemType.layout) still runs, and the
 * invariants that read which block a file page is in are reported not evaluated — never passed
 * in silence. The same file system with the view has them evaluated.
 */
const reference = variantByName('reference')!;
const base = REFERENCE_SUITE.find((x) => x.name === 'ext2-xip-dcssblk')!;
const system = (type: string) => ({ ...base, name: `ext2-as-${type}`, config: { ...base.config, fs: { ...(base.config.fs as object), type } } as typeof base.config });
const needing = INVARIANTS.filter((i) => i.needsLayout).map((i) => i.id).sort();

afterEach(() => { unregister_filesystem('nolayout'); unregister_filesystem('withlayout'); });

describe('a file system without a layout view', () => {
  it('the invariants that read a layout are the ones marked for it', () => {
    expect(needing).toEqual(['block-ownership', 'new-block-zeroed', 'no-stale-mapping', 'private-stays-private', 'read-only', 'sparse-page', 'sparse-retired', 'transfer-exact', 'truncate-zeroes-tail']);
    // docs/auditing.md §4 names each of them
    const doc = readFileSync(join(import.meta.dirname, '../docs/auditing.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## 4. File systems'), doc.indexOf('## 5.'));
    for (const id of needing) expect(section, id).toContain(`\`${id}\``);
  });
  it('leaves them not evaluated, and says why; the same file system with the view has them evaluated', () => {
    const { layout: _l, ...bare } = ext2_fs_type;
    register_filesystem({ ...bare, name: 'nolayout' } as FileSystemType);
    register_filesystem({ ...ext2_fs_type, name: 'withlayout' });
    const without = check({ seed: 3, runs: 15, variant: reference, systems: [system('nolayout')] });
    expect(without.counterexample).toBeNull();
    for (const id of needing) {
      expect(without.invariants.find((r) => r.id === id)!.checks, id).toBe(0);
      const n = without.notEvaluated.find((x) => x.id === id);
      expect(n?.reason, id).toContain(NO_LAYOUT);
    }
    // the rest are judged as usual
    expect(without.invariants.find((r) => r.id === 'refcounts')!.checks).toBeGreaterThan(0);
    const withView = check({ seed: 3, runs: 15, variant: reference, systems: [system('withlayout')] });
    expect(withView.counterexample).toBeNull();
    for (const id of ['block-ownership', 'new-block-zeroed', 'sparse-page']) {
      expect(withView.invariants.find((r) => r.id === id)!.checks, id).toBeGreaterThan(0);
      expect(withView.notEvaluated.find((x) => x.id === id)?.reason ?? '', id).not.toContain(NO_LAYOUT);
    }
  });
});
