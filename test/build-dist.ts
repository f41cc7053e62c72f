import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * vitest global setup: builds dist/ from the current sources before any test runs, so the tests
 * that start `bin/xipcheck.mjs` as a process, or pack the package, use what is in the tree now
 * and never an older build.
 */
export function setup(): void {
  const root = join(import.meta.dirname, '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}
