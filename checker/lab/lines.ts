import type { Action } from '../../model/actions.ts';
import { fsConfigs, type Config } from '../../model/config.ts';
import type { TraceStep } from '../trace.ts';

/**
 * A scenario in the lab executor's line format (lab/guest/executor.c): what the guest runs on a
 * real kernel. Units stay the model's; the executor scales them to 4096-byte pages.
 *
 *   scenario NAME
 *   config ps=4 vpages=12 heap=2 procs=2 maxpages=6 free=5
 *   file NAME HEX HOLES          (HOLES: page indexes, comma-separated, or -)
 *   call STEP TH K PID OP key=value…
 *   end
 */

/** What the executor runs: the calls a program on a healthy kernel can make. */
export const LAB_OPS = [
  'open', 'close', 'unlink', 'read', 'pread', 'readv', 'write', 'pwrite', 'writev', 'lseek',
  'fstat', 'statfs', 'ftruncate', 'fsync', 'mmap', 'munmap', 'msync', 'mprotect', 'load', 'store',
  'mount', 'remount', 'umount',
] as const;
const OPS = new Set<string>(LAB_OPS);

export type LabScenario = { readonly name: string; readonly lines: readonly string[]; readonly free: number } | { readonly name: string; readonly skip: string };

const hex = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
const bit = (b: boolean | undefined) => (b ? '1' : '0');

function argsOf(a: Action): string {
  switch (a.op) {
    case 'open': {
      const f = a.flags;
      return `name=${a.name} flags=${f.read ? 'r' : ''}${f.write ? 'w' : ''}${f.append ? 'a' : ''}${f.creat ? 'c' : ''}${f.excl ? 'x' : ''}${f.trunc ? 't' : ''}`;
    }
    case 'close': case 'fstat': case 'fsync': return `fd=${a.fd}`;
    case 'unlink': return `name=${a.name}`;
    case 'read': case 'write': return `fd=${a.fd} buf=${a.buf} len=${a.len}`;
    case 'pread': case 'pwrite': return `fd=${a.fd} buf=${a.buf} len=${a.len} pos=${a.pos}`;
    case 'readv': case 'writev': return `fd=${a.fd} iov=${a.iov.map((v) => `${v.buf}:${v.len}`).join(',')}`;
    case 'lseek': return `fd=${a.fd} pos=${a.pos} whence=${a.whence}`;
    case 'statfs': return '';
    case 'ftruncate': return `fd=${a.fd} len=${a.len}`;
    case 'mmap': return `fd=${a.fd} pages=${a.pages} pgoff=${a.pgoff} shared=${bit(a.shared)} read=${bit(a.read)} write=${bit(a.write)}`;
    case 'munmap': return `addr=${a.addr} pages=${a.pages}`;
    case 'msync': return `addr=${a.addr} pages=${a.pages} sync=${bit(a.sync)}`;
    case 'mprotect': return `addr=${a.addr} pages=${a.pages} read=${bit(a.read)} write=${bit(a.write)}`;
    case 'load': return `addr=${a.addr} len=${a.len}`;
    case 'store': return `addr=${a.addr} bytes=${hex(a.bytes)}`;
    // the run's own device and mount point (labUnfit): only the flags travel
    case 'mount': case 'remount': return `xip=${bit(a.xip)} ro=${bit(a.ro)}`;
    case 'umount': return '';
    default: throw new Error(`lab: no line form for ${a.op}`);
  }
}

/** Why a scenario cannot run on a healthy kernel as it stands (null: it can). */
export function labUnfit(cfg: Config, steps: readonly TraceStep[]): string | null {
  if (4096 % cfg.pageSize !== 0) return `page size ${cfg.pageSize} does not divide 4096`;
  const list = fsConfigs(cfg);
  if (list.length !== 1) return 'several file systems (the lab mounts one per run)';
  if (!list[0].mounted || list[0].mount.ro) return 'the file system is not mounted read-write at start';
  const bs = list[0].mount.blocksize;
  if (bs !== undefined && bs !== cfg.pageSize) return `block size ${bs} is not the page size (the lab's file systems have 4096-byte blocks, one page)`;
  const dev = cfg.devices.find((d) => d.name === list[0].device);
  if (dev?.partitionOf !== undefined || cfg.devices.some((d) => d.partitionOf !== undefined)) return 'partitions (the lab mounts whole pmem devices)';
  for (const s of steps) for (const p of s.threads) for (const a of p) {
    if (!OPS.has(a.op)) return `"${a.op}" is not a call a program makes on a healthy kernel's DAX file system`;
    if ((a.op === 'statfs' || a.op === 'remount' || a.op === 'umount') && (a.mnt ?? 0) !== 0) return `${a.op} of mount point ${a.mnt}, which the lab does not have (it mounts one file system per run)`;
    if (a.op === 'mount' && cfg.devices[a.dev]?.name !== list[0].device) return `mount of device ${a.dev}, which is not the file system's (the lab mounts its own pmem device)`;
    if ('name' in a && typeof a.name === 'string' && !/^[A-Za-z0-9_.-]+$/.test(a.name)) return `file name "${a.name}" is not a plain name`;
  }
  return null;
}

/**
 * The trace as executor lines. `free` is how many blocks the model's file system has free at
 * start: the guest fills the real one with a ballast file until as many are free, so that
 * ENOSPC comes at the same point.
 */
export function labLines(name: string, cfg: Config, steps: readonly TraceStep[], free: number): LabScenario {
  const why = labUnfit(cfg, steps);
  if (why) return { name, skip: why };
  const fs = fsConfigs(cfg)[0];
  const lines = [
    `scenario ${name}`,
    `config ps=${cfg.pageSize} vpages=${cfg.vpages} heap=${cfg.heapPages} procs=${cfg.processes} maxpages=${fs.maxFilePages} free=${free}`,
    ...fs.files.map((f) => `file ${f.name} ${hex(f.data) || '-'} ${f.holes.length ? f.holes.join(',') : '-'}`),
  ];
  steps.forEach((s, i) => {
    s.threads.forEach((p, th) => p.forEach((a, k) => lines.push(`call ${i} ${th} ${k} ${a.pid} ${a.op} ${argsOf(a)}`.trimEnd())));
  });
  lines.push('end');
  return { name, lines, free };
}
