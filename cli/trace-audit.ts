import { readFileSync } from 'node:fs';
import { auditTrace, renderTraceAudit } from '../checker/lab/trace-audit.ts';
import { quote } from '../checker/quote.ts';
import { reporterOpt, UsageError } from './usage.ts';

type Out = { write(s: string): void };
type Parse = (args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, positionals?: number) => { values: Record<string, unknown>; positionals: string[] };

export const TRACE_AUDIT_HELP = `  xipcheck trace-audit FTRACE.txt [--dax-dev MAJ:MIN]… [--ino N,…] [--reporter text|json]
      what a real kernel's ftrace (fs_dax and filemap events, 5.x–6.x) shows of the invariants
      on a DAX mount: no page-cache copy of a DAX file, every DAX fault completed NOPAGE,
      DONE_COW or SIGBUS, hole faults through dax_load_hole; exit 1 on a finding or a
      malformed line (each with its line number)`;

export const TRACE_AUDIT_OPTIONS = `options:
  --dax-dev MAJ:MIN   a device mounted with DAX (repeatable; default: every device with an
                      fs_dax event)
  --ino N,…           inode numbers of the workload's files, audited on the DAX devices even if
                      the trace shows no DAX event for them (a mount that is not DAX is caught)
  --reporter R        text (default) or json`;

export function cmdTraceAudit(args: string[], stdout: Out, parse: Parse): number {
  const { values: v, positionals } = parse(args, { 'dax-dev': { type: 'string', multiple: true }, ino: { type: 'string' }, reporter: { type: 'string' } }, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('trace-audit takes an ftrace text file: xipcheck trace-audit FTRACE.txt (e.g. /sys/kernel/tracing/trace saved)');
  const devs = (v['dax-dev'] as string[] | undefined) ?? [];
  for (const d of devs) if (!/^\d+:\d+$/.test(d)) throw new UsageError(`--dax-dev takes MAJ:MIN (as /sys/block/pmem0/dev prints it, e.g. 259:0), not ${quote(d)}`);
  const inos = v.ino === undefined ? [] : String(v.ino).split(',').map((s) => {
    if (!/^\d+$/.test(s)) throw new UsageError(`--ino takes inode numbers separated by commas, not ${quote(String(v.ino))}`);
    return Number(s);
  });
  const reporter = reporterOpt(v.reporter as string | undefined, ['text', 'json']);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new UsageError(`cannot read ${quote(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = auditTrace(text, { daxDevs: devs, inos });
  stdout.write(reporter === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderTraceAudit(r));
  return r.findings.length ? 1 : 0;
}
