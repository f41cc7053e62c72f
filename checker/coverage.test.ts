import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTrace } from './trace.ts';
import { runSteps } from './sequence.ts';
import { newCounters } from './execute.ts';
import { makeSystem } from './system.ts';
import { ENOSPC } from '../model/kernel/errno.ts';
import { check, checkFailed } from './check.ts';
import { coverageOf } from './coverage.ts';
import { checkText } from './report/text.ts';
import { checkJunit } from './report/junit.ts';
import { defensiveBranches } from '../model/kernel/coverage.ts';
import { variantByName } from '../model/variants.ts';

const REFERENCE = variantByName('reference')!;
import { REFERENCE_SUITE } from '../properties/suites/reference.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { exploreFailed, exploreFamily } from './explore/family-run.ts';
import { exploreText } from './report/explore.ts';

const declared = new Map([['f:never', 'a defensive check']]);
const all = ['f:often', 'f:rare', 'f:never'];

describe('coverage: a branch declared unreachable that a run reaches', () => {
  it('is a failing finding on the reference design (synthetic counters)', () => {
    const c = coverageOf(new Map([['f:often', 3], ['f:never', 1]]), REFERENCE, declared, all);
    expect(c.declaredReached).toEqual([{ branch: 'f:never', why: 'a defensive check', hits: 1 }]);
    expect(c.unreached).toEqual(['f:rare']);
    expect(c).toMatchObject({ reachable: 2, reached: 1 });
  });

  it('is only reported on a variant that changes the kernel on purpose', () => {
    const c = coverageOf(new Map([['f:never', 2]]), variantByName('2.6.26')!, declared, all);
    expect(c.declaredReached).toEqual([]);
    expect(c.reachedByVariant.map((d) => d.branch)).toEqual(['f:never']);
  });

  it('a label the catalogue does not declare is reported (and fails the run)', () => {
    expect(coverageOf(new Map([['f:typo', 1]]), REFERENCE, declared, all).undeclared).toEqual(['f:typo']);
  });

  it('is silent when nothing declared is reached', () => {
    expect(coverageOf(new Map([['f:often', 1]]), REFERENCE, declared, all).declaredReached).toEqual([]);
  });

  it('fails a real check run whose reference reaches a branch declared unreachable (exit 1, text and junit say so)', () => {
    // declare a branch the reference reaches on its first runs: the report must refute it
    const wrong = new Map([...defensiveBranches(), ['ext2_get_xip_mem:allocated', 'test: a wrong declaration']]);
    const r = check({ seed: 1, runs: 20, variant: REFERENCE, systems: REFERENCE_SUITE.slice(0, 1), declaredUnreachable: wrong });
    expect(r.counterexample).toBeNull();
    expect(r.declaredReached.map((d) => d.branch)).toEqual(['ext2_get_xip_mem:allocated']);
    expect(checkFailed(r)).toBe(true);
    expect(checkText(r)).toMatch(/FINDING \(fails the run\) — declared unreachable but reached \d+×: ext2_get_xip_mem:allocated/);
    expect(checkJunit(r)).toMatch(/<failure message="1 branches declared unreachable were reached">/);
  });

  it('the model\'s own declarations hold on a short reference check', () => {
    const r = check({ seed: 1, runs: 20, variant: REFERENCE, systems: REFERENCE_SUITE.slice(0, 1) });
    expect(r.declaredReached).toEqual([]);
    expect(checkFailed(r)).toBe(false);
    // and it says what its runs never do
    expect(r.exclusions.map((e) => e.name)).toEqual(expect.arrayContaining(['no-concurrent-read-write', 'no-concurrent-bookkeeping', 'reference-candidates']));
    expect(checkText(r)).toMatch(/excluded by construction[^\n]*\n {2}no-concurrent-read-write: /);
  });
});

describe('writeback ENOSPC is reachable (it was declared unreachable)', () => {
  it('the corpus scenario reaches ext2_aops:writepage-enospc and fsync returns -ENOSPC', () => {
    const t = parseTrace(JSON.parse(readFileSync('counterexamples/scenarios/Writeback+ENOSPC+SharedStoresIntoHoles.trace.json', 'utf8')));
    const c = newCounters();
    const r = runSteps(makeSystem(t.name, t.config, REFERENCE), t.steps, INVARIANTS, c);
    expect(r.violation).toBeNull();
    expect(c.branches.get('ext2_aops:writepage-enospc')).toBe(1);
    expect(r.steps.at(-1)!.obs[0][0].ret).toBe(-ENOSPC);
    expect(defensiveBranches().has('ext2_aops:writepage-enospc')).toBe(false);
  });
});

describe('coverage in explore', () => {
  const bound = { threads: 2, ops: 1, pages: 1 };
  it('fails the reference exploration when a declared-unreachable branch is reached (exit 1, text says so)', async () => {
    const wrong = new Map([...defensiveBranches(), ['dcssblk_direct_access:ok', 'test: a wrong declaration']]);
    const r = await exploreFamily({ variant: 'reference', bound, declaredUnreachable: wrong });
    expect(r.verdict).toBe('exhausted');
    expect(r.declaredReached.map((d) => d.branch)).toEqual(['dcssblk_direct_access:ok']);
    expect(exploreFailed(r)).toBe(true);
    expect(exploreText(r)).toMatch(/FINDING \(fails the run\) — declared unreachable but reached \d+×: dcssblk_direct_access:ok/);
  });

  it('says which invariants the interleavings never evaluated, and why', async () => {
    const r = await exploreFamily({ variant: 'reference', bound });
    expect(r.declaredReached).toEqual([]);
    expect(exploreFailed(r)).toBe(false);
    const perCall = INVARIANTS.filter((i) => i.perCall).map((i) => i.id).sort();
    expect(r.notEvaluated.map((n) => n.id).sort()).toEqual(perCall);
    expect(r.invariants.find((i) => i.id === 'coherence')!.checks).toBeGreaterThan(0);
    expect(exploreText(r)).toMatch(/not evaluated: .*transfer-exact/);
  });
});
