import { describe, expect, it } from 'vitest';
import { parseFtrace } from './ftrace.ts';
import { auditTrace } from './trace-audit.ts';

const pte = (pid: number, ev: string, ino: string, addr: string, pgoff: string, result: string, flags = 'ALLOW_RETRY|KILLABLE|USER') =>
  `        executor-${pid}     [000] .....    10.58${pid}: ${ev}: dev 259:1 ino ${ino} shared ${flags} address ${addr} pgoff ${pgoff} ${result}`;

describe('ftrace text: the fs_dax and filemap formats of 5.x–6.x', () => {
  it('parses fault, pmd, writeback, page-cache (both formats) and marker lines; comments and blanks are skipped', () => {
    const p = parseFtrace([
      '# tracer: nop',
      '',
      pte(7, 'dax_pte_fault', '0xe', '0x7f38c9c4d000', '0x0', ''),
      pte(7, 'dax_pte_fault_done', '0xe', '0x7f38c9c4d000', '0x0', 'MAJOR|NOPAGE'),
      '        executor-178     [000] .....    10.586991: dax_pmd_fault: dev 259:2 ino 0xe private ALLOW_RETRY|USER address 0x7f38c9c4d000 vm_start 0x7f38c9c4d000 vm_end 0x7f38c9c4f000 pgoff 0x0 max_pgoff 0x2 ',
      '        executor-230     [001] .....    14.917803: dax_writeback_range: dev 259:1 ino 0xe pgoff 0x0-0x7ffffffffffff',
      '        executor-184     [001] .....    12.208503: mm_filemap_add_to_page_cache: dev 0:3 ino 10300001 pfn=0x7fbaa ofs=73728 order=0',
      '           <...>-12    [002] ....   5.1: mm_filemap_add_to_page_cache: dev 259:1 ino e page=00000000deadbeef pfn=0x1234 ofs=4096',
      '            init-1       [000] .....     9.200771: tracing_mark_write: lab-mount ext4-dax',
      '          kworker-9     [000] .....     9.3: sched_switch: prev_comm=a',
    ].join('\n'));
    expect(p.malformed).toEqual([]);
    expect(p.events.map((e) => e.e.kind)).toEqual(['fault', 'fault', 'pmd-fault', 'writeback', 'pagecache', 'pagecache', 'marker', 'other']);
    const done = p.events[1].e;
    expect(done.kind === 'fault' && done.result).toEqual(['MAJOR', 'NOPAGE']);
    expect(done.kind === 'fault' && done.ino).toBe(14);
    const old = p.events[5].e;
    expect(old.kind === 'pagecache' && [old.dev, old.ino, old.ofs]).toEqual(['259:1', 14, 4096n]);
    expect(p.events[2].line).toBe(5);
  });

  it('reports each malformed line with its number, and never throws', () => {
    const p = parseFtrace(['garbage', pte(1, 'dax_pte_fault_done', 'zz', '0x1', '0x0', 'NOPAGE'), '  x-1 [000] ..... 1.0: mm_filemap_add_to_page_cache: dev 259:1', '\u0000\u0001'].join('\n'));
    expect(p.malformed.map((m) => m.line)).toEqual([1, 2, 3, 4]);
    expect(p.malformed[1].why).toMatch(/dax_pte_fault_done: fields do not match/);
    expect(() => parseFtrace('\n'.repeat(3) + 'x'.repeat(100000))).not.toThrow();
  });
});

describe('trace-audit rules', () => {
  it('a fault that ends NOPAGE, DONE_COW or SIGBUS is fine; RETRY, an empty result or a missing done is a finding', () => {
    const ok = [pte(1, 'dax_pte_fault', '0xe', '0x10', '0x0', ''), pte(1, 'dax_pte_fault_done', '0xe', '0x10', '0x0', 'NOPAGE'),
      pte(2, 'dax_pte_fault', '0xe', '0x20', '0x1', ''), pte(2, 'dax_pte_fault_done', '0xe', '0x20', '0x1', 'DONE_COW'),
      pte(3, 'dax_pte_fault', '0xe', '0x30', '0x9', ''), pte(3, 'dax_pte_fault_done', '0xe', '0x30', '0x9', 'SIGBUS')].join('\n');
    const r = auditTrace(ok);
    expect(r.findings).toEqual([]);
    expect([r.counts.faults, r.counts.nopage, r.counts.doneCow, r.counts.sigbus]).toEqual([3, 1, 1, 1]);
    const bad = auditTrace([pte(1, 'dax_pte_fault', '0xe', '0x10', '0x0', ''), pte(1, 'dax_pte_fault_done', '0xe', '0x10', '0x0', 'RETRY'),
      pte(2, 'dax_pte_fault', '0xe', '0x20', '0x0', ''), pte(2, 'dax_pte_fault_done', '0xe', '0x20', '0x0', ''),
      pte(4, 'dax_pte_fault', '0xe', '0x40', '0x0', '')].join('\n'));
    expect(bad.findings.map((f) => [f.rule, f.line])).toEqual([['fault-completes', 2], ['fault-completes', 4], ['fault-completes', 5]]);
  });

  it('a hole fault must be NOPAGE; a page-cache insertion of an audited DAX file is a finding, of other inodes not', () => {
    const t = [pte(1, 'dax_load_hole', '0xe', '0x10', '0x0', 'OOM'),
      '  x-1 [000] ..... 1.0: mm_filemap_add_to_page_cache: dev 259:1 ino e pfn=0x1 ofs=8192 order=0',
      '  x-1 [000] ..... 1.1: mm_filemap_add_to_page_cache: dev 259:1 ino 1 pfn=0x1 ofs=0 order=0',
      '  x-1 [000] ..... 1.2: mm_filemap_add_to_page_cache: dev 0:3 ino e pfn=0x1 ofs=0 order=0'].join('\n');
    const r = auditTrace(t);
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([['hole-via-load-hole', 1], ['no-page-cache-copies', 2]]);
    expect(r.findings[1].message).toMatch(/page 2 of inode 14 on DAX device 259:1/);
    expect(r.counts.pageCacheAddsElsewhere).toBe(2);
  });

  it('--ino audits a file the trace shows no DAX event for: a mount that is not DAX is caught', () => {
    const t = '  x-1 [000] ..... 1.0: mm_filemap_add_to_page_cache: dev 259:2 ino 0d pfn=0x1 ofs=0 order=0';
    expect(auditTrace(t, { daxDevs: ['259:2'] }).findings).toEqual([]);
    expect(auditTrace(t, { daxDevs: ['259:2'], inos: [13] }).findings.map((f) => f.rule)).toEqual(['no-page-cache-copies']);
  });

  it('between lab-nodax-begin and lab-nodax-end of its device, a DAX device\'s page-cache insertions are counted apart, not findings', () => {
    const add = (t: string, dev: string) => `  x-1 [000] ..... ${t}: mm_filemap_add_to_page_cache: dev ${dev} ino 0d pfn=0x1 ofs=0 order=0`;
    const mark = (t: string, text: string) => `  x-1 [000] ..... ${t}: tracing_mark_write: ${text}`;
    const t = [add('1.0', '259:2'), mark('1.1', 'lab-nodax-begin 259:2'), add('1.2', '259:2'), add('1.3', '259:3'),
      mark('1.4', 'lab-nodax-end 259:2'), add('1.5', '259:2'), mark('1.6', 'lab-nodax-begin 259:9'), add('1.7', '259:9')].join('\n');
    const r = auditTrace(t, { daxDevs: ['259:2', '259:3'], inos: [13] });
    expect(r.findings.map((f) => f.line)).toEqual([1, 4, 6]);
    // a device not audited is elsewhere, window or not
    expect([r.counts.pageCacheAddsWhileNoDax, r.counts.pageCacheAddsElsewhere]).toEqual([1, 1]);
  });
});
