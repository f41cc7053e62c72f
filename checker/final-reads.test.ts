import { describe, expect, it } from 'vitest';
import type { Action } from '../model/actions.ts';
import type { State } from '../model/state.ts';
import { updateDevice, updateInode } from '../model/state.ts';
import { variantByName } from '../model/variants.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { REFERENCE_SUITE } from '../properties/suites/reference.ts';
import { exploreFamily } from './explore/family-run.ts';
import { explore } from './explore/explore.ts';
import { familyAll } from './explore/family.ts';
import { finalReads, runSteps } from './sequence.ts';
import { makeSystem } from './system.ts';
import { EXT2_I, withIData } from '../model/fs/ext2/ext2.ts';

const ref = variantByName('reference')!;
const sys = makeSystem('dcssblk', REFERENCE_SUITE[0].config, ref);
const seq = (...calls: Action[]) => runSteps(sys, calls.map((a) => ({ threads: [[a]] })), INVARIANTS, undefined, { finalReads: false });
const ops = (steps: readonly { threads: readonly (readonly Action[])[] }[]) => steps.map((s) => s.threads[0][0].op);

/** The data block of page `pg` of the file `name`, in the concrete state. */
const blockOf = (s: State, name: string, pg: number) => EXT2_I(s.inodes[s.dir[name]]!).i_data[pg];
const poke = (s: State, block: number, off: number, b: number): State =>
  updateDevice(s, s.sbs[0]!.dev, (d) => ({ ...d, data: d.data.map((p, i) => (i === block ? p!.map((x, k) => (k === off ? b : x)) : p)) }));

describe('final reads: every byte of every file, judged by the reference', () => {
  it('on the reference, reads each file through open, pread up to the size, the partial last page mapped, close — and agrees', () => {
    const r = seq({ op: 'open', pid: 0, name: 'f1', flags: { read: true, write: true, creat: true } }, { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 5, pos: 0 });
    const f = finalReads(sys, r.state, r.ref, INVARIANTS);
    expect(f.violation).toBeNull();
    // f0 (10 bytes: 8 + 2 with heap chunks of 8) then f1 (5 bytes)
    expect(ops(f.steps)).toEqual(['open', 'pread', 'pread', 'mmap', 'load', 'munmap', 'close', 'open', 'pread', 'mmap', 'load', 'munmap', 'close']);
    expect(f.steps.every((s) => s.observer)).toBe(true);
    expect(f.steps[1].obs[0][0]).toMatchObject({ ret: 8, data: [1, 2, 3, 4, 0, 0, 0, 0] }); // page 1 of f0 is a hole
  });

  it('a wrong byte on the medium under a file is a coherence violation at the read that sees it', () => {
    const r = seq({ op: 'open', pid: 0, name: 'f0', flags: { read: true } });
    const bad = poke(r.state, blockOf(r.state, 'f0', 2), 1, 42); // byte 9 of f0
    const f = finalReads(sys, bad, r.ref, INVARIANTS);
    expect(f.violation?.invariant).toBe('coherence');
    expect(f.violation?.message).toMatch(/pread: byte 1 is 42, reference says 1/);
    expect(f.steps[f.violation!.step].threads[0][0]).toMatchObject({ op: 'pread', pos: 8 });
  });

  it('a block handed to two files shows in the second file\'s bytes', () => {
    const r = seq({ op: 'open', pid: 0, name: 'f1', flags: { read: true, write: true, creat: true } }, { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 4, pos: 0 });
    const f1 = r.state.dir.f1;
    const shared = updateInode(r.state, f1, (i) => withIData(i, [blockOf(r.state, 'f0', 0)]));
    // block-ownership sees the shared block at the first step; without it, the reads do
    expect(finalReads(sys, shared, r.ref, INVARIANTS).violation?.invariant).toBe('block-ownership');
    const f = finalReads(sys, shared, r.ref, INVARIANTS.filter((i) => i.id !== 'block-ownership'));
    expect(f.violation?.invariant).toBe('coherence');
    expect(f.steps[f.violation!.step].threads[0][0]).toMatchObject({ op: 'pread', fd: 1 }) // P0's own descriptor 0 stays open;
  });

  it('a tail past EOF left unzeroed shows through the mapped last page', () => {
    const r = seq({ op: 'open', pid: 0, name: 'f0', flags: { read: true, write: true } }, { op: 'ftruncate', pid: 0, fd: 0, len: 9 });
    const bad = poke(r.state, blockOf(r.state, 'f0', 2), 3, 7); // byte 11: past EOF (9) in the last page
    const f = finalReads(sys, bad, r.ref, INVARIANTS);
    expect(f.violation?.invariant).toBe('coherence');
    expect(f.steps[f.violation!.step].threads[0][0].op).toBe('load');
  });

  it('a file unlinked but still open is read through its descriptor', () => {
    const r = seq(
      { op: 'open', pid: 1, name: 'f1', flags: { read: true, write: true, creat: true } },
      { op: 'pwrite', pid: 1, fd: 0, buf: 0, len: 3, pos: 0 },
      { op: 'unlink', pid: 0, name: 'f1' },
    );
    const f = finalReads(sys, r.state, r.ref, INVARIANTS);
    expect(f.violation).toBeNull();
    const last = f.steps.filter((s) => s.threads[0][0].pid === 1).map((s) => s.threads[0][0]);
    expect(last.map((a) => a.op)).toEqual(['pread', 'mmap', 'load', 'munmap']);
    const ino = r.state.procs[1].files[0]!.ino;
    const bad = updateDevice(r.state, r.state.sbs[0]!.dev, (d) => ({ ...d, data: d.data.map((p, i) => (i === EXT2_I(r.state.inodes[ino]!).i_data[0] ? [9, 9, 9, 9] : p)) }));
    expect(finalReads(sys, bad, r.ref, INVARIANTS).violation?.invariant).toBe('coherence');
  });

  it('an unmounted file system is mounted read-only first; a failed mount leaves nothing to read', () => {
    const r = seq({ op: 'umount', pid: 0 });
    const f = finalReads(sys, r.state, r.ref, INVARIANTS);
    expect(f.violation).toBeNull();
    expect(f.steps[0].threads[0][0]).toMatchObject({ op: 'mount', ro: true, xip: true });
    expect(ops(f.steps)).toContain('pread');
    const gone = seq({ op: 'umount', pid: 0 }, { op: 'dcssblk_remove', pid: 0, dev: 0 });
    const g = finalReads(sys, gone.state, gone.ref, INVARIANTS);
    expect(ops(g.steps)).toEqual(['mount']);
    expect(g.steps[0].obs[0][0].ret).toBeLessThan(0);
  });

  it('every run of check and every replay end with them (runCommands on by default, runSteps when asked)', () => {
    const r = runSteps(sys, [{ threads: [[{ op: 'umount', pid: 0 }]] }], INVARIANTS, undefined, { finalReads: true });
    expect(r.steps.slice(1).every((s) => s.observer)).toBe(true);
    expect(r.steps.length).toBeGreaterThan(3);
  });
});

describe('explore: the final reads catch what no per-call check inside a group sees', () => {
  it('ext2_setsize without xip_truncate_page: exhausted before the observer, now a coherence violation in its final steps', async () => {
    const r = await exploreFamily({ variant: 'broken-truncate-no-zero-tail', bound: { threads: 2, ops: 1, pages: 2 } });
    expect(r.verdict).toBe('violation');
    expect(r.counterexample!.invariant).toBe('coherence');
    const steps = r.counterexample!.steps;
    expect(steps.at(-1)!.observer).toBe(true);
    expect(steps.at(-1)!.threads[0][0].op).toBe('load');
  });

  it('a final state met again, in the same search or another of its set-up, gets the verdict its reads gave the first time', () => {
    // the explorer judges each final state's reads once per set-up (explore.ts finalVerdict)
    const bound = { threads: 2, ops: 1, pages: 2 };
    const all = [...familyAll(bound)].filter((x) => !x.excluded);
    const broken = variantByName('broken-truncate-no-zero-tail')!;
    const cx = (r: ReturnType<typeof explore>) => ({ verdict: r.verdict, states: r.states, transitions: r.transitions, violation: r.violation });
    let failing = 0, clean = 0;
    for (const spec of all.slice(0, 60)) {
      const first = explore(spec, { variant: broken }), again = explore(spec, { variant: broken });
      expect(cx(again)).toEqual(cx(first));
      if (first.verdict === 'violation') { failing++; expect(first.violation!.steps.at(-1)!.observer).toBe(true); } else clean++;
    }
    // both kinds of verdict came back from the cache, not only one
    expect(failing).toBeGreaterThan(0);
    expect(clean).toBeGreaterThan(0);
  });
});
