#!/usr/bin/env node
// `npm run bench`: compiles bench/bench.ts and the sources it imports with tsc (tsconfig.bench.json,
// into .bench-build/) and runs the JavaScript, as the `xipcheck` command runs dist/: a loader
// that compiles TypeScript on the fly (tsx) wraps every function in a naming helper, which a
// profile of the explorer put at 5 % of its time, so the figures would not be the command's.
//
// `npm run bench -- --against REV [options]`: the same bench on the sources of commit REV (checked
// out into a temporary git worktree, with this tree's bench/ so that both measure the same
// figures), then on this tree, one after the other on this machine; prints every figure of both
// and now/then. The machines are noisy: run it on an idle one, and quote medians and ratios.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf('--against');
if (at < 0) {
  const status = compile('tsconfig.bench.json', '.bench-build');
  if (status !== 0) process.exit(status);
  await import('../.bench-build/bench/bench.js');
} else {
  const rev = args[at + 1];
  const rest = args.filter((_, i) => i !== at && i !== at + 1 && args[i] !== '--json');
  const git = (...a) => spawnSync('git', ['-C', root, ...a], { encoding: 'utf8' });
  const sha = rev && !rev.startsWith('-') ? git('rev-parse', '--verify', '--short', `${rev}^{commit}`) : null;
  if (!sha || sha.status !== 0) {
    process.stderr.write(`xipcheck bench: --against takes a commit of this repository (for example HEAD~1), not ${rev === undefined ? 'nothing' : `"${rev}"`}\n`);
    process.exit(2);
  }
  const then = sha.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'xipcheck-bench-'));
  try {
    if (git('worktree', 'add', '--detach', dir, then).status !== 0) throw new Error(`git worktree add ${then} failed`);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // this tree's bench on that commit's sources: the same figures, measured the same way
    cpSync(join(root, 'bench'), join(dir, 'bench'), { recursive: true });
    cpSync(join(root, 'tsconfig.bench.json'), join(dir, 'tsconfig.bench.json'));
    const run = (cwd, name) => {
      if (compile('tsconfig.bench.json', '.bench-build', cwd) !== 0) throw new Error(`the bench does not compile against ${name} (its sources may lack what bench/ uses)`);
      process.stderr.write(`bench: ${name}…\n`);
      const r = spawnSync(process.execPath, [join(cwd, '.bench-build/bench/bench.js'), ...rest, '--json'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) throw new Error(`the bench failed on ${name} (exit ${r.status})`);
      return JSON.parse(r.stdout);
    };
    const a = run(dir, then), b = run(root, 'this tree');
    const { compareBench, renderComparison } = await import('../.bench-build/bench/compare.js');
    console.log(`bench of ${then} (then) and of this tree (now), one after the other on this machine; medians where repeated\n`);
    console.log(renderComparison(compareBench(a, b), then, 'now'));
  } catch (e) {
    process.stderr.write(`xipcheck bench: ${e.message}\n`);
    process.exitCode = 2;
  } finally {
    git('worktree', 'remove', '--force', dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
