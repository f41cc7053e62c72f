import { parseFtrace, type FtraceLine } from './ftrace.ts';

/**
 * `xipcheck trace-audit`: what a real kernel's ftrace shows of the model's invariants on a DAX
 * mount (5.x–6.x fs/dax.c):
 *
 * - no-page-cache-copies (the model's invariant of that name): no mm_filemap_add_to_page_cache
 *   for a file of a DAX mount. Its files are the inodes with fs_dax events on a DAX device, and
 *   those named with --ino (the workload's files: a mount that is not really DAX shows no
 *   fs_dax event for them, only page-cache insertions, and is caught by this rule).
 * - fault-completes: every dax_pte_fault is followed, in the same task, by its
 *   dax_pte_fault_done, whose result is NOPAGE (the pte installed: a block, or the zero page),
 *   DONE_COW (a private write's copy) or SIGBUS (past EOF, or no block for a write fault: the
 *   trace does not show i_size, so a SIGBUS is counted, not judged). Anything else — OOM,
 *   RETRY, FALLBACK at pte level, an empty result — is a finding.
 * - hole-via-load-hole: a hole read fault is mapped by dax_load_hole (the zero page, never the
 *   page cache): every dax_load_hole result is NOPAGE.
 *
 * Bare metadata (the block device's own inode, ext4's and xfs's internal inodes) has page-cache
 * insertions on every mount and is not a file of the mount: it is never audited unless --ino
 * names it.
 *
 * A workload that mounts a DAX device again without DAX says so in the trace (trace_marker):
 * "lab-nodax-begin MAJ:MIN" when such a mount succeeded, "lab-nodax-end MAJ:MIN" when the DAX
 * mount is back. Page-cache insertions on that device in between are its page-cache files',
 * counted apart, not findings (lab/guest/executor.c writes these markers).
 */
export interface TraceAuditOptions {
  /** MAJ:MIN of the DAX mounts' devices; none: every device with an fs_dax event. */
  readonly daxDevs?: readonly string[];
  /** Inode numbers of the workload's files, audited on the DAX devices whatever the trace shows. */
  readonly inos?: readonly number[];
}

export interface TraceFinding { readonly rule: 'no-page-cache-copies' | 'fault-completes' | 'hole-via-load-hole' | 'malformed'; readonly line: number; readonly message: string }

export interface TraceAuditReport {
  readonly daxDevs: readonly string[];
  readonly files: number;
  readonly counts: { readonly lines: number; readonly events: number; readonly faults: number; readonly nopage: number; readonly sigbus: number; readonly doneCow: number; readonly loadHole: number; readonly pageCacheAddsOnDax: number; readonly pageCacheAddsElsewhere: number; readonly pageCacheAddsWhileNoDax: number };
  readonly findings: readonly TraceFinding[];
}

const OK_RESULTS = (r: readonly string[]) => r.includes('NOPAGE') || r.includes('DONE_COW') || r.includes('SIGBUS');

export function auditTrace(text: string, o: TraceAuditOptions = {}): TraceAuditReport {
  const p = parseFtrace(text);
  const findings: TraceFinding[] = p.malformed.map((m) => ({ rule: 'malformed' as const, line: m.line, message: `${m.why}: ${m.text}` }));
  const ev = p.events;
  const daxDevs = o.daxDevs?.length ? [...o.daxDevs] : [...new Set(ev.flatMap((x) => (x.e.kind === 'fault' || x.e.kind === 'pmd-fault' || x.e.kind === 'writeback' ? [x.e.dev] : [])))].sort();
  const isDax = new Set(daxDevs);
  const files = new Set<string>();
  for (const x of ev) if ((x.e.kind === 'fault' || x.e.kind === 'pmd-fault' || x.e.kind === 'writeback') && isDax.has(x.e.dev)) files.add(`${x.e.dev}/${x.e.ino}`);
  for (const d of daxDevs) for (const i of o.inos ?? []) files.add(`${d}/${i}`);

  let faults = 0, nopage = 0, sigbus = 0, doneCow = 0, loadHole = 0, pcDax = 0, pcElse = 0, pcNoDax = 0;
  // DAX devices the workload has mounted without DAX for now (its lab-nodax markers)
  const noDax = new Set<string>();
  // a pte fault in flight per task: its dax_pte_fault line
  const open = new Map<number, FtraceLine>();
  for (const x of ev) {
    const e = x.e;
    if (e.kind === 'marker') {
      const m = /^lab-nodax-(begin|end) (\d+:\d+)$/.exec(e.text);
      if (m) { if (m[1] === 'begin') noDax.add(m[2]); else noDax.delete(m[2]); }
      continue;
    }
    if (e.kind === 'pagecache') {
      if (e.event !== 'mm_filemap_add_to_page_cache') continue;
      if (noDax.has(e.dev)) { if (isDax.has(e.dev)) pcNoDax++; else pcElse++; continue; }
      if (files.has(`${e.dev}/${e.ino}`)) {
        pcDax++;
        findings.push({ rule: 'no-page-cache-copies', line: x.line, message: `page ${e.ofs / 4096n} of inode ${e.ino} on DAX device ${e.dev} entered the page cache` });
      } else pcElse++;
      continue;
    }
    if (e.kind !== 'fault' || !isDax.has(e.dev)) continue;
    if (e.event === 'dax_pte_fault') {
      const prev = open.get(x.pid);
      if (prev) findings.push({ rule: 'fault-completes', line: prev.line, message: `dax_pte_fault of task ${x.pid} has no dax_pte_fault_done before its next fault (line ${x.line})` });
      open.set(x.pid, x);
      faults++;
    } else if (e.event === 'dax_pte_fault_done') {
      const start = open.get(x.pid);
      open.delete(x.pid);
      if (!start || start.e.kind !== 'fault' || start.e.address !== e.address) findings.push({ rule: 'fault-completes', line: x.line, message: 'dax_pte_fault_done without its dax_pte_fault in the same task' });
      if (e.result.includes('SIGBUS')) sigbus++;
      else if (e.result.includes('DONE_COW')) doneCow++;
      else if (e.result.includes('NOPAGE')) nopage++;
      if (!OK_RESULTS(e.result)) findings.push({ rule: 'fault-completes', line: x.line, message: `a DAX fault on inode ${e.ino} (pgoff ${e.pgoff}) ended ${e.result.join('|') || 'with no result'}, not NOPAGE, DONE_COW or SIGBUS` });
    } else if (e.event === 'dax_load_hole') {
      loadHole++;
      if (!e.result.includes('NOPAGE')) findings.push({ rule: 'hole-via-load-hole', line: x.line, message: `dax_load_hole on inode ${e.ino} (pgoff ${e.pgoff}) ended ${e.result.join('|') || 'with no result'}, not NOPAGE` });
    }
  }
  for (const [pid, x] of open) findings.push({ rule: 'fault-completes', line: x.line, message: `dax_pte_fault of task ${pid} never completed (the trace ends first)` });
  findings.sort((a, b) => a.line - b.line);
  return {
    daxDevs, files: files.size,
    counts: { lines: text.split('\n').length, events: ev.length, faults, nopage, sigbus, doneCow, loadHole, pageCacheAddsOnDax: pcDax, pageCacheAddsElsewhere: pcElse, pageCacheAddsWhileNoDax: pcNoDax },
    findings,
  };
}

export function renderTraceAudit(r: TraceAuditReport): string {
  const c = r.counts;
  const lines = [
    `trace-audit: DAX devices ${r.daxDevs.join(', ') || 'none'}; ${r.files} file(s) audited; ${c.events} events`,
    `  pte faults ${c.faults}: ${c.nopage} NOPAGE, ${c.doneCow} DONE_COW, ${c.sigbus} SIGBUS (past EOF or no block: not judged); dax_load_hole ${c.loadHole}`,
    `  page-cache insertions: ${c.pageCacheAddsOnDax} for audited DAX files, ${c.pageCacheAddsElsewhere} for other inodes (metadata, other mounts), ${c.pageCacheAddsWhileNoDax} while the workload had a DAX device mounted without DAX (lab-nodax markers)`,
  ];
  const byRule = new Map<string, TraceFinding[]>();
  for (const f of r.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  for (const [rule, fs] of byRule) {
    lines.push(`${rule}: ${fs.length} finding(s)`);
    for (const f of fs.slice(0, 20)) lines.push(`  line ${f.line}: ${f.message}`);
    if (fs.length > 20) lines.push(`  … ${fs.length - 20} more`);
  }
  lines.push(r.findings.length ? `FAIL: ${r.findings.length} finding(s)` : 'ok: no finding');
  return lines.join('\n') + '\n';
}
