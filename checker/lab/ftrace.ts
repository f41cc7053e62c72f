/**
 * ftrace's text output (/sys/kernel/tracing/trace) for the events the trace audit reads: the
 * fs_dax events and the filemap page-cache events, in their 5.x–6.x formats
 * (include/trace/events/fs_dax.h, include/trace/events/filemap.h), and trace_marker writes.
 *
 *   TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS      (FLAGS absent in older default formats)
 *
 * A line that is neither a comment, blank, nor an event line is malformed and reported with
 * its number; an event line of an event the audit does not read is kept as `other`; an event
 * the audit reads whose fields do not parse is malformed too (the audit would otherwise judge
 * less than it claims).
 */
export type FaultResult = readonly string[];

export type FtraceEvent =
  | { readonly kind: 'fault'; readonly event: string; readonly dev: string; readonly ino: number; readonly shared: boolean; readonly flags: readonly string[]; readonly address: bigint; readonly pgoff: bigint; readonly result: FaultResult }
  | { readonly kind: 'pmd-fault'; readonly event: string; readonly dev: string; readonly ino: number; readonly shared: boolean; readonly flags: readonly string[]; readonly address: bigint; readonly pgoff: bigint; readonly maxPgoff: bigint; readonly result: FaultResult }
  | { readonly kind: 'writeback'; readonly event: string; readonly dev: string; readonly ino: number }
  | { readonly kind: 'pagecache'; readonly event: 'mm_filemap_add_to_page_cache' | 'mm_filemap_delete_from_page_cache'; readonly dev: string; readonly ino: number; readonly ofs: bigint }
  | { readonly kind: 'marker'; readonly event: 'tracing_mark_write'; readonly text: string }
  | { readonly kind: 'other'; readonly event: string };

export interface FtraceLine {
  readonly line: number;
  readonly task: string;
  readonly pid: number;
  readonly ts: number;
  readonly e: FtraceEvent;
}

export interface ParsedFtrace {
  readonly events: readonly FtraceLine[];
  readonly malformed: readonly { readonly line: number; readonly text: string; readonly why: string }[];
}

const LINE = /^\s*(.+)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(?:([\w.]{4,6})\s+)?(\d+\.\d+):\s+(\w+):\s?(.*)$/;
const DEV = '(\\d+:\\d+)';
const PTE = new RegExp(`^dev ${DEV} ino (0x[0-9a-f]+|0) (shared|private) (\\S*) address (0x[0-9a-f]+|0) pgoff (0x[0-9a-f]+|0)\\s*(\\S*)\\s*$`);
const PMD = new RegExp(`^dev ${DEV} ino (0x[0-9a-f]+|0) (shared|private) (\\S*) address (0x[0-9a-f]+|0) vm_start \\S+ vm_end \\S+ pgoff (0x[0-9a-f]+|0) max_pgoff (0x[0-9a-f]+|0)\\s*(\\S*)\\s*$`);
const WB = new RegExp(`^dev ${DEV} ino (0x[0-9a-f]+|0) `);
// 6.x: "dev 259:1 ino e pfn=0x1234 ofs=0 order=0"; 5.x: "dev 259:1 ino e page=0000… pfn=0x1234 ofs=0"
const PC = new RegExp(`^dev ${DEV} ino ([0-9a-f]+) (?:page=\\S+ )?pfn=\\S+ ofs=(\\d+)(?: order=\\d+)?\\s*$`);

const PTE_EVENTS = new Set(['dax_pte_fault', 'dax_pte_fault_done', 'dax_load_hole', 'dax_insert_pfn_mkwrite', 'dax_insert_pfn_mkwrite_no_entry']);
const PMD_EVENTS = new Set(['dax_pmd_fault', 'dax_pmd_fault_done']);
const WB_EVENTS = new Set(['dax_writeback_range', 'dax_writeback_range_done', 'dax_writeback_one', 'dax_pmd_load_hole', 'dax_pmd_load_hole_fallback', 'dax_pmd_insert_mapping', 'dax_insert_mapping']);

const hex = (s: string) => BigInt(s === '0' ? 0 : s);
const flagsOf = (s: string) => (s ? s.split('|') : []);

function fields(event: string, rest: string): FtraceEvent | string {
  if (PTE_EVENTS.has(event)) {
    const m = PTE.exec(rest);
    if (!m) return `${event}: fields do not match "dev M:N ino 0x… shared|private FLAGS address 0x… pgoff 0x… RESULT"`;
    return { kind: 'fault', event, dev: m[1], ino: Number(hex(m[2])), shared: m[3] === 'shared', flags: flagsOf(m[4]), address: hex(m[5]), pgoff: hex(m[6]), result: flagsOf(m[7]) };
  }
  if (PMD_EVENTS.has(event)) {
    const m = PMD.exec(rest);
    if (!m) return `${event}: fields do not match the dax_pmd_fault format`;
    return { kind: 'pmd-fault', event, dev: m[1], ino: Number(hex(m[2])), shared: m[3] === 'shared', flags: flagsOf(m[4]), address: hex(m[5]), pgoff: hex(m[6]), maxPgoff: hex(m[7]), result: flagsOf(m[8]) };
  }
  if (WB_EVENTS.has(event)) {
    const m = WB.exec(rest);
    if (!m) return `${event}: fields do not start "dev M:N ino 0x…"`;
    return { kind: 'writeback', event, dev: m[1], ino: Number(hex(m[2])) };
  }
  if (event === 'mm_filemap_add_to_page_cache' || event === 'mm_filemap_delete_from_page_cache') {
    const m = PC.exec(rest);
    if (!m) return `${event}: fields do not match "dev M:N ino HEX pfn=0x… ofs=N [order=N]"`;
    return { kind: 'pagecache', event, dev: m[1], ino: parseInt(m[2], 16), ofs: BigInt(m[3]) };
  }
  if (event === 'tracing_mark_write') return { kind: 'marker', event, text: rest.trim() };
  return { kind: 'other', event };
}

export function parseFtrace(text: string): ParsedFtrace {
  const events: FtraceLine[] = [];
  const malformed: ParsedFtrace['malformed'][number][] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) { malformed.push({ line: i + 1, text: line.slice(0, 120), why: 'not an ftrace event line (TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: …)' }); return; }
    const e = fields(m[6], m[7]);
    if (typeof e === 'string') { malformed.push({ line: i + 1, text: line.slice(0, 120), why: e }); return; }
    events.push({ line: i + 1, task: m[1].trim(), pid: Number(m[2]), ts: Number(m[5]), e });
  });
  return { events, malformed };
}
