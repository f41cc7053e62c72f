import type { State } from '../state.ts';
import { setAt, updateDevice } from '../state.ts';

/**
 * Physical memory as the model numbers it. Device page p of device d has pfn
 * (d+1)*PFN_STRIDE + p; the global sparse page has pfn SPARSE_PFN. A kernel address (kaddr)
 * is pfn * pageSize + offset, as virt_to_phys is the identity on the modelled machines.
 */
export const PFN_STRIDE = 0x100;
export const SPARSE_PFN = 1;

export function pfnOf(dev: number, page: number): number {
  return (dev + 1) * PFN_STRIDE + page;
}

/** Which device page a pfn names (not whether it is valid: see addressValid). */
export function pfnToDevPage(pfn: number): { dev: number; page: number } | null {
  if (pfn < PFN_STRIDE) return null;
  return { dev: Math.floor(pfn / PFN_STRIDE) - 1, page: pfn % PFN_STRIDE };
}

/**
 * xip.txt: the address "is supposed to … remain valid until the release operation is
 * performed". A device pfn is valid while its device is present, held open, in range, and
 * (brd) backed by an allocated page.
 */
export function addressValid(s: State, pfn: number): boolean {
  if (pfn === SPARSE_PFN) return s.sparse.allocated;
  const dp = pfnToDevPage(pfn);
  if (!dp) return false;
  const d = s.devices[dp.dev];
  return !!d && d.present && d.openers > 0 && dp.page < d.pages && d.data[dp.page] !== null;
}

export function readPfn(s: State, pfn: number): readonly number[] {
  if (pfn === SPARSE_PFN) return s.sparse.data;
  const dp = pfnToDevPage(pfn);
  const d = dp && s.devices[dp.dev];
  const data = d && d.present ? d.data[dp.page] : null;
  // A dangling pfn reads as whatever the memory now holds; the model returns zeros and the
  // address-validity invariant reports the dangling mapping itself.
  return data ?? zeros(s.cfg.pageSize);
}

/** A CPU store to device memory: no permission check here (hardware protection is not modelled;
 *  the read-only invariant watches device contents instead). */
export function writePfn(s: State, pfn: number, off: number, bytes: readonly number[]): State {
  const dp = pfnToDevPage(pfn);
  if (!dp) throw new Error(`store to non-device pfn ${pfn}`);
  const d = s.devices[dp.dev];
  if (!d?.present || d.data[dp.page] == null) return s; // lost store to freed memory
  const page = d.data[dp.page]!.slice();
  for (let i = 0; i < bytes.length; i++) page[off + i] = bytes[i];
  return updateDevice(s, dp.dev, (x) => ({ ...x, data: setAt(x.data, dp.page, page) }));
}

const zeroCache = new Map<number, readonly number[]>();
export function zeros(n: number): readonly number[] {
  let z = zeroCache.get(n);
  if (!z) zeroCache.set(n, (z = Object.freeze(new Array<number>(n).fill(0))));
  return z;
}

export function isZero(a: readonly number[]): boolean {
  for (const b of a) if (b !== 0) return false;
  return true;
}
