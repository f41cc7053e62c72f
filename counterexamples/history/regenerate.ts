/**
 * Build the historical-bug library's traces (counterexamples/history/*.trace.json) from the
 * scenarios in library.json: each scenario is replayed on its entry's variant, and the trace is
 * written with every call's observation pinned and the violation it ends in as its `expect`.
 * The question, cites and steps come from library.json; nothing else is hand-written. Usage:
 *
 *     npx tsx counterexamples/history/regenerate.ts            # rewrite the traces
 *     npx tsx counterexamples/history/regenerate.ts --check    # exit 1 if a trace would change
 *
 * An entry whose scenario no longer violates its invariant on its variant, or violates anything
 * on `reference`, is reported and its trace left as it is (exit 1).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTrace, TRACE_SCHEMA } from '../../checker/trace.ts';
import { replayTrace } from '../../checker/replay.ts';
import { loadLibrary, type LibraryEntry } from './library.ts';

const DIR = import.meta.dirname;

interface Obs { ret: number; data?: readonly number[]; signal?: string }
function pin(o: Obs | undefined): object | undefined {
  if (!o || Number.isNaN(o.ret)) return undefined;
  return { ret: o.ret, ...(o.data ? { data: o.data } : {}), signal: o.signal ?? null };
}

function traceOf(e: LibraryEntry, steps: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    schema: TRACE_SCHEMA,
    name: e.trace.replace(/\.trace\.json$/, ''),
    question: e.question,
    expect: `violates ${e.invariant}`,
    cites: [`${e.file} ${e.function} (${e.buggy})`, `fix: "${e.fix.subject}" (${e.fix.version}${e.fix.commit ? `, ${e.fix.commit}` : ''}), read in ${e.fix.readIn}`],
    variant: e.variant,
    config: e.scenario.config,
    steps,
  };
}

export interface Regenerated { readonly id: string; readonly ok: boolean; readonly changed: boolean; readonly why?: string }

export function regenerate(write: boolean): Regenerated[] {
  const out: Regenerated[] = [];
  for (const e of loadLibrary()) {
    const bare = e.scenario.steps.map((s) => ({ ...s }));
    const onVariant = replayTrace(parseTrace(traceOf(e, bare)));
    const onRef = replayTrace(parseTrace({ ...traceOf(e, bare), variant: 'reference', expect: 'holds' }));
    const got = onVariant.violation?.invariant ?? 'nothing';
    if (got !== e.invariant || onRef.violation) {
      out.push({ id: e.id, ok: false, changed: false, why: `on ${e.variant}: ${got}${onRef.violation ? `; on reference: ${onRef.violation.invariant} (${onRef.violation.message})` : ''}` });
      continue;
    }
    const steps = bare.map((s, i) => {
      const o = pin(onVariant.steps[i]?.obs[0]?.[0] as Obs | undefined);
      return o ? { ...s, expect: o } : s;
    });
    const json = JSON.stringify(traceOf(e, steps), null, 2) + '\n';
    const path = join(DIR, e.trace);
    const changed = !existsSync(path) || readFileSync(path, 'utf8') !== json;
    if (changed && write) writeFileSync(path, json);
    out.push({ id: e.id, ok: true, changed });
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  const rs = regenerate(!check);
  for (const r of rs) console.log(`${r.id}: ${!r.ok ? `NOT REPRODUCED — ${r.why}` : r.changed ? (check ? 'would change' : 'written') : 'unchanged'}`);
  process.exit(rs.some((r) => !r.ok) || (check && rs.some((r) => r.changed)) ? 1 : 0);
}
