import { describe, expect, it } from 'vitest';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { mediumOf, padTo, setAt, updateDevice, type State } from '../../model/state.ts';

/**
 * model/state.ts's helpers that every layer trusts: `updateDevice` keeps one medium behind a
 * disk and its partitions (what a driver changes of the memory, its private data, presence or
 * read-only flag shows on every entry of that medium and on no other), and `padTo`. The
 * scenarios reach them only through drivers, which change every field at once; `npm run
 * mutation` saw 17 of their mutants live (docs/mutation.md).
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
// two disks; d has partitions d1, d2
const s0 = initialState({
  pageSize: 4,
  devices: [
    { name: 'd', driver: 'brd', pages: 12 }, { name: 'd1', driver: 'brd', partitionOf: 'd', startSect: 8, pages: 3 },
    { name: 'd2', driver: 'brd', partitionOf: 'd', startSect: 32, pages: 6 }, { name: 'e', driver: 'brd', pages: 6 },
  ],
  fs: { device: 'd2', files: [] },
}, ctx);
const fields = (s: State, k: number) => { const d = s.devices[k]; return [d.data, d.priv, d.present, d.readOnly]; };

describe('updateDevice: one medium, every entry', () => {
  it('the media: d, d1, d2 on d; e on its own', () => {
    expect([0, 1, 2, 3].map((k) => mediumOf(s0.devices, k))).toEqual([0, 0, 0, 3]);
  });
  it.each([
    ['the memory', (d: State['devices'][number]) => ({ ...d, data: setAt(d.data, 5, [7, 7, 7, 7]) })],
    ['the private data', (d: State['devices'][number]) => ({ ...d, priv: { changed: true } })],
    ['presence', (d: State['devices'][number]) => ({ ...d, present: false })],
    ['the read-only flag', (d: State['devices'][number]) => ({ ...d, readOnly: true })],
  ])('%s changed through any entry shows on every entry of the medium, not on another disk', (_, f) => {
    for (const through of [0, 1, 2]) {
      const s = updateDevice(s0, through, f);
      for (const k of [0, 1, 2]) expect(fields(s, k), `through ${through}, entry ${k}`).toEqual(fields(s, through));
      expect(s.devices[3]).toBe(s0.devices[3]);
    }
    const s = updateDevice(s0, 3, f);
    for (const k of [0, 1, 2]) expect(s.devices[k]).toBe(s0.devices[k]);
  });
  it('what is an entry\'s own (openers, its name and offsets) stays its own', () => {
    const s = updateDevice(s0, 1, (d) => ({ ...d, openers: d.openers + 1, data: setAt(d.data, 2, [1, 1, 1, 1]) }));
    expect(s.devices.map((d) => d.openers)).toEqual([s0.devices[0].openers, s0.devices[1].openers + 1, s0.devices[2].openers, s0.devices[3].openers]);
    expect(s.devices.map((d) => d.name)).toEqual(['d', 'd1', 'd2', 'e']);
    expect(s.devices[2].startSect).toBe(s0.devices[2].startSect);
  });
  it('an entry unchanged by the update keeps its object', () => {
    const s = updateDevice(s0, 1, (d) => ({ ...d, openers: d.openers + 1 }));
    expect(s.devices[0]).toBe(s0.devices[0]);
    expect(s.devices[2]).toBe(s0.devices[2]);
  });
});

describe('padTo', () => {
  it('grows to hold index upto, and no further; a long enough array is returned as it is', () => {
    const a = [1, 2];
    expect(padTo(a, 1, 0)).toBe(a);
    expect(padTo(a, 2, 0)).toEqual([1, 2, 0]);
    expect(padTo(a, 4, 9)).toEqual([1, 2, 9, 9, 9]);
    expect(a).toEqual([1, 2]);
  });
});
