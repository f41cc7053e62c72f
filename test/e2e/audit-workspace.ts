import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The audit e2e tests' workspace: `xipcheck audit` as an auditor uses it, on plug-ins written in a
 * folder outside the repository that import only 'xipcheck' (a node_modules link to this
 * package), audited by the real CLI. Each test file makes its own folder.
 */
export const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin/xipcheck.mjs');

export interface Workspace {
  readonly dir: string;
  /** Writes a plug-in module into the folder; its path. */
  plugin(name: string, body: string): string;
  /** The CLI, run in the folder. */
  xipcheck(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** A dcssblk-like driver, correct except for what `bug` changes in direct_access. */
  dcss(name: string, bug: string, extra?: string): string;
  /** ext2 with one misdeed in get_xip_mem for file page 1 (the steps it takes itself are judged, mm's are not). */
  evilFs(name: string, misdeed: string): string;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'xipcheck-audit-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules/xipcheck'), 'dir');
  const plugin = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const xipcheck = (...args: string[]): Promise<{ code: number; out: string; err: string }> => new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, timeout: 180_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : 99) : 0, out, err }));
  });
  const dcss = (name: string, bug: string, extra = ''): string => plugin(`${name}.mjs`, DCSS(name, bug, extra));
  const evilFs = (name: string, misdeed: string): string => plugin(`${name}.mjs`, EVIL_FS(name, misdeed));
  return { dir, plugin, xipcheck, dcss, evilFs };
}

/** The trace files an audit wrote into `out`. */
export const traces = (out: string): string[] => readdirSync(out).filter((f) => f.endsWith('.trace.json')).map((f) => join(out, f));

const DCSS = (name: string, bug: string, extra: string): string => `import { pfnOf, PAGE_SECTORS, errno } from 'xipcheck';
${extra}
export default {
  kind: 'driver', name: '${name}', role: 'dcssblk', cites: 'test',
  add_disk: (c) => ({ priv: { segmentType: c.segmentType, shared: c.shared, savePending: false, saves: 0 }, backed: true, readOnly: c.readOnly || (c.shared && ['SR', 'ER', 'SC'].includes(c.segmentType)) }),
  fops: {
    direct_access(ctx, disk, sector) {
      if (!disk.present) return { ret: { err: -errno.ENODEV } };
      if (sector % PAGE_SECTORS) return { ret: { err: -errno.EINVAL } };
      const pg = sector / PAGE_SECTORS;
      if (pg >= disk.pages) return { ret: { err: -errno.ERANGE } };
      ${bug}
      return { ret: { kaddr: pfnOf(disk.index, pg) * disk.pageSize, pfn: pfnOf(disk.index, pg) } };
    },
  },
};
`;

const EVIL_FS = (name: string, misdeed: string): string => `import { ext2, kernel } from 'xipcheck';
export default {
  ...ext2, name: '${name}',
  a_ops: ext2.a_ops.map((a) => (a.get_xip_mem ? { ...a, *get_xip_mem(ctx, ino, pgoff, create) {
    if (pgoff === 1) { ${misdeed} }
    return yield* a.get_xip_mem(ctx, ino, pgoff, create);
  } } : a)),
};
`;
