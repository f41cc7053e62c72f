import { describe, expect, it } from 'vitest';
import type { Action } from '../model/actions.ts';
import { variantByName } from '../model/variants.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { familyConfig, familySetup } from './explore/family.ts';
import { newCounters } from './execute.ts';
import { invariantRows } from './invariant-rows.ts';
import { runSteps } from './sequence.ts';
import { makeSystem } from './system.ts';

const bound = { threads: 2, ops: 1, pages: 2 };
const sys = makeSystem('group', familyConfig(bound), variantByName('reference')!);
const setup = familySetup(bound).map((a) => ({ threads: [[a]] }));

/** Counts over `steps`, run after the family's set-up (whose own counts are subtracted). */
function counted(steps: { threads: Action[][]; schedule?: number[] }[]) {
  const before = newCounters(), c = newCounters();
  runSteps(sys, setup, INVARIANTS, before);
  const r = runSteps(sys, [...setup, ...steps], INVARIANTS, c);
  expect(r.violation).toBeNull();
  const diff = (a: Map<string, number>, b: Map<string, number>) => new Map([...a].map(([k, n]) => [k, n - (b.get(k) ?? 0)]));
  const checks = diff(c.checks, before.checks), skipped = diff(c.skipped, before.skipped);
  return { checks: (k: string) => checks.get(k) ?? 0, skipped: (k: string) => skipped.get(k) ?? 0, c: { checks, skipped } };
}

const store: Action = { op: 'store', pid: 1, addr: 5, bytes: [3] };
const load: Action = { op: 'load', pid: 0, addr: 5, len: 1 };
const pread: Action = { op: 'pread', pid: 0, fd: 0, buf: 1, len: 1, pos: 1 };

describe('per-call invariants (Invariant.perCall)', () => {
  it('are evaluated on a lone call of an op they judge, and only then', () => {
    const n = counted([{ threads: [[load]] }, { threads: [[store]] }, { threads: [[pread]] }]);
    expect(n.checks('private-stays-private')).toBe(1); // the store
    expect(n.checks('transfer-exact')).toBe(1); // the pread
    expect(n.checks('truncate-zeroes-tail')).toBe(0);
    expect(n.checks('coherence')).toBe(3); // every finished call
  });

  it('inside a concurrent group they are not evaluated, and the calls they would judge are counted as skipped', () => {
    const n = counted([{ threads: [[store], [pread]] }]);
    expect(n.checks('private-stays-private')).toBe(0);
    expect(n.checks('transfer-exact')).toBe(0);
    expect(n.skipped('private-stays-private')).toBe(1);
    expect(n.skipped('transfer-exact')).toBe(1);
    expect(n.skipped('truncate-zeroes-tail')).toBe(0);
    expect(n.checks('coherence')).toBe(1); // the group, once
    const rows = invariantRows(INVARIANTS, n.c, 'inside concurrent pairs');
    expect(rows.notEvaluated.filter((x) => /not judged/.test(x.reason)).map((x) => x.id).sort()).toEqual(['private-stays-private', 'transfer-exact']);
    expect(rows.rows.find((r) => r.id === 'transfer-exact')!.unit).toBe('read/pread/write/pwrite calls');
  });
});
