/**
 * Re-derive the shortest interleaving of every explorer-found trace in counterexamples/races/
 * from the trace's own scenario (its config, its sequential set-up steps, its one concurrent
 * group), after a change to the model. The question, cites, notes and names stay as written;
 * the schedule, the pinned observations and `found` (depth, message, step) are replaced by
 * what `explore` finds now. Usage:
 *
 *     npx tsx counterexamples/regenerate.ts            # rewrite the files
 *     npx tsx counterexamples/regenerate.ts --check    # exit 1 if any file would change
 *
 * A trace whose scenario no longer violates its expected invariant is reported and left as is.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { explore, type ExploreSpec } from '../checker/explore/explore.ts';
import { variantByName } from '../model/variants.ts';
import type { Action } from '../model/actions.ts';

const DIR = join(import.meta.dirname, 'races');

interface Obs { ret: number; data?: readonly number[]; signal?: string }
function expectOf(o: Obs | undefined): object | null {
  if (!o || Number.isNaN(o.ret)) return null;
  return { ret: o.ret, ...(o.data ? { data: o.data } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

export interface Regenerated {
  readonly file: string;
  /** `found.depth` before and after; `to` is null when the scenario no longer violates. */
  readonly from: number;
  readonly to: number | null;
  readonly changed: boolean;
}

/** Re-derive every explorer-found race trace; with `write`, rewrite the files that change. */
export function regenerate(write: boolean): Regenerated[] {
  const out: Regenerated[] = [];
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.trace.json')).sort()) {
    const path = join(DIR, f);
    const text = readFileSync(path, 'utf8');
    const t = JSON.parse(text);
    // only traces the explorer found from their own scenario (a hand-made set-up has no bound)
    if (t.found?.by !== 'explore' || !t.found.bound) continue;
    const gi = t.steps.findIndex((s: { par?: unknown }) => 'par' in s);
    const par = t.steps[gi];
    const setup: Action[] = t.steps.slice(0, gi).map(({ expect: _e, note: _n, ...a }: Record<string, unknown>) => a as unknown as Action);
    const threads: Action[][] = par.par.map((p: Action | Action[]) => (Array.isArray(p) ? p : [p]));
    const spec: ExploreSpec = { name: t.name, config: t.config, setup, threads };
    const r = explore(spec, { variant: variantByName(t.variant ?? 'reference')! });
    const want = t.expect.replace(/^violates /, '');
    if (r.verdict !== 'violation' || r.violation!.invariant !== want) {
      out.push({ file: f, from: t.found.depth, to: null, changed: false });
      continue;
    }
    const v = r.violation!;
    const last = v.steps[v.steps.length - 1];
    const depth = v.schedule.length;
    const next = {
      ...par,
      schedule: v.schedule,
      ...(Array.isArray(par.expect) ? { expect: last.threads.flatMap((p, ti) => p.map((_, k) => expectOf(last.obs[ti]?.[k] as Obs | undefined))) } : {}),
      note: String(par.note ?? '').replace(/\d+ atomic steps/, `${depth} atomic steps`),
    };
    const found: Record<string, unknown> = { ...t.found, depth, invariant: v.invariant, message: v.message, step: gi };
    if (v.at) found.at = v.at; else delete found.at;
    const json = JSON.stringify({ ...t, steps: [...t.steps.slice(0, gi), next, ...t.steps.slice(gi + 1)], found }, null, 2) + '\n';
    const changed = JSON.stringify(JSON.parse(json)) !== JSON.stringify(JSON.parse(text));
    if (changed && write) writeFileSync(path, json);
    out.push({ file: f, from: t.found.depth, to: depth, changed });
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  const rs = regenerate(!check);
  for (const r of rs) {
    console.log(r.to === null ? `${r.file}: no longer violates its expected invariant — left as is`
      : r.changed ? `${r.file}: ${r.from} → ${r.to} atomic steps${check ? ' (would change)' : ''}` : `${r.file}: unchanged (${r.to} steps)`);
  }
  process.exit(rs.some((r) => r.to === null) || (check && rs.some((r) => r.changed)) ? 1 : 0);
}
