import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore/explore.ts';
import { familyConfig, familySetup, alphabet } from '../../checker/explore/family.ts';
import { variantByName } from '../variants.ts';
import { initialState } from '../init.ts';
import { Config, type ConfigInput } from '../config.ts';
import type { Action } from '../actions.ts';
import { EXT2_SB } from '../fs/ext2/ext2.ts';

/**
 * A file system on a partition, end to end: mke2fs at init, the page cache's bios
 * (blk_partition_remap adds start_sect), axonram's direct_access (adds bd_part->start_sect),
 * the reference's initial bytes and the invariants all put fs block b at device page
 * b + start_sect/8.
 */
const bound = { threads: 2, ops: 1, pages: 2 };
const ref = variantByName('reference')!;
function partitioned(driver: 'axonram' | 'brd' | 'disk', xip: boolean): ConfigInput {
  const c = familyConfig(bound);
  return { ...c, devices: [{ name: 'p0', driver, pages: 10, startSect: 16 }], fs: { ...c.fs, device: 'p0', mount: { xip, ro: false } } };
}
const spec = (config: ConfigInput, threads: Action[][]) => ({ name: 'part', config, setup: familySetup(bound), threads });
// every pair of P0's and P1's one-op programs on the family's alphabet, minus the unfixed read-vs-truncate shape
function pairs(): Action[][][] {
  const out: Action[][][] = [];
  for (const a of alphabet(bound, 0, 5)) for (const b of alphabet(bound, 1, 6)) {
    if ((a.op === 'ftruncate' && b.op === 'pread') || (a.op === 'pread' && b.op === 'ftruncate')) continue;
    out.push([[a], [b]]);
  }
  return out;
}

describe('partitions', () => {
  it('mke2fs writes the files at the partition, not at the disk start', () => {
    const s = initialState(partitioned('axonram', true), { variant: ref, pageSize: 4 });
    expect(s.devices[0].data[2]).toEqual([0xee, 0xee, 0xee, 0xee]); // sector 16 is page 2: the super block…
    expect(s.devices[0].data[3]).toEqual([1, 2, 3, 4]); // …and the file's first block right after it
    expect(EXT2_SB(s.sbs[0]!).bitmap).toHaveLength(8); // the fs spans the partition: 10 - 2 pages
  });
  it('an XIP fs on an axonram partition: every interleaving of every one-op pair holds', () => {
    for (const threads of pairs()) {
      const r = explore(spec(partitioned('axonram', true), threads), { variant: ref });
      expect([r.verdict, r.violation?.message, JSON.stringify(threads)]).toEqual(['exhausted', undefined, JSON.stringify(threads)]);
    }
  });
  it('a page-cache fs on a disk partition and on a brd partition: holds too', () => {
    for (const driver of ['disk', 'brd'] as const) {
      for (const threads of pairs().slice(0, 40)) {
        const r = explore(spec(partitioned(driver, false), threads), { variant: ref });
        expect(r.verdict, `${driver} ${JSON.stringify(threads)}: ${r.violation?.message}`).toBe('exhausted');
      }
    }
  });
  it('brd_direct_access (2.6.26–3.19) ignores the partition start, so XIP on a brd partition reads the wrong pages', () => {
    // bios are remapped (blk_partition_remap), direct_access is not (4.0's bdev_direct_access adds
    // get_start_sect): an XIP mount of a brd partition maps the disk's page b, not the partition's
    const r = explore(spec(partitioned('brd', true), [[{ op: 'load', pid: 0, addr: 5, len: 1 }], [{ op: 'pread', pid: 1, fd: 0, buf: 1, len: 1, pos: 1 }]]), { variant: ref });
    expect(r.verdict).toBe('violation');
  });
  it('a config with an impossible partition is refused with one line', () => {
    const bad = (d: object) => Config.safeParse({ devices: [{ name: 'd', pages: 4, ...d }], fs: { device: 'd' } });
    expect(bad({ driver: 'brd', startSect: 4 }).error?.issues[0].message).toMatch(/page boundary/);
    // whether a driver has partitions is its own: known once the named driver is found, at init
    expect(() => initialState({ devices: [{ name: 'd', pages: 4, driver: 'dcssblk', startSect: 8 }], fs: { device: 'd', mounted: false } }, { variant: ref, pageSize: 4 })).toThrow(/no partitions/);
    expect(() => initialState({ devices: [{ name: 'd', pages: 4, driver: 'nvdimm' }], fs: { device: 'd', mounted: false } }, { variant: ref, pageSize: 4 })).toThrow(/no driver named "nvdimm" \(registered: dcssblk, brd, axonram, disk\)/);
    expect(bad({ driver: 'brd', startSect: 24 }).error?.issues[0].message).toMatch(/at least 2/);
  });
});

describe('the writeback at umount goes through the bio path', () => {
  it('a page-cache file on a disk partition keeps its bytes across umount and mount (and nothing outside the partition changes)', async () => {
    const { makeSystem } = await import('../../checker/system.ts');
    const { runSteps } = await import('../../checker/sequence.ts');
    const { INVARIANTS } = await import('../../properties/registry.ts');
    const config: ConfigInput = { pageSize: 4, devices: [{ name: 'sda', driver: 'disk', pages: 10, startSect: 16 }], fs: { device: 'sda', mount: { xip: false, ro: false } }, processes: 1 };
    const sys = makeSystem('part-writeback', config, ref);
    const steps: Action[] = [
      { op: 'store', pid: 0, addr: 0, bytes: [1, 2] } as Action,
      { op: 'open', pid: 0, name: 'f', flags: { read: true, write: true, creat: true } } as Action,
      { op: 'pwrite', pid: 0, fd: 0, buf: 0, len: 2, pos: 0 } as Action,
      { op: 'close', pid: 0, fd: 0 } as Action,
      { op: 'umount', pid: 0 } as Action,
      { op: 'mount', pid: 0, dev: 0, xip: false, ro: false } as Action,
    ];
    const before = initialState(config, { variant: ref, pageSize: 4 }).devices[0].data;
    const r = runSteps(sys, steps.map((a) => ({ threads: [[a]] })), INVARIANTS, undefined, { finalReads: true });
    expect(r.violation).toBeNull();
    // device pages 0 and 1 lie before the partition (start sector 16): the writeback never touches them
    expect(r.state.devices[0].data.slice(0, 2)).toEqual(before.slice(0, 2));
  });
});
