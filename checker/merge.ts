import { z } from 'zod';
import { INVARIANTS } from '../properties/registry.ts';
import type { CheckReport } from './check.ts';
import type { DeclaredReached } from './coverage.ts';
import type { FamilyReport } from './explore/family-run.ts';
import { invariantRows } from './invariant-rows.ts';
import { noLayoutCounts, noLayoutKey } from '../properties/invariants/layout.ts';

/** A report given to `xipcheck merge` that cannot be merged: one line, exit 2. */
export class MergeError extends Error {}

const Count = z.number().int().nonnegative();
const Reached = z.object({ branch: z.string(), why: z.string(), hits: Count });

/** What merge reads of a `check --reporter json` report; the rest is carried from the first shard. */
const ShardReport = z.object({
  seed: z.number().int(),
  variant: z.string(),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  runsAsked: Count.optional(),
  noLayout: z.record(z.string(), Count).optional(),
  systems: z.array(z.object({ name: z.string(), runs: Count, steps: Count, interrupted: z.boolean() })),
  invariants: z.array(z.object({ id: z.string(), checks: Count, skipped: Count }).loose()),
  actions: z.record(z.string(), Count),
  branches: z.record(z.string(), Count),
  unreached: z.array(z.string()),
  defensive: z.record(z.string(), z.string()),
  declaredReached: z.array(Reached),
  reachedByVariant: z.array(Reached),
  undeclaredBranches: z.array(z.string()),
  counterexample: z.unknown().nullable(),
  interrupted: z.boolean().optional(),
  elapsedMs: z.number().nonnegative(),
}).loose();

/**
 * Parse the shards' reports with `schema` and check they are the shards of one run: `differs`
 * says why a report is not of the first one's run; each index 1..N exactly once. Sorted by index.
 */
function shardSet<T extends { shard?: { index: number; count: number } }>(
  inputs: readonly { readonly name: string; readonly json: unknown }[], schema: z.ZodType<T>, what: string,
  differs: (r: T, first: T, firstName: string) => string | null,
): { name: string; r: T; json: unknown }[] {
  if (inputs.length < 1) throw new MergeError('merge needs at least one report: xipcheck merge SHARD1.json SHARD2.json …');
  const parsed = inputs.map(({ name, json }) => {
    const r = schema.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new MergeError(`${name}: not a report of xipcheck ${what} --reporter json (${i.path.join('.') || 'top level'}: ${i.message}); merge takes the JSON reports of the shards of one ${what}`);
    }
    return { name, r: r.data, json };
  });
  const first = parsed[0].r;
  const count = first.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { name, r } of parsed) {
    const why = (r.shard?.count ?? 1) !== count ? `${r.shard?.count ?? 1} shard(s), but ${parsed[0].name} has ${count}; merge only the shards of one ${what}` : differs(r, first, parsed[0].name);
    if (why) throw new MergeError(`${name}: ${why}`);
    const idx = r.shard?.index ?? 1;
    if (seen.has(idx)) throw new MergeError(`${name}: shard ${idx}/${count} is also ${seen.get(idx)}; give each shard once`);
    seen.set(idx, name);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length) throw new MergeError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: the merge of ${count} shards needs every one`);
  return parsed.sort((a, b) => (a.r.shard?.index ?? 1) - (b.r.shard?.index ?? 1));
}

function sumInto(acc: Map<string, number>, rec: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(rec)) acc.set(k, (acc.get(k) ?? 0) + v);
}

function mergeReached(lists: readonly (readonly DeclaredReached[])[]): DeclaredReached[] {
  const m = new Map<string, DeclaredReached>();
  for (const l of lists) for (const d of l) {
    const e = m.get(d.branch);
    m.set(d.branch, e ? { ...e, hits: e.hits + d.hits } : d);
  }
  return [...m.values()].sort((a, b) => (a.branch < b.branch ? -1 : 1));
}

/**
 * The shards of one `check --shard I/N` (same seed, variant and N, each index once) as the one
 * report the unsharded run would have written: runs, steps, evaluations, actions and branch
 * hits summed; a branch unreached only if no shard reached it; the counterexample of the
 * lowest shard that found one (the unsharded run stops at its first, which may be another's:
 * the merged report says which shard it came from). Elapsed time is the longest shard's, the
 * wall time of shards run side by side.
 */
export function mergeCheckReports(inputs: readonly { readonly name: string; readonly json: unknown }[]): CheckReport & { readonly mergedFrom: readonly string[] } {
  const parsed = shardSet(inputs, ShardReport, 'check', (r, first, firstName) => (r.seed !== first.seed || r.variant !== first.variant || r.runsAsked !== first.runsAsked
    ? `seed ${r.seed}, variant ${r.variant}, ${r.runsAsked ?? '?'} runs — but ${firstName} has seed ${first.seed}, variant ${first.variant}, ${first.runsAsked ?? '?'} runs; merge only the shards of one check (same --seed, --runs, --variant and N)` : null));
  const first = parsed[0].r;
  const count = first.shard?.count ?? 1;
  const systems = new Map<string, { name: string; runs: number; steps: number; interrupted: boolean }>();
  for (const { r } of parsed) for (const s of r.systems) {
    const e = systems.get(s.name) ?? { name: s.name, runs: 0, steps: 0, interrupted: false };
    systems.set(s.name, { name: s.name, runs: e.runs + s.runs, steps: e.steps + s.steps, interrupted: e.interrupted || s.interrupted });
  }
  const checks = new Map<string, number>(), skipped = new Map<string, number>(), actions = new Map<string, number>(), branches = new Map<string, number>();
  for (const { r } of parsed) {
    for (const i of r.invariants) { checks.set(i.id, (checks.get(i.id) ?? 0) + i.checks); skipped.set(i.id, (skipped.get(i.id) ?? 0) + i.skipped); }
    for (const [id, n] of Object.entries(r.noLayout ?? {})) skipped.set(noLayoutKey(id), (skipped.get(noLayoutKey(id)) ?? 0) + n);
    sumInto(actions, r.actions);
    sumInto(branches, r.branches);
  }
  const known = new Set(first.invariants.map((i) => i.id));
  const rows = invariantRows(INVARIANTS.filter((i) => known.has(i.id)), { checks, skipped }, 'inside concurrent pairs');
  const unreached = first.unreached.filter((b) => parsed.every(({ r }) => r.unreached.includes(b)));
  const withCex = parsed.find(({ r }) => r.counterexample);
  const noLayout = noLayoutCounts(skipped);
  return {
    ...(first as unknown as CheckReport),
    seed: first.seed,
    variant: first.variant,
    shard: undefined,
    runsAsked: first.runsAsked,
    noLayout,
    systems: [...systems.values()],
    invariants: rows.rows,
    notEvaluated: rows.notEvaluated,
    actions: Object.fromEntries([...actions].sort()),
    branches: Object.fromEntries([...branches].sort()),
    unreached,
    declaredReached: mergeReached(parsed.map(({ r }) => r.declaredReached)),
    reachedByVariant: mergeReached(parsed.map(({ r }) => r.reachedByVariant)),
    undeclaredBranches: [...new Set(parsed.flatMap(({ r }) => r.undeclaredBranches))].sort(),
    counterexample: (withCex?.r.counterexample ?? null) as CheckReport['counterexample'],
    ...(parsed.some(({ r }) => r.interrupted) ? { interrupted: true } : { interrupted: undefined }),
    elapsedMs: Math.max(...parsed.map(({ r }) => r.elapsedMs)),
    mergedFrom: parsed.map(({ name, r }) => `${name} (shard ${r.shard?.index ?? 1}/${count})`),
  };
}

/**
 * JUnit files of shards as one: their testsuite elements side by side under one testsuites
 * element with the totals summed. Testcase names stay unique because each shard's carry
 * its shard (checker/report/junit.ts).
 */
export function mergeJunit(inputs: readonly { readonly name: string; readonly text: string }[]): string {
  const suites: string[] = [];
  let tests = 0, failures = 0, errors = 0, skipped = 0, time = 0;
  for (const { name, text } of inputs) {
    const found = text.match(/<testsuite\b[\s\S]*?<\/testsuite>/g);
    if (!/^\s*(<\?xml[^>]*\?>\s*)?<testsuites\b/.test(text) || !found) throw new MergeError(`${name}: not a JUnit report of xipcheck (no <testsuites> with a <testsuite> in it)`);
    for (const s of found) {
      const attr = (a: string) => Number(new RegExp(`^<testsuite\\b[^>]*\\s${a}="([0-9.]+)"`).exec(s)?.[1] ?? 0);
      tests += attr('tests'); failures += attr('failures'); errors += attr('errors'); skipped += attr('skipped');
      time = Math.max(time, attr('time'));
      suites.push(`  ${s}`);
    }
  }
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="xipcheck" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time.toFixed(3)}">`, ...suites, '</testsuites>', ''].join('\n');
}

const ExploreShard = z.object({
  variant: z.string(),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  include: z.array(z.string()).optional(),
  noLayout: z.record(z.string(), Count).optional(),
  bound: z.object({ threads: Count, ops: Count, pages: Count }),
  symmetry: z.boolean(),
  por: z.object({ on: z.boolean(), pruned: Count, fallbacks: Count }).optional(),
  excluded: z.array(z.object({ name: z.string(), reason: z.string(), scenarios: Count })),
  invariants: z.array(z.object({ id: z.string(), checks: Count, skipped: Count }).loose()),
  declaredReached: z.array(Reached),
  reachedByVariant: z.array(Reached),
  undeclaredBranches: z.array(z.string()),
  scenarios: Count, exhausted: Count, limited: Count, violations: Count, states: Count, transitions: Count, maxDepth: Count,
  elapsedMs: z.number().nonnegative(),
  verdict: z.enum(['exhausted', 'violation', 'limit']),
  stoppedBy: z.string().optional(),
  counterexample: z.object({ scenario: z.string(), index: z.number().int().optional(), depth: Count }).loose().nullable(),
}).loose();

/** Is this JSON a report of `explore` (rather than of `check`)? */
export function isExploreReport(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'bound' in json && 'scenarios' in json;
}

/**
 * The shards of one `explore --shard I/N` as the report of the whole family: scenarios,
 * states, transitions and evaluations summed, the deepest interleaving, the shortest
 * counterexample over all shards (ties: the lower scenario index, as one run chooses it), and
 * stopped if any shard stopped.
 */
export function mergeExploreReports(inputs: readonly { readonly name: string; readonly json: unknown }[]): FamilyReport & { readonly mergedFrom: readonly string[] } {
  const parsed = shardSet(inputs, ExploreShard, 'explore', (r, first, firstName) => (r.variant !== first.variant || JSON.stringify(r.bound) !== JSON.stringify(first.bound) || r.symmetry !== first.symmetry || (r.por?.on ?? true) !== (first.por?.on ?? true)
    || JSON.stringify(r.include ?? []) !== JSON.stringify(first.include ?? [])
    ? `variant ${r.variant}, bound ${r.bound.threads}x${r.bound.ops}x${r.bound.pages} — but ${firstName} has variant ${first.variant}, bound ${first.bound.threads}x${first.bound.ops}x${first.bound.pages}; merge only the shards of one explore (same bound, --variant, --include-unfixed, symmetry, reduction and N)` : null))
    .map((p) => ({ ...p, full: p.json as FamilyReport }));
  const first = parsed[0].r;
  const count = first.shard?.count ?? 1;
  const sum = (f: (r: typeof first) => number) => parsed.reduce((n, { r }) => n + f(r), 0);
  const checks = new Map<string, number>(), skipped = new Map<string, number>();
  for (const { r } of parsed) {
    for (const i of r.invariants) { checks.set(i.id, (checks.get(i.id) ?? 0) + i.checks); skipped.set(i.id, (skipped.get(i.id) ?? 0) + i.skipped); }
    for (const [id, n] of Object.entries(r.noLayout ?? {})) skipped.set(noLayoutKey(id), (skipped.get(noLayoutKey(id)) ?? 0) + n);
  }
  const known = new Set(first.invariants.map((i) => i.id));
  const rows = invariantRows(INVARIANTS.filter((i) => known.has(i.id)), { checks, skipped }, 'in finished interleavings of concurrent threads', 'explore');
  let best: (typeof parsed)[number] | null = null;
  for (const p of parsed) {
    const c = p.r.counterexample;
    if (!c) continue;
    const b = best?.r.counterexample;
    if (!b || c.depth < b.depth || (c.depth === b.depth && (c.index ?? 0) < (b.index ?? 0))) best = p;
  }
  const violations = sum((r) => r.violations);
  const stopped = parsed.find(({ r }) => r.stoppedBy)?.r.stoppedBy;
  return {
    ...parsed[0].full,
    shard: undefined,
    noLayout: noLayoutCounts(skipped),
    excluded: first.excluded.map((e) => ({ ...e, scenarios: parsed.reduce((n, { r }) => n + (r.excluded.find((x) => x.name === e.name)?.scenarios ?? 0), 0) })),
    invariants: rows.rows,
    notEvaluated: rows.notEvaluated,
    declaredReached: mergeReached(parsed.map(({ r }) => r.declaredReached)),
    reachedByVariant: mergeReached(parsed.map(({ r }) => r.reachedByVariant)),
    undeclaredBranches: [...new Set(parsed.flatMap(({ r }) => r.undeclaredBranches))].sort(),
    scenarios: sum((r) => r.scenarios), exhausted: sum((r) => r.exhausted), limited: sum((r) => r.limited), violations,
    states: sum((r) => r.states), transitions: sum((r) => r.transitions), maxDepth: Math.max(...parsed.map(({ r }) => r.maxDepth)),
    ...(first.por ? { por: { on: first.por.on, pruned: sum((r) => r.por?.pruned ?? 0), fallbacks: sum((r) => r.por?.fallbacks ?? 0) } } : {}),
    visited: { kind: parsed[0].full.visited?.kind ?? 'fingerprint-64', collisionBound: parsed.reduce((n, { full }) => n + (full.visited?.collisionBound ?? 0), 0) },
    elapsedMs: Math.max(...parsed.map(({ r }) => r.elapsedMs)),
    verdict: violations ? 'violation' : stopped ? 'limit' : 'exhausted',
    stoppedBy: stopped as FamilyReport['stoppedBy'],
    counterexample: best ? best.full.counterexample : null,
    mergedFrom: parsed.map(({ name, r }) => `${name} (shard ${r.shard?.index ?? 1}/${count})`),
  };
}
