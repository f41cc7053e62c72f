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
import { explore, type ExploreSpec } from '../checker/explore/explore.ts';
import { variantByName } from '../model/variants.ts';
import type { Action } from '../model/actions.ts';

const DIR = join(import.meta.dirname, 'races');
const check = process.argv.includes('--check');

interface Obs { ret: number; data?: readonly number[]; signal?: string }
function expectOf(o: Obs | undefined): object | null {
  if (!o || Number.isNaN(o.ret)) return null;
  return { ret: o.ret, ...(o.data ? { data: o.data } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

let changed = 0, failed = 0;
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
    console.log(`${f}: no longer violates ${want} (${r.verdict}${r.violation ? ` of ${r.violation.invariant}` : ''}) — left as is`);
    failed++;
    continue;
  }
  const v = r.violation!;
  const last = v.steps[v.steps.length - 1];
  const depth = v.schedule.length;
  const hadExpect = Array.isArray(par.expect);
  const next = {
    ...par,
    schedule: v.schedule,
    ...(hadExpect ? { expect: last.threads.flatMap((p, ti) => p.map((_, k) => expectOf(last.obs[ti]?.[k] as Obs | undefined))) } : {}),
    note: String(par.note ?? '').replace(/\d+ atomic steps/, `${depth} atomic steps`),
  };
  const out = {
    ...t,
    steps: [...t.steps.slice(0, gi), next, ...t.steps.slice(gi + 1)],
    found: { ...t.found, depth, invariant: v.invariant, message: v.message, ...(v.at ? { at: v.at } : {}), step: gi },
  };
  if (!v.at) delete (out.found as { at?: string }).at;
  const json = JSON.stringify(out, null, 2) + '\n';
  const before = JSON.stringify(JSON.parse(text));
  if (JSON.stringify(JSON.parse(json)) === before) { console.log(`${f}: unchanged (${depth} steps)`); continue; }
  changed++;
  console.log(`${f}: ${t.found.depth} → ${depth} atomic steps${check ? ' (would change)' : ''}`);
  if (!check) writeFileSync(path, json);
}
process.exit(failed || (check && changed) ? 1 : 0);
