#!/usr/bin/env node
// `npm run build`, and `prepare` (so `npm ci` in a clone and `npm pack` build too): compiles the
// sources to dist/ with the project's own tsc (tsconfig.build.json). dist/ is emptied first so
// that a module since deleted from the sources is never shipped from an older build.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds dist/; returns tsc's exit status, or 2 with one line when tsc is not installed. */
export function build() {
  return compile('tsconfig.build.json', 'dist');
}

/**
 * Empties `outDir`, then compiles the tsc project `project` (its outDir) with the project's own
 * tsc; both paths relative to `root`, this checkout unless given (`bench --against` compiles an
 * older commit's checkout with it).
 */
export function compile(project, outDir, root = ROOT) {
  let tsc;
  try {
    tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    process.stderr.write('xipcheck build: typescript is not installed; run `npm ci` (it installs the dev dependencies) first\n');
    return 2;
  }
  rmSync(join(root, outDir), { recursive: true, force: true });
  return spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' }).status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = build();
