import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The model's layering, read from its import statements: no import cycle anywhere under
 * model/, and the kernel layers that must serve any file system (mm, vfs, block, the actions
 * and the generic tables of model/fs) never reach ext2, not even through another module — they
 * find it through the registries, by the names the state holds. Type-only imports count too:
 * a cycle of types is still a cycle of concepts.
 */

const ROOT = resolve(import.meta.dirname, '..');

/** Module specifiers of every import and re-export in `src`: static, type-only, side-effect and dynamic. */
export function importsOf(src: string): string[] {
  const out: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm, // import … from '…', export … from '…'
    /^\s*import\s*['"]([^'"]+)['"]/gm, // import '…' (side effects only)
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) out.push(m[1]);
  return out;
}

/** The import graph of `files` (path → source): edges to relative specifiers only, resolved to paths. */
export function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const [path, src] of files) {
    g.set(path, importsOf(src).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(path), s)).filter((p) => files.has(p)));
  }
  return g;
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** A shortest import chain from `from` to a module `target` accepts, or null. */
export function chainTo(g: ReadonlyMap<string, readonly string[]>, from: string, target: (p: string) => boolean): string[] | null {
  const prev = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift()!;
    if (v !== from && target(v)) {
      const chain = [v];
      for (let p = prev.get(v); p; p = prev.get(p)) chain.unshift(p);
      return chain;
    }
    for (const w of g.get(v) ?? []) if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
  }
  return null;
}

function sources(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const rel = (p: string): string => relative(ROOT, p);
const MODEL = join(ROOT, 'model');
const files = sources(MODEL);
const graph = importGraph(files);
const isExt2 = (p: string): boolean => rel(p).startsWith('model/fs/ext2/');

describe('the import analysis itself', () => {
  it('reads every form of import, and nothing in comments or strings that is not at the start of a statement', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      'import {\n  c,\n  d,\n} from "./cd.ts";',
      "import './side.ts';",
      "export * from './re.ts';",
      "export { e } from './e.ts';",
      "const m = await import('./dyn.ts');",
      " * a comment that says: see the data from './nowhere.ts'",
      "const s = 'import x from ./not-this';",
    ].join('\n');
    expect(importsOf(src).sort()).toEqual(['../b.ts', './a.ts', './cd.ts', './dyn.ts', './e.ts', './re.ts', './side.ts']);
  });
  it('finds a cycle, a self-import, and none in a chain', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
  it('finds the chain by which one module reaches another', () => {
    expect(chainTo(new Map([['a', ['b']], ['b', ['x/c']], ['x/c', []]]), 'a', (p) => p.startsWith('x/'))).toEqual(['a', 'b', 'x/c']);
  });
  it('sees the real tree: model/ has its modules and the wiring does reach ext2', () => {
    expect(files.size).toBeGreaterThan(60);
    // model/init.ts wires the file systems in (model/filesystems.ts → ext2's register_filesystem)
    expect(chainTo(graph, join(MODEL, 'init.ts'), isExt2)?.map(rel)).toContain('model/filesystems.ts');
  });
});

describe('the model is layered', () => {
  it('has no import cycle under model/ (type-only imports included)', () => {
    expect(cycles(graph).map((c) => c.map(rel).join(' ↔ '))).toEqual([]);
  });

  // the layers every file system and driver plugs into: they name none
  const generic = [...files.keys()].filter((p) => {
    const r = rel(p);
    if (r.endsWith('.test.ts')) return false; // a test may set up any file system
    return /^model\/(mm|vfs|block)\//.test(r) || r === 'model/actions.ts' || /^model\/fs\/[^/]+\.ts$/.test(r);
  });
  it('the generic layers are there to check', () => {
    for (const d of ['model/mm/', 'model/vfs/', 'model/block/', 'model/fs/aops.ts', 'model/fs/super_operations.ts', 'model/actions.ts']) {
      expect(generic.some((p) => rel(p).startsWith(d)), d).toBe(true);
    }
  });
  for (const p of generic) {
    it(`${rel(p)} reaches no module of model/fs/ext2, directly or through another`, () => {
      expect(chainTo(graph, p, isExt2)?.map(rel) ?? null).toBeNull();
    });
  }
});

describe('the plug-ins use the contract and nothing else (no back doors)', () => {
  /** The relative imports of every non-test module in `dir`, resolved against the repo root. */
  const importsIn = (dir: string): [string, string][] => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .flatMap((f) => importsOf(readFileSync(join(ROOT, dir, f), 'utf8')).map((s): [string, string] => [f, relative(ROOT, resolve(ROOT, dir, s))]));
  it('ext2 reaches the kernel only through model/fs/kernel_api.ts (and the errno values)', () => {
    const allowed = (p: string) => p.startsWith('model/fs/ext2/') || p === 'model/fs/kernel_api.ts' || p === 'model/kernel/errno.ts';
    expect(importsIn('model/fs/ext2').filter(([, p]) => !allowed(p))).toEqual([]);
  });
  it('the reference drivers use only the driver contract and the values it names', () => {
    const allowed = new Set(['model/block/block_device_operations.ts', 'model/kernel/errno.ts', 'model/kernel/coverage.ts', 'model/kernel/variant.ts', 'model/kernel/physmem.ts', 'model/config.ts']);
    const bad = importsIn('model/block/drivers').filter(([f, p]) => f !== 'builtin.ts' && !p.startsWith('model/block/drivers/') && !allowed.has(p));
    expect(bad).toEqual([]);
  });
});

/**
 * A file system's state is its own (docs/limitations.md, issue 8): the per-inode data
 * (Inode.priv: ext2_inode_info.i_data), the super block's (SuperBlock.priv: ext2_sb_info's
 * bitmap) and the on-disk slice of an unmounted one (State.onDisk) are read by the file system
 * alone. mm, the VFS, the block layer, the checker and the reference reach a layout only
 * through the file system's operations and its layout view (FileSystemType.layout), and never
 * write them. The rule is read off the source: a property access `.priv` or `.onDisk`, or such
 * a key in an object, outside model/fs/ext2/ is allowed only in the files below (and in the
 * block layer, model/block/, whose `priv` is the drivers' own), each for a reason that is not a
 * file system's slice.
 */
export function sliceReads(src: string): string[] {
  return src.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l) && /\.(priv|onDisk)\b|\b(priv|onDisk)\s*:/.test(l)).map((l) => l.trim());
}

describe('a file system\'s slices are read by that file system only', () => {
  const ALLOWED: Record<string, string> = {
    'model/state.ts': 'declares the slices; updateDevice keeps a disk\'s Device.priv equal on its partitions',
    'model/init.ts': 'add_disk\'s Device.priv, and State.onDisk made empty before each type\'s mkfs fills its own',
    'properties/reference/state.ts': 'the reference\'s own private-mapping pages, not the model\'s state',
    'properties/invariants/driver-contract.ts': 'compares a driver\'s Device.priv before and after, never reads into it',
    'properties/reference/posix.ts': 'the reference\'s own private-mapping pages (its field `priv`), not the model\'s state',
    'model/fs/guard-fs.ts': 'the audit guard: whether a slice changed and is plain data, never what it says',
    'checker/explore/canon.ts': 'the explorer hashes every slice as JSON, never reads into one',
    'properties/invariants/block-ownership.ts': 'memoises on the slices\' object identities, never reads into one',
  };
  const roots = ['model', 'properties', 'checker', 'cli', 'bench'].map((d) => join(ROOT, d));
  const all = new Map<string, string>();
  for (const r of roots) for (const [p, s] of sources(r)) all.set(rel(p), s);
  all.set('index.ts', readFileSync(join(ROOT, 'index.ts'), 'utf8'));
  it('the rule sees a read and a write, and ignores comments', () => {
    expect(sliceReads('const m = s.inodes[1]!.priv;\n * the inode\'s .priv is ext2\'s\n// s.onDisk[0]\nconst b = s.onDisk[0];\nconst i2 = { ...i, priv: null };\nconst privy = 1;'))
      .toEqual(['const m = s.inodes[1]!.priv;', 'const b = s.onDisk[0];', 'const i2 = { ...i, priv: null };']);
  });
  it('no module outside model/fs/ext2 reads or writes Inode.priv, SuperBlock.priv or State.onDisk (tests aside: they may set up ext2 states)', () => {
    const bad = [...all].filter(([p, s]) => !p.endsWith('.test.ts') && !p.startsWith('model/fs/ext2/') && !p.startsWith('model/block/') && !(p in ALLOWED) && sliceReads(s).length > 0)
      .map(([p, s]) => `${p}: ${sliceReads(s)[0]}`);
    expect(bad).toEqual([]);
  });
  it('every allowed exception still has its reason in the source', () => {
    for (const p of Object.keys(ALLOWED)) expect(sliceReads(all.get(p) ?? ''), p).not.toEqual([]);
  });
});
