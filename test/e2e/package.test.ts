import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../index.ts';

/**
 * The package as a user gets it: `npm pack`, installed into a fresh TypeScript project in a
 * temporary folder outside the repo, type-checked with `tsc --init`'s defaults, run.
 * No network: the tarball's dependencies and typescript are copied from the repo's own
 * node_modules before `npm install --offline` adds the tarball, so npm finds every one of them
 * already in place and fetches nothing.
 */
const ROOT = join(import.meta.dirname, '../..');
const base = mkdtempSync(join(tmpdir(), 'xipcheck-package-'));
const packDir = join(base, 'pack');
const project = join(base, 'my-plugin'); // a lower-case folder name: npm init takes it as the package name

/** Child npm, tsc and node see a plain shell's environment, not the `npm test` that runs this. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 50_000 });
  return { code: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}
function ok(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  expect(r.code, `${cmd} ${args.join(' ')}\n${r.out}${r.err}`).toBe(0);
  return r.out;
}

/** A package's name and what it depends on, as installed in the repo. */
function depsOf(name: string): string[] {
  const p = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  return Object.keys({ ...p.dependencies, ...p.optionalDependencies });
}

let files: string[] = [];
let tarball = '';
let size = 0;

beforeAll(() => {
  expect(relative(ROOT, base).startsWith('..'), `${base} must be outside the repo`).toBe(true);
  mkdirSync(packDir);
  // dist/ was built from the current sources by the global setup (test/build-dist.ts); `prepare`
  // would rebuild it here under the other tests that run the bin, so it is not run again
  const [packed] = JSON.parse(ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], ROOT));
  files = packed.files.map((f: { path: string }) => f.path);
  tarball = join(packDir, packed.filename);
  size = packed.size;
}, 60_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('ships the compiled JavaScript with its declarations, the bin, and no sources or tests', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/checker/explore/worker.js', 'bin/xipcheck.mjs', 'package.json', 'README.md']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|(?<!\.d)\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/') && !['bin/xipcheck.mjs', 'package.json', 'README.md'].includes(f))).toEqual([]);
    // every module a consumer imports has its types beside it
    const js = files.filter((f) => f.endsWith('.js'));
    expect(js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')))).toEqual([]);
    expect(size).toBeGreaterThan(0);
  });
});

describe('a fresh TypeScript project outside the repo, with the tarball installed', () => {
  beforeAll(() => {
    mkdirSync(project);
    ok('npm', ['init', '-y'], project);
    // a plug-in is an ES module (`xipcheck audit` imports it); tsc --init's verbatimModuleSyntax
    // refuses import syntax in a CommonJS package, which is npm init's default
    ok('npm', ['pkg', 'set', 'type=module', `devDependencies.typescript=${depVersion('typescript')}`], project);
    const closure = new Set<string>();
    const visit = (name: string): void => {
      if (closure.has(name)) return;
      try { readFileSync(join(ROOT, 'node_modules', name, 'package.json')); } catch { return; } // another platform's optional binary
      closure.add(name);
      depsOf(name).forEach(visit);
    };
    [...Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies), 'typescript'].forEach(visit);
    for (const name of closure) cpSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), { recursive: true });
    ok('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], project);
    ok('npx', ['--offline', 'tsc', '--init'], project);
    writeFileSync(join(project, 'plugin.ts'), PLUGIN);
    writeFileSync(join(project, 'use.ts'), USE);
  }, 60_000);

  it('type-checks a plug-in importing types and values from xipcheck with the defaults of tsc --init', () => {
    const r = run('npx', ['--offline', 'tsc', '--noEmit'], project);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('and with the package\'s own declarations checked too (skipLibCheck off)', () => {
    const r = run('npx', ['--offline', 'tsc', '--noEmit', '--skipLibCheck', 'false'], project);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('runs the compiled plug-in on the package\'s compiled JavaScript', () => {
    ok('npx', ['--offline', 'tsc'], project);
    expect(ok('node', ['use.js'], project).trim()).toBe(`${INVARIANTS.length} invariants, 1 device`);
  }, 60_000);

  it('audits the plug-in, as TypeScript and compiled: npx xipcheck audit exits 0', () => {
    for (const m of ['plugin.ts', 'plugin.js']) {
      const r = run('npx', ['--offline', 'xipcheck', 'audit', m, '--runs', '30', '--time-budget', '6', '--max-states', '2000', '--trace-out', 'findings'], project);
      expect(r.out, r.err).toMatch(/^audit of membank \(plugin\.[jt]s\), in place of the reference axonram$/m);
      expect(r.out).toMatch(/^no violation within these bounds$/m);
      expect(r.code).toBe(0);
    }
  }, 60_000);
  it('answers npx xipcheck --help, and explores with worker threads from the compiled code', () => {
    expect(ok('npx', ['--offline', 'xipcheck', '--help'], project)).toMatch(/^xipcheck \d+\.\d+\.\d+ /);
    const r = run('npx', ['--offline', 'xipcheck', 'explore', '--threads', '2', '--ops', '1', '--pages', '1', '--workers', '2'], project);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^BOUND EXHAUSTED/m);
  }, 60_000);
});

/** The exact typescript version the repo installed. */
function depVersion(name: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** What a plug-in author writes: a driver against the contract's types, nothing deep. */
const PLUGIN = `import { type BlockDriver, pfnOf, PAGE_SECTORS, errno } from 'xipcheck';

/** A memory bank to axonram's specification: the partition start added, no alignment check. */
const bank: BlockDriver<null> = {
  kind: 'driver', name: 'membank', role: 'axonram', cites: 'after arch/powerpc/sysdev/axonram.c axon_ram_direct_access',
  add_disk: (config) => ({ priv: null, backed: true, readOnly: config.readOnly }),
  fops: {
    direct_access(_ctx, disk, sector) {
      if (!disk.present) return { ret: { err: -errno.ENODEV } };
      const off = sector + disk.startSect;
      if (off >= disk.pages * PAGE_SECTORS) return { ret: { err: -errno.ERANGE } };
      const page = Math.floor(off / PAGE_SECTORS);
      const sub = Math.floor(((off % PAGE_SECTORS) * disk.pageSize) / PAGE_SECTORS);
      return { ret: { kaddr: pfnOf(disk.index, page) * disk.pageSize + sub, pfn: pfnOf(disk.index, page) } };
    },
  },
};
export default bank;
`;

/** And what a library user writes: the model's values. */
const USE = `import { type ConfigInput, type State, initialState, INVARIANTS, variantByName } from 'xipcheck';
const config: ConfigInput = { devices: [{ name: 'ram0', driver: 'brd', pages: 8 }], fs: { device: 'ram0' } };
const reference = variantByName('reference');
if (!reference) throw new Error('no reference variant');
const state: State = initialState(config, { variant: reference, pageSize: 4 });
console.log(\`\${INVARIANTS.length} invariants, \${state.devices.length} device\`);
`;
