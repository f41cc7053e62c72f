import type { Invariant } from '../invariant.ts';
import { addressValid, pfnToDevPage } from '../../model/kernel/physmem.ts';

/** The first pfn a thread learned from its steps (get_xip_mem / direct_access results) that fails `ok`, if any. */
function heldPfnNot(results: readonly unknown[], ok: (pfn: number) => boolean): number | null {
  // a loop, not a generator: this runs on every new state the explorer meets
  for (const r of results) {
    if (r && typeof r === 'object' && !Array.isArray(r)) {
      const pfn = (r as { pfn?: unknown }).pfn;
      if (typeof pfn === 'number' && !ok(pfn)) return pfn;
    }
  }
  return null;
}

/** 3. Every pfn held — by a pte or by an operation in flight — lies in an open, present device, in range. */
export const addressValidity: Invariant = {
  id: 'address-validity',
  title: 'every address stays valid until release',
  why: 'User ptes to device memory are special, non-refcounted pfn ptes: nothing but the open device keeps the memory behind them. A removed segment or freed ramdisk page under a live pte is a dangling mapping to memory now used for something else.',
  source: 'xip.txt (3.19): direct_access "reference is supposed to be cpu-addressable, physical address and remain valid until the release operation is performed." LWN 2005: "That address, which must remain valid until the device is closed". dcssblk_remove_store -EBUSY; brd_ioctl BLKFLSBUF -EBUSY',
  when: 'every-step',
  brokenBy: 'remove-ignores-users',
  // the pfns an operation in flight holds are in its thread's results
  readsThreads: true,
  check(s) {
    for (const p of s.procs) {
      for (let vp = 0; vp < p.ptes.length; vp++) {
        const pte = p.ptes[vp];
        if (pte?.kind === 'pfn' && !addressValid(s, pte.pfn)) {
          const dp = pfnToDevPage(pte.pfn);
          return `pid ${p.pid} vpage ${vp} maps pfn ${pte.pfn} of device ${dp ? s.devices[dp.dev]?.name : '?'}, which is ${describe(s, pte.pfn)}`;
        }
      }
    }
    for (const t of s.threads) {
      const pfn = heldPfnNot(t.results, (x) => addressValid(s, x));
      if (pfn !== null) return `thread ${t.tid} (${t.call.op}) holds pfn ${pfn}, which is ${describe(s, pfn)}`;
    }
    for (const sb of s.sbs) {
      if (!sb) continue;
      const d = s.devices[sb.dev];
      if (!d.present || d.openers < 1) return `the mounted device ${d.name} is ${d.present ? 'not held open' : 'removed'}`;
    }
    return null;
  },
};

function describe(s: Parameters<typeof addressValid>[0], pfn: number): string {
  const dp = pfnToDevPage(pfn);
  if (!dp) return 'not device memory';
  const d = s.devices[dp.dev];
  if (!d) return 'on no device';
  if (!d.present) return 'removed (segment unloaded)';
  if (d.openers < 1) return 'released (no opener)';
  if (d.data[dp.page] === null) return 'freed (no backing page)';
  return 'out of range';
}
