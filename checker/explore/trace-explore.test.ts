import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../model/actions.ts';
import { variantByName } from '../../model/variants.ts';
import { parseTrace, TRACE_SCHEMA, type ParsedTrace } from '../trace.ts';
import { replayTrace } from '../replay.ts';
import { traceExploreTrace } from '../write-trace.ts';
import { explore } from './explore.ts';
import { familyConfig, familySetup } from './family.ts';
import { exploreTrace, traceExploreFailed } from './trace-explore.ts';
import { exploreTraceReport } from './trace-explore-run.ts';

const bound = { threads: 2, ops: 1, pages: 2 };
const v = (name: string) => variantByName(name)!;

/** A trace of the family's set-up and one concurrent group, the shape `explore` searches itself. */
function traceOf(threads: Action[][], more: object = {}, after: object[] = []): ParsedTrace {
  return parseTrace({
    schema: TRACE_SCHEMA, name: 'T', config: familyConfig(bound),
    steps: [...familySetup(bound), { par: threads.map((p) => (p.length === 1 ? p[0] : p)) }, ...after], ...more,
  });
}

const load = (pid: number, addr: number): Action => ({ op: 'load', pid, addr, len: 1 });
const store = (pid: number, addr: number, b: number): Action => ({ op: 'store', pid, addr, bytes: [b] });
const truncate = (len: number): Action => ({ op: 'ftruncate', pid: 0, fd: 0, len });

describe('explore TRACE.json: the same search as explore on one group', () => {
  // two code paths, one answer: the family's explorer on a spec, and the trace explorer on the
  // trace of that spec (set-up, then the group)
  const cases: [string, Action[][], string][] = [
    ['race 2: two stores fill one hole', [[store(0, 9, 5)], [store(0, 9, 6)]], '2.6.26-alloc-race'],
    ['race 2 on the reference', [[store(0, 9, 5)], [store(0, 9, 6)]], 'reference'],
    ['race 4: a fault against a truncate', [[load(0, 5)], [truncate(0)]], '3.19'],
    ['a private hole fault against a store, and a program of two calls', [[load(1, 9)], [store(0, 9, 5), truncate(4)]], 'reference'],
    ['ABBA: truncate against a sparse fault', [[load(1, 9)], [truncate(0)]], 'broken-lock-inversion'],
  ];
  for (const [what, threads, variant] of cases) {
    it(`${what} (${variant})`, () => {
      // the trace's search has no partial-order reduction: it takes the transitions explore takes without it
      const spec = { name: 'T', config: familyConfig(bound), setup: familySetup(bound), threads };
      const a = explore(spec, { variant: v(variant), por: false });
      const reduced = explore(spec, { variant: v(variant) });
      const b = exploreTrace(traceOf(threads), { variant: v(variant) });
      expect(b.verdict).toBe(a.verdict);
      expect(b.violation?.invariant).toBe(a.violation?.invariant);
      expect([reduced.verdict, reduced.violation?.invariant, reduced.violation?.schedule.length]).toEqual([a.verdict, a.violation?.invariant, a.violation?.schedule.length]);
      if (a.verdict === 'exhausted') {
        expect([b.states, b.transitions, b.depth]).toEqual([a.states, a.transitions, a.depth]);
        expect([reduced.states, reduced.depth]).toEqual([a.states, a.depth]);
        expect(reduced.transitions).toBeLessThanOrEqual(a.transitions);
      } else expect(b.violation!.depth).toBe(a.violation!.schedule.length);
    });
  }
});

describe('explore TRACE.json: steps after a group, several groups', () => {
  it('a step after the group runs from every state the group leaves, and a second group is searched from each of them', () => {
    const threads = [[load(1, 9)], [store(0, 9, 5)]];
    const alone = exploreTrace(traceOf(threads), { variant: v('reference') });
    const after = exploreTrace(traceOf(threads, {}, [load(1, 9)]), { variant: v('reference') });
    expect(alone.verdict).toBe('exhausted');
    expect(after.verdict).toBe('exhausted');
    expect(after.states).toBeGreaterThan(alone.states);
    // a truncate racing a fault, in a second group after the first: race 4 on 3.19
    const two = exploreTrace(traceOf(threads, {}, [{ par: [truncate(0), load(0, 5)] }]), { variant: v('3.19') });
    expect(two.violation?.invariant).toBe('no-stale-mapping');
    expect(two.violation?.schedules.filter((s) => s.length).length).toBe(2);
  });
  it('a trace without a concurrent group has one schedule: exhausted in one state, its final reads judged', () => {
    const t = parseTrace({ schema: TRACE_SCHEMA, name: 'seq', config: familyConfig(bound), steps: familySetup(bound) });
    const r = exploreTrace(t);
    expect([r.verdict, r.states, r.transitions, r.groups.length]).toEqual(['exhausted', 1, 0, 0]);
    const broken = exploreTrace(t, { variant: v('broken-read-skips-data') });
    expect(broken.violation?.invariant).toBe('coherence');
  });
});

describe('explore TRACE.json: what the trace pins', () => {
  const threads = [[load(1, 9)], [store(0, 9, 5)]];
  it('the groups\' schedules are ignored: every schedule is tried', () => {
    const a = exploreTrace(traceOf(threads));
    const t = traceOf(threads);
    const pinned = { ...t, steps: t.steps.map((s) => (s.threads.length > 1 ? { ...s, schedule: [1, 1, 0, 1] } : s)) };
    const b = exploreTrace(pinned);
    expect([b.states, b.transitions]).toEqual([a.states, a.transitions]);
  });
  it('observations pinned after the set-up are not judged (another interleaving may differ); the reference judges', () => {
    const t = traceOf(threads, {}, [{ ...load(1, 9), expect: { data: [77] } }]);
    const r = exploreTrace(t);
    expect(r.verdict).toBe('exhausted');
    expect(r.pinned).toEqual({ judged: 0, ignored: 1, mismatches: [] });
    expect(traceExploreFailed(r)).toBe(false);
  });
  it('observations pinned in the set-up are judged: a set-up that went otherwise fails the run', () => {
    const t = traceOf(threads);
    const steps = t.steps.map((s, i) => (i === 3 ? { ...s, expect: [{ ret: -22 }] } : s));
    const r = exploreTrace({ ...t, steps });
    expect(r.pinned.mismatches).toEqual(['step 4 (mmap): ret 4, trace expects -22']);
    expect(traceExploreFailed(r)).toBe(true);
  });
  it('a violation in the set-up is reported as such, before any interleaving', () => {
    const t = parseTrace({ schema: TRACE_SCHEMA, name: 'S', config: familyConfig(bound), steps: [{ op: 'open', pid: 0, name: 'f', flags: { read: true } }, { op: 'pread', pid: 0, fd: 0, buf: 0, len: 4, pos: 0 }, { par: threads.map((p) => p[0]) }] });
    const r = exploreTrace(t, { variant: v('broken-read-skips-data') });
    expect(r.violation?.inSetup).toBe(true);
    expect(r.violation?.invariant).toBe('coherence');
  });
  it('--max-states stops it: NOT exhausted', () => {
    const r = exploreTrace(traceOf(threads), { maxStates: 10 });
    expect([r.verdict, r.stoppedBy, r.states]).toEqual(['limit', 'states', 10]);
    expect(traceExploreFailed(r)).toBe(true);
  });
  it('symmetry: identical threads give fewer states, the same verdict', () => {
    const same = [[load(0, 9)], [load(0, 9)]];
    const a = exploreTrace(traceOf(same)), b = exploreTrace(traceOf(same), { symmetry: false });
    expect([a.verdict, b.verdict]).toEqual(['exhausted', 'exhausted']);
    expect(a.states).toBeLessThan(b.states);
  });
});

describe('explore TRACE.json: the counterexample is a trace run replays', () => {
  it('the race scenario of counterexamples/explore/ replays with its violation, as the written trace expects', async () => {
    const file = 'counterexamples/explore/ExploreRace1+PrivLoadHole+StoreHole.trace.json';
    const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
    const r = await exploreTraceReport(file, t, {});
    expect(r.violation?.invariant).toBe('sparse-page');
    const written = parseTrace(JSON.parse(JSON.stringify(traceExploreTrace(t, r))));
    const replay = replayTrace(written);
    expect(replay.violation?.invariant).toBe('sparse-page');
    expect(replay.verdictMatches).toBe(true);
    expect(replay.steps.flatMap((s) => s.mismatches)).toEqual([]);
    // and the fix closes it: the same scenario on the reference design is exhausted
    expect(exploreTrace(t, { variant: v('reference') }).verdict).toBe('exhausted');
  });
});
