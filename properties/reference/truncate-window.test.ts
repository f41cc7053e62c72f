import { describe, expect, it } from 'vitest';
import { linearize } from '../../checker/group.ts';
import { makeSystem } from '../../checker/system.ts';
import { runSteps } from '../../checker/sequence.ts';
import { familyConfig, familySetup } from '../../checker/explore/family.ts';
import { variantByName } from '../../model/variants.ts';
import type { Action } from '../../model/actions.ts';
import type { Observation } from '../../model/state.ts';
import { insideWindow } from './truncate-window.ts';
import { explore } from '../../checker/explore/explore.ts';

/**
 * The truncate window (truncate-window.ts): between a shrinking ftruncate's i_size_write and
 * its unmap_mapping_range, a pte installed earlier still maps the old page. Judged here on
 * hand-made observations of the family's file (8 bytes; P0's shared mapping starts at 0x4, so
 * a load at 0x5 reads file byte 1, which holds 2), so each verdict is the reference's alone.
 */
const bound = { threads: 2, ops: 2, pages: 2 };
const sys = makeSystem('window', familyConfig(bound), variantByName('reference')!);
const setup = runSteps(sys, familySetup(bound).map((a) => ({ threads: [[a]] })), []);
const pre = setup.state;
const load: Action = { op: 'load', pid: 0, addr: 5, len: 1 };
const trunc0: Action = { op: 'ftruncate', pid: 0, fd: 0, len: 0 };
const data = (b: number): Observation => ({ ret: 0, data: [b] });
const sigbus: Observation = { ret: 0, data: [], signal: 'SIGBUS' };
const ok: Observation = { ret: 0 };
const judge = (threads: Action[][], obs: Observation[][]) => linearize(setup.ref, threads, pre, pre, obs).mismatch;

describe('a shrinking ftruncate as two events: i_size_write, then the unmap', () => {
  it('allows a SIGBUS then a load of the old data in one thread while another truncates (explore --ops 2, scenario #8)', () => {
    expect(judge([[load, load], [load, trunc0]], [[sigbus, data(2)], [data(2), ok]])).toBeNull();
  });
  it('a load in the window reads the bytes of before the truncate, not anything else', () => {
    expect(judge([[load, load], [load, trunc0]], [[sigbus, data(7)], [data(2), ok]])).not.toBeNull();
  });
  it('a store in the window lands in the doomed page: the file never sees it', () => {
    // T0's SIGBUS puts it after i_size_write; its store then succeeds only through the old pte
    const store: Action = { op: 'store', pid: 0, addr: 5, bytes: [6] };
    const r = linearize(setup.ref, [[load, store], [load, trunc0]], pre, pre, [[sigbus, { ret: 1 }], [data(2), ok]]);
    expect(r.mismatch).toBeNull();
    for (const ref of r.ref) {
      expect(ref.files[1]).toEqual({ size: 0, data: [], xip: true, fs: 0 });
      expect(ref.window).toBeUndefined();
    }
  });
  it('the window closes with the call: a later call of the truncating thread sees SIGBUS only', () => {
    expect(judge([[trunc0, load], [load]], [[ok, data(2)], [data(2)]])).not.toBeNull();
  });
  it('a call that takes i_mutex on the same inode is refused inside the window', () => {
    const w = { ino: 1, firstPage: 0, old: [1, 2, 3, 4] };
    const inoOf = () => 1;
    expect(insideWindow(w, { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 1 }, inoOf)).toMatch(/i_mutex/);
    expect(insideWindow(w, { ...trunc0, truncatePhase: 'size' }, inoOf)).toMatch(/i_mutex/);
    expect(insideWindow(w, { ...trunc0, truncatePhase: 'unmap' }, inoOf)).toBeNull();
    expect(insideWindow(w, { op: 'pread', pid: 0, fd: 0, buf: 0, len: 1, pos: 1 }, inoOf)).toBeNull(); // no lock in do_xip_mapping_read
    expect(insideWindow(w, { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 1 }, () => 2)).toBeNull(); // another inode
    // a pwrite before the truncate and loads in the window: explained
    const pw: Action = { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 1, pos: 1 };
    expect(judge([[load, load], [pw, trunc0]], [[data(9), sigbus], [{ ret: 1 }, ok]])).toBeNull();
  });
  it('explore: scenario #8 of --ops 2 exhausts on the reference; a truncate that never unmaps is still caught', () => {
    const threads: Action[][] = [[load, load], [load, trunc0]];
    const spec = { name: 's8', config: familyConfig(bound), setup: familySetup(bound), threads };
    expect(explore(spec, { variant: variantByName('reference')! }).verdict).toBe('exhausted');
    expect(explore(spec, { variant: variantByName('broken-truncate-no-unmap')! }).violation?.invariant).toBe('no-stale-mapping');
  });
});
