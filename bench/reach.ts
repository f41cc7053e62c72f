/**
 * How often `check`'s random runs reach the pairs of steps a race needs (docs/races.md): the
 * arbitraries (properties/arbitraries.ts) are only as good as the shapes they produce. For each
 * pair, the share of runs (per 1000) in which it happens at least once: anywhere in the run
 * (the set-up a race needs), and within one concurrent group (the race itself). Runs are the
 * ones `xipcheck check` makes (same seeds, same arbitraries); the final reads are not counted.
 *
 *   hole-faults        two faults through mappings on one hole of one file, at different offsets
 *   alloc-then-read    a block allocated for a file page, then a read of that page (read, pread,
 *                      readv, a load through a mapping)
 *   fault-vs-truncate  a fault on a file page and an ftruncate that removes that page
 *   sparse-then-alloc  a private fault maps the sparse page over a hole, then a call allocates it
 *   alloc-vs-alloc    two calls that allocate one hole (a store through a shared writable
 *                      mapping, a write or pwrite over it), concurrently: race 2's pair (the
 *                      "anywhere" column counts the same, as one after the other the second finds a block)
 */
import fc from 'fast-check';
import type { Action } from '../model/actions.ts';
import type { State } from '../model/state.ts';
import { variantByName } from '../model/variants.ts';
import { commandsArb } from '../properties/arbitraries.ts';
import { REFERENCE_SUITE, type SuiteSystem } from '../properties/suites/reference.ts';
import { runCommands, type ExecutedStep } from '../checker/sequence.ts';
import { makeSystem } from '../checker/system.ts';
import { bmap, blocksOf } from '../properties/invariants/layout.ts';

export const PAIRS = ['hole-faults', 'alloc-then-read', 'fault-vs-truncate', 'sparse-then-alloc', 'alloc-vs-alloc'] as const;
export type Pair = (typeof PAIRS)[number];
export type Reached = Record<Pair, { seq: boolean; par: boolean }>;

type Page = { ino: number; pg: number };
const key = (p: Page) => `${p.ino}:${p.pg}`;

/** The file page a load or store at `addr` touches through a file mapping, with its offset. */
function mapped(s: State, pid: number, addr: number): (Page & { off: number }) | null {
  const PS = s.cfg.pageSize;
  const vp = Math.floor(addr / PS);
  const v = s.procs[pid]?.vmas.find((x) => vp >= x.start && vp < x.start + x.pages);
  if (!v || v.ino === null) return null;
  return { ino: v.ino, pg: v.pgoff + (vp - v.start), off: addr % PS };
}

const isHole = (s: State, p: Page) => !!s.inodes[p.ino] && !(bmap(s, p.ino, p.pg) > 0);

/** The file pages a call reads. */
function reads(s: State, a: Action): Page[] {
  const PS = s.cfg.pageSize;
  if (a.op === 'load') { const m = mapped(s, a.pid, a.addr); return m ? [m] : []; }
  const span = (fd: number, pos: number, len: number): Page[] => {
    const f = s.procs[a.pid]?.files[fd];
    if (!f || len <= 0) return [];
    const out: Page[] = [];
    for (let pg = Math.floor(pos / PS); pg <= Math.floor((pos + len - 1) / PS); pg++) out.push({ ino: f.ino, pg });
    return out;
  };
  if (a.op === 'pread') return span(a.fd, a.pos, a.len);
  if (a.op === 'read') return span(a.fd, s.procs[a.pid]?.files[a.fd]?.pos ?? 0, a.len);
  if (a.op === 'readv') return span(a.fd, s.procs[a.pid]?.files[a.fd]?.pos ?? 0, a.iov.reduce((n, v) => n + v.len, 0));
  return [];
}

/** The hole pages a call would allocate: a store through a shared writable mapping, a write over it. */
function allocates(s: State, a: Action): string[] {
  const PS = s.cfg.pageSize;
  if (a.op === 'store') {
    const m = mapped(s, a.pid, a.addr);
    const v = s.procs[a.pid]?.vmas.find((x) => Math.floor(a.addr / PS) >= x.start && Math.floor(a.addr / PS) < x.start + x.pages);
    return m && v?.shared && v.write && isHole(s, m) ? [key(m)] : [];
  }
  if (a.op !== 'pwrite' && a.op !== 'write') return [];
  const f = s.procs[a.pid]?.files[a.fd];
  if (!f || !f.write || a.len <= 0) return [];
  const pos = a.op === 'pwrite' ? a.pos : f.pos;
  const out: string[] = [];
  for (let pg = Math.floor(pos / PS); pg <= Math.floor((pos + a.len - 1) / PS); pg++) if (isHole(s, { ino: f.ino, pg })) out.push(key({ ino: f.ino, pg }));
  return out;
}

/** Pages allocated between two states (a hole that now has a block). */
function allocated(pre: State, post: State): Page[] {
  const out: Page[] = [];
  post.inodes.forEach((i, ino) => i && blocksOf(post, ino).forEach((b, pg) => { if (b > 0 && pre.inodes[ino] && !(bmap(pre, ino, pg) > 0)) out.push({ ino, pg }); }));
  return out;
}

/** Pages over which some process maps the sparse page. */
function sparseMapped(s: State): Set<string> {
  const out = new Set<string>();
  s.procs.forEach((p) => p.ptes.forEach((pte, vp) => {
    if (pte?.kind !== 'sparse') return;
    const m = mapped(s, p.pid, vp * s.cfg.pageSize);
    if (m) out.add(key(m));
  }));
  return out;
}

/** Observes one run step by step and records which pairs it reached. */
export class ReachTracker {
  readonly reached: Reached = Object.fromEntries(PAIRS.map((p) => [p, { seq: false, par: false }])) as Reached;
  private holeFaults = new Map<string, Set<number>>();
  private allocs = new Set<string>();
  private sparse = new Set<string>();

  step(pre: State, step: ExecutedStep, post: State): void {
    const calls = step.threads.flat();
    const par = calls.length > 1;
    const hit = (p: Pair) => { this.reached[p].seq = true; if (par) this.reached[p].par = true; };
    const PS = pre.cfg.pageSize;
    // faults on holes, by page: offsets seen (earlier steps, and this group's other calls)
    const faults = calls.flatMap((a) => {
      const m = a.op === 'load' || a.op === 'store' ? mapped(pre, a.pid, a.addr) : null;
      return m && isHole(pre, m) ? [{ a, m }] : [];
    });
    for (const [i, { m }] of faults.entries()) {
      if (faults.some((x, j) => j !== i && key(x.m) === key(m) && x.m.off !== m.off)) hit('hole-faults');
      const seen = this.holeFaults.get(key(m));
      if (seen && [...seen].some((o) => o !== m.off)) this.reached['hole-faults'].seq = true;
    }
    // alloc then read: the read later, or in the same group as the allocation
    const readPages = calls.flatMap((a) => reads(pre, a)).map(key);
    const newBlocks = allocated(pre, post).map(key);
    if (readPages.some((k) => this.allocs.has(k))) this.reached['alloc-then-read'].seq = true;
    if (par && newBlocks.some((k) => readPages.includes(k))) hit('alloc-then-read');
    // fault and truncate of the page it maps
    for (const t of calls) {
      if (t.op !== 'ftruncate') continue;
      const f = pre.procs[t.pid]?.files[t.fd];
      if (!f) continue;
      const cut = (p: Page) => p.ino === f.ino && p.pg * PS >= t.len;
      if (par && calls.some((a) => (a.op === 'load' || a.op === 'store') && (() => { const m = mapped(pre, a.pid, a.addr); return !!m && cut(m); })())) hit('fault-vs-truncate');
      // sequentially: a truncate that removes a page some process has faulted in (a pte maps it)
      if (pre.procs.some((p) => p.ptes.some((pte, vp) => { if (!pte || pte.kind === 'anon') return false; const m = mapped(pre, p.pid, vp * PS); return !!m && cut(m); }))) this.reached['fault-vs-truncate'].seq = true;
    }
    // sparse page then allocation of the same page
    const sparseNow = sparseMapped(post);
    if (newBlocks.some((k) => this.sparse.has(k) || sparseMapped(pre).has(k))) this.reached['sparse-then-alloc'].seq = true;
    if (par) {
      const privHole = calls.some((a) => a.op === 'load' && (() => { const m = mapped(pre, a.pid, a.addr); const v = pre.procs[a.pid].vmas.find((x) => x.ino !== null && Math.floor(a.addr / PS) >= x.start && Math.floor(a.addr / PS) < x.start + x.pages); return !!m && !!v && !v.shared && isHole(pre, m) && newBlocks.includes(key(m)); })());
      if (privHole) hit('sparse-then-alloc');
    }
    if (par) {
      const each = calls.map((a) => allocates(pre, a));
      if (each.some((x, i) => x.some((k) => each.some((y, j) => j !== i && y.includes(k))))) hit('alloc-vs-alloc');
    }
    for (const { m } of faults) { const s = this.holeFaults.get(key(m)) ?? new Set<number>(); s.add(m.off); this.holeFaults.set(key(m), s); }
    for (const k of newBlocks) this.allocs.add(k);
    for (const k of sparseNow) this.sparse.add(k);
    // a freed block makes the page a hole again: its history no longer counts
    post.inodes.forEach((i, ino) => i && blocksOf(post, ino).forEach((b, pg) => { if (!(b > 0)) { this.allocs.delete(`${ino}:${pg}`); } }));
  }
}

export interface ReachReport {
  readonly runs: number;
  /** Per system, per pair: runs (of `runs`) that reached it anywhere / in one concurrent group. */
  readonly systems: readonly { name: string; pairs: Record<Pair, { seq: number; par: number }> }[];
  readonly total: Record<Pair, { seq: number; par: number }>;
}

/** The runs `xipcheck check --seed <seed> --runs <runs>` makes, measured (no invariant evaluated). */
export function measureReach(runs: number, seed = 1, systems: readonly SuiteSystem[] = REFERENCE_SUITE): ReachReport {
  const variant = variantByName('reference')!;
  const zero = () => Object.fromEntries(PAIRS.map((p) => [p, { seq: 0, par: 0 }])) as Record<Pair, { seq: number; par: number }>;
  const total = zero();
  const out = systems.map((sd, k) => {
    const sys = makeSystem(sd.name, sd.config, variant);
    const pairs = zero();
    fc.check(fc.property(commandsArb(sys.config.processes, sd.files, sd.maxLen, 40), (cmds) => {
      const t = new ReachTracker();
      runCommands(sys, cmds, [], undefined, { finalReads: false, onStep: (pre, st, post) => t.step(pre, st, post) });
      for (const p of PAIRS) {
        if (t.reached[p].seq) { pairs[p].seq++; total[p].seq++; }
        if (t.reached[p].par) { pairs[p].par++; total[p].par++; }
      }
      return true;
    }), { seed: (seed + k * 7919) | 0, numRuns: runs });
    return { name: sd.name, pairs };
  });
  return { runs, systems: out, total };
}

export function reachText(r: ReachReport): string {
  const per = (n: number, of: number) => `${((1000 * n) / of).toFixed(0).padStart(4)}‰`;
  const lines = [`pairs of steps a race needs, in runs of xipcheck check (${r.runs} runs per system; ‰ of runs: anywhere / in one concurrent group)`];
  lines.push(`  ${'system'.padEnd(18)} ${PAIRS.map((p) => p.padStart(19)).join('')}`);
  for (const s of r.systems) lines.push(`  ${s.name.padEnd(18)} ${PAIRS.map((p) => `${per(s.pairs[p].seq, r.runs)} /${per(s.pairs[p].par, r.runs)}`.padStart(19)).join('')}`);
  const n = r.runs * r.systems.length;
  lines.push(`  ${'all'.padEnd(18)} ${PAIRS.map((p) => `${per(r.total[p].seq, n)} /${per(r.total[p].par, n)}`.padStart(19)).join('')}`);
  return lines.join('\n');
}
