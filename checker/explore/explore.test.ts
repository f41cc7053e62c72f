import { describe, expect, it } from 'vitest';
import { explore } from './explore.ts';
import { exploreFamily } from './family-run.ts';
import { adminOps, DEFAULT_BOUND, family, familyConfig, familySetup, FAMILY_SYSTEMS } from './family.ts';
import { readExpected } from './expected.ts';
import { check } from '../check.ts';
import { variantByName } from '../../model/variants.ts';
import { atomic, type Proc } from '../../model/kernel/step.ts';
import type { Call, Observation } from '../../model/state.ts';
import type { Action } from '../../model/actions.ts';
import type { Invariant } from '../../properties/invariant.ts';
import { INVARIANTS } from '../../properties/registry.ts';

const bound = { threads: 2, ops: 1, pages: 2 };
const ref = variantByName('reference')!;

/**
 * The four historical races: each fix removed, the explorer (exhaustive) and `check` (random
 * search) both find it, and report the invariant that fix protects.
 */
const RACES: { variant: string; explore: string[]; check: string[] }[] = [
  { variant: '2.6.26-sparse-race', explore: ['sparse-page', 'sparse-retired'], check: ['sparse-page', 'sparse-retired'] },
  // the same xip_sparse_mutex also closes race 1's window, so random search may meet that first
  // the second allocation orphans the first block (block-ownership) before the stale pte shows
  { variant: '2.6.26-alloc-race', explore: ['block-ownership'], check: ['block-ownership', 'no-stale-mapping', 'sparse-page', 'sparse-retired'] },
  { variant: '3.2', explore: ['coherence'], check: ['coherence'] },
  { variant: '3.19', explore: ['no-stale-mapping'], check: ['no-stale-mapping'] },
];

describe('historical races', () => {
  // explore's own verdicts at the default bound (the reference exhausts it, each race variant
  // is found, with what length) are recorded in properties/expected/explore.json and judged
  // exactly by expected.test.ts; here: the invariant recorded is one the fix protects
  const expected = readExpected();
  for (const race of RACES) {
    it(`explore finds ${race.variant}, reported as an invariant its fix protects`, () => {
      expect(race.explore).toContain(expected.races.find((r) => r.variant === race.variant)!.invariant);
    });
    it(`check --variant ${race.variant} finds it by random search`, () => {
      const r = check({ seed: 1, runs: 1000, variant: variantByName(race.variant)! });
      expect(race.check).toContain(r.counterexample?.invariant);
    });
  }
  it('race 2 in its own shape (two stores filling one hole) is reported as an orphaned block, then a stale mapping', () => {
    const threads: Action[][] = [[{ op: 'store', pid: 0, addr: 9, bytes: [5] }], [{ op: 'store', pid: 0, addr: 9, bytes: [6] }]];
    const r = explore({ name: 'alloc', config: familyConfig(bound), setup: familySetup(bound), threads }, { variant: variantByName('2.6.26-alloc-race')! });
    expect(r.violation?.invariant).toBe('block-ownership');
    expect(r.violation?.schedule).toHaveLength(21);
    const later = explore({ name: 'alloc', config: familyConfig(bound), setup: familySetup(bound), threads }, { variant: variantByName('2.6.26-alloc-race')!, invariants: INVARIANTS.filter((i) => i.id !== 'block-ownership') });
    expect(later.violation?.invariant).toBe('no-stale-mapping');
    expect(later.violation?.schedule).toHaveLength(41);
    expect(explore({ name: 'alloc', config: familyConfig(bound), setup: familySetup(bound), threads }, { variant: ref }).verdict).toBe('exhausted');
  });
  it('the unfixed read-vs-truncate race is found when included, and only then', async () => {
    const r = await exploreFamily({ variant: 'reference', bound, include: ['read-vs-truncate'] });
    expect(r.counterexample?.invariant).toBe('coherence');
    expect(r.counterexample?.steps.at(-1)!.threads.flat().map((a) => a.op).sort()).toEqual(['ftruncate', 'pread']);
  });
});

describe('the family: several holes, two drivers, the administrator\'s actions', () => {
  const specs = [...family(DEFAULT_BOUND)];
  it('the default bound has two holes, and every scenario shape runs on dcssblk and on brd', () => {
    expect(DEFAULT_BOUND.pages - 1).toBeGreaterThanOrEqual(2);
    const admin = new Set(FAMILY_SYSTEMS.flatMap((sys) => adminOps(DEFAULT_BOUND, sys, 0).map((a) => a.op)));
    const shapes = (sys: string) => specs.filter((s) => s.system === sys && !s.threads.flat().some((a) => admin.has(a.op))).map((s) => JSON.stringify(s.threads));
    expect(shapes('brd').length).toBeGreaterThan(0);
    expect(shapes('brd')).toEqual(shapes('dcssblk'));
    expect(familyConfig(DEFAULT_BOUND, 'brd').devices[0]).toMatchObject({ driver: 'brd' });
    // two faults on the two different holes, in one scenario
    const holes = (a: Action) => (a.op === 'load' || a.op === 'store' ? Math.floor((a.addr - 4) / 4) : -1);
    expect(specs.some((s) => new Set(s.threads.flat().map(holes).filter((p) => p > 0)).size === 2)).toBe(true);
  });
  it('every management action of each driver is some thread\'s op', () => {
    for (const sys of FAMILY_SYSTEMS) {
      const ops = new Set(specs.filter((s) => s.system === sys).flatMap((s) => s.threads.flat().map((a) => a.op)));
      for (const a of adminOps(DEFAULT_BOUND, sys, 0)) expect(ops).toContain(a.op);
    }
  });
  // Refusals that keep blocks valid: without them the explorer finds the dangling address
  for (const sys of FAMILY_SYSTEMS) {
    it(`${sys}: a management action that ignores the use count is found (broken-remove-ignores-users), the reference holds`, () => {
      const kill: Action = sys === 'dcssblk' ? { op: 'dcssblk_remove', pid: 0, dev: 0 } : { op: 'brd_blkflsbuf', pid: 0, dev: 0 };
      const threads: Action[][] = [[kill], [{ op: 'load', pid: 0, addr: 5, len: 1 }]];
      const spec = { name: `admin-${sys}`, config: familyConfig(DEFAULT_BOUND, sys), setup: familySetup(DEFAULT_BOUND), threads };
      expect(explore(spec, { variant: variantByName('broken-remove-ignores-users')! }).violation?.invariant).toBe('address-validity');
      expect(explore(spec, { variant: ref }).verdict).toBe('exhausted');
    });
  }
});

describe('deadlock detection', () => {
  it('a lock-order inversion (truncate vs sparse fault) is reported as a deadlock, with who waits for what', () => {
    const threads: Action[][] = [[{ op: 'load', pid: 1, addr: 9, len: 1 }], [{ op: 'ftruncate', pid: 0, fd: 0, len: 0 }]];
    const spec = { name: 'abba', config: familyConfig(bound), setup: familySetup(bound), threads };
    const r = explore(spec, { variant: variantByName('broken-lock-inversion')! });
    expect(r.violation?.invariant).toBe('deadlock');
    expect(r.violation?.message).toMatch(/xip_sparse_mutex/);
    expect(r.violation?.message).toMatch(/i_mmap/);
    expect(explore(spec, { variant: ref }).verdict).toBe('exhausted');
  });
});

describe('shortest counterexample', () => {
  // A toy system on the same runtime: two threads each do counter++ as a read step then a write
  // step. The lost update needs both reads before either write: 4 steps at the least.
  const toy = (call: Call): Proc<Observation> => (function* () {
    const v = yield* atomic('read counter', (s) => [s, s.sparseSeq] as const);
    yield* atomic('write counter', (s) => [{ ...s, sparseSeq: v + 1 }, null] as const);
    return { ret: 0 };
  })();
  const lostUpdate: Invariant = {
    id: 'no-lost-update', title: 'both increments land', why: 'toy', source: 'toy', when: 'between-operations', brokenBy: 'none',
    check: (s) => (s.threads.length === 0 && s.sparseSeq < s.nextTid - 1 ? 'lost update' : null),
  };
  it('BFS returns a violation of the minimal length (4 atomic steps)', () => {
    const threads = [[{ op: 'umount', pid: 0 }], [{ op: 'umount', pid: 0 }]] as Action[][];
    const r = explore({ name: 'toy', config: familyConfig(bound), setup: [], threads }, { variant: ref, invariants: [lostUpdate], program: toy, symmetry: false });
    expect(r.verdict).toBe('violation');
    expect(r.violation!.schedule).toHaveLength(4);
  });
  it('and says "exhausted" with the number of distinct states when there is none', () => {
    const threads = [[{ op: 'umount', pid: 0 }]] as Action[][];
    const r = explore({ name: 'toy1', config: familyConfig(bound), setup: [], threads }, { variant: ref, invariants: [lostUpdate], program: toy });
    expect(r.verdict).toBe('exhausted');
    expect(r.states).toBe(3);
  });
  it('stops at --max-states and says the bound was NOT exhausted', () => {
    const threads = [[{ op: 'load', pid: 0, addr: 5, len: 1 }], [{ op: 'load', pid: 0, addr: 5, len: 1 }]] as Action[][];
    const r = explore({ name: 'lim', config: familyConfig(bound), setup: familySetup(bound), threads }, { variant: ref, maxStates: 10 });
    expect(r.verdict).toBe('limit');
    expect(r.stoppedBy).toBe('states');
  });
});

describe('symmetry reduction', () => {
  it('identical threads: fewer states with symmetry, same verdict', () => {
    const threads = [0, 1, 2].map(() => [{ op: 'load', pid: 0, addr: 9, len: 1 }]) as Action[][];
    const spec = { name: 'sym', config: familyConfig(bound), setup: familySetup(bound), threads };
    const a = explore(spec, { variant: ref, symmetry: true });
    const b = explore(spec, { variant: ref, symmetry: false });
    expect(a.verdict).toBe('exhausted');
    expect(b.verdict).toBe('exhausted');
    expect(a.states).toBeLessThan(b.states);
  });
});
