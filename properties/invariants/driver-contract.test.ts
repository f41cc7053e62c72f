import { describe, expect, it } from 'vitest';
import { check } from '../../checker/check.ts';
import { program } from '../../model/actions.ts';
import { initialState } from '../../model/init.ts';
import { runCall } from '../../model/kernel/runtime.ts';
import type { Call, State } from '../../model/state.ts';
import { updateDevice } from '../../model/state.ts';
import { variantByName } from '../../model/variants.ts';
import { REFERENCE_SUITE } from '../suites/reference.ts';
import { driverContract } from './driver-contract.ts';
import { registerDriver, unregisterDriver } from '../../model/block/driver.ts';
import { brd_driver } from '../../model/block/drivers/brd.ts';
import { pfnOf } from '../../model/kernel/physmem.ts';

const reference = variantByName('reference')!;
const ctx = { variant: reference, pageSize: 4 };

/** A brd disk of 4 pages that may back only 2, an axonram bank on a partition, and a dcssblk segment. */
const config = {
  pageSize: 4,
  devices: [
    { name: 'seg', driver: 'dcssblk' as const, pages: 3 },
    { name: 'ram', driver: 'brd' as const, pages: 4, maxBackingPages: 2 },
    { name: 'axon', driver: 'axonram' as const, pages: 4, startSect: 8 },
    { name: 'sda', driver: 'disk' as const, pages: 2 },
  ],
  fs: { device: 'seg', mounted: false },
};

function run(s: State, call: Call): State {
  return runCall(s, call, ctx, program).state;
}

describe('driver-contract: every sector of every disk, probed directly', () => {
  it('the reference drivers keep the contract on every reference system as it starts', () => {
    for (const sys of REFERENCE_SUITE) expect(driverContract.check!(initialState(sys.config, ctx)), sys.name).toBeNull();
  });

  it('the reference drivers keep it through brd allocation up to the memory limit, partitions and a removed segment', () => {
    let s = initialState(config, ctx);
    expect(driverContract.check!(s)).toBeNull();
    // two probes back two brd pages: the limit is reached, the other pages must now give -ENOSPC (3.19)
    s = run(s, { op: 'bdev_direct_access', pid: 0, dev: 1, sector: 0 });
    s = run(s, { op: 'bdev_direct_access', pid: 0, dev: 1, sector: 16 });
    expect(s.devices[1].data.filter((p) => p !== null)).toHaveLength(2);
    expect(driverContract.check!(s)).toBeNull();
    s = run(s, { op: 'dcssblk_remove', pid: 0, dev: 0 });
    expect(s.devices[0].present).toBe(false);
    expect(driverContract.check!(s)).toBeNull();
  });

  it('judges brd\'s -ENOSPC from the pages really backed, not from a driver\'s own count', () => {
    // a brd-like driver that counts its allocations in its private data, and a state where the
    // count forgot a page: the driver would hand out a third page past the machine's limit
    registerDriver<{ allocated: number }>({
      kind: 'driver', role: 'brd', cites: brd_driver.cites, name: 'brd-counting', add_disk: (c) => ({ ...brd_driver.add_disk(c, 4), priv: { allocated: 0 } }),
      fops: {
        direct_access: (c, disk, sector) => {
          const page = sector / 8;
          if (sector % 8 || page >= disk.pages) return { ret: { err: sector % 8 ? -22 : -34 } };
          const ok = { kaddr: pfnOf(disk.index, page) * disk.pageSize, pfn: pfnOf(disk.index, page) };
          if (disk.backed[page]) return { ret: ok };
          if (disk.priv.allocated >= (disk.config.maxBackingPages ?? disk.pages)) return { ret: { err: -28 } };
          return { ret: ok, back: [page], priv: { allocated: disk.priv.allocated + 1 } };
        },
      },
    });
    try {
      const cfg = { ...config, devices: config.devices.map((d) => (d.name === 'ram' ? { ...d, driver: 'brd-counting' } : d)) };
      let s = initialState(cfg, ctx);
      s = run(s, { op: 'bdev_direct_access', pid: 0, dev: 1, sector: 0 });
      s = run(s, { op: 'bdev_direct_access', pid: 0, dev: 1, sector: 8 });
      expect(driverContract.check!(s)).toBeNull();
      const miscounted = updateDevice(s, 1, (d) => ({ ...d, priv: { allocated: 1 } }));
      expect(driverContract.check!(miscounted)).toMatch(/^ram sector 16: direct_access returned pfn \d+, the driver's rule says -ENOSPC/);
    } finally {
      unregisterDriver('brd-counting');
    }
  });

  it('a driver answering for another medium breaks the rules of that medium (alignment, partition start)', () => {
    const s = initialState(config, ctx);
    // the axonram bank driven by dcssblk's code: unaligned sectors are refused, the partition start is not added
    const wrong = updateDevice(s, 2, (d) => ({ ...d, fops: 'dcssblk' }));
    expect(driverContract.check!(wrong)).toBe('axon sector 0: direct_access returned disk page 0, the sector lies in page 1 (partition start 8 added)');
    // a plain disk given a direct_access
    expect(driverContract.check!(updateDevice(s, 3, (d) => ({ ...d, fops: 'brd' })))).toBe('sda is a plain disk, yet its driver offers direct_access');
  });

  // Once a model defect this invariant found (issue 7, item 5): the bio path backed brd pages
  // without brd_insert_page's accounting, so writeback could fill all 7 pages the machine
  // allows and brd_direct_access, trusting its own count, handed out an 8th. In 3.x
  // brd_do_bvec → copy_to_brd_setup → brd_insert_page allocates (or fails) exactly as
  // direct_access does, and so does the model now: the same calls keep the contract.
  it('pages backed by writeback count against brd\'s memory limit, as direct_access\'s do', () => {
    const brd = { pageSize: 4, devices: [{ name: 'ram0', driver: 'brd' as const, pages: 9, maxBackingPages: 7 }], fs: { device: 'ram0', files: [{ name: 'f0', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1], holes: [1] }] } };
    let s = initialState(brd, ctx);
    for (const c of [
      { op: 'umount', pid: 0 }, { op: 'mount', pid: 0, dev: 0, xip: false, ro: false }, { op: 'store', pid: 0, addr: 0, bytes: [1, 2, 3, 4, 5, 6, 7, 8] },
      { op: 'open', pid: 0, name: 'g', flags: { read: true, write: true, creat: true } }, { op: 'write', pid: 0, fd: 0, buf: 0, len: 8 },
      { op: 'write', pid: 0, fd: 0, buf: 0, len: 8 }, { op: 'fsync', pid: 0, fd: 0 },
    ] as Call[]) s = run(s, c);
    expect(driverContract.check!(s)).toBeNull();
  });

  it('broken-da-range-off-by-one (the page past the segment end) is caught at once, the reference is not', () => {
    const r = check({ seed: 7, runs: 50, variant: variantByName('broken-da-range-off-by-one')!, invariants: [driverContract] });
    expect(r.counterexample?.invariant).toBe('driver-contract');
    expect(r.counterexample?.message).toBe("dcssblk0 sector 72: direct_access returned pfn 265, the driver's rule says -ERANGE (the disk has 9 pages)");
    expect(check({ seed: 7, runs: 50, variant: reference, invariants: [driverContract] }).counterexample).toBeNull();
  });

  it('broken-da-other-device (every dcssblk disk answers with the first segment) is caught on the second disk', () => {
    const r = check({ seed: 7, runs: 50, variant: variantByName('broken-da-other-device')!, invariants: [driverContract] });
    expect(r.counterexample?.invariant).toBe('driver-contract');
    expect(r.counterexample?.message).toBe('dcssblk1 sector 0: direct_access returned pfn 256, which is memory of dcssblk0');
  });
});
