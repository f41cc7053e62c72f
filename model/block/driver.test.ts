import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../init.ts';
import { variantByName } from '../variants.ts';
import { PluginFault, setPluginGuard } from '../kernel/plugin-guard.ts';
import { pfnOf } from '../kernel/physmem.ts';
import { callDriver, isPlainData, registerDriver, substituteDriver, unregisterDriver } from './driver.ts';
import { direct_access, validDirectAccess } from './direct_access.ts';
import { bioWrite, validErrno } from './block_device.ts';
import type { BlockDriver, Disk, DriverStep } from './block_device_operations.ts';

/**
 * The block layer's side of the driver contract, in process: what a driver returns is applied to
 * its disk and nothing else, and under the audit guard a driver that breaks the contract is a
 * PluginFault of the right kind, never a changed state.
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = { pageSize: 4, devices: [{ name: 'm0', driver: 'dcssblk', pages: 4 }, { name: 'm1', driver: 'dcssblk', pages: 4 }], fs: { device: 'm0', mounted: false } };

/** A driver of dcssblk's role whose direct_access is `da`; substituted for dcssblk while a test runs. */
function withDriver(da: (disk: Disk<{ n: number }>, sector: number) => DriverStep<unknown, { n: number }>) {
  const d: BlockDriver<{ n: number }> = {
    kind: 'driver', name: 'probe', role: 'dcssblk', cites: 'test',
    add_disk: () => ({ priv: { n: 0 }, backed: false, readOnly: false }),
    fops: { direct_access: (_c, disk, sector) => da(disk, sector) as DriverStep<never, { n: number }> },
  };
  registerDriver(d);
  substituteDriver('dcssblk', 'probe');
  return initialState(config, ctx);
}

afterEach(() => {
  setPluginGuard(false);
  substituteDriver('dcssblk', null);
  unregisterDriver('probe');
});

const ok = (disk: Disk, page: number) => ({ kaddr: pfnOf(disk.index, page) * disk.pageSize, pfn: pfnOf(disk.index, page) });

describe('a driver changes its own disk only through what it returns', () => {
  it('back, zero, priv, readOnly and present land on its disk; the other disk is the same object', () => {
    const s = withDriver((disk, sector) => ({ ret: ok(disk, sector / 8), back: [sector / 8], priv: { n: disk.priv.n + 1 }, readOnly: true }));
    const [s2, da] = direct_access(s, 0, 16);
    expect(da).toEqual({ kaddr: pfnOf(0, 2) * 4, pfn: pfnOf(0, 2) });
    expect(s2.devices[0].data[2]).toEqual([0, 0, 0, 0]);
    // page 0 holds the super block mke2fs wrote; page 2 is the one the driver backed
    expect(s2.devices[0].data.map((p) => p !== null)).toEqual([true, false, true, false]);
    expect(s2.devices[0].priv).toEqual({ n: 1 });
    expect(s2.devices[0].readOnly).toBe(true);
    expect(s2.devices[1]).toBe(s.devices[1]);
    const [s3] = callDriver(s2, 0, 'direct_access', () => ({ ret: 0, zero: [2], present: false, freeAll: true }), () => null);
    expect(s3.devices[0].present).toBe(false);
    expect(s3.devices[0].data.every((p) => p === null)).toBe(true);
    // a removed disk lost its medium, not the file system it held: formatted is the medium's, gone with it or not
    expect(s3.devices[0].formatted).toBe(s2.devices[0].formatted);
    const [s4] = callDriver(s2, 0, 'ioctl', () => ({ ret: 0, freeAll: true }), () => null);
    expect(s4.devices[0].formatted).toBe(false);
    // an answer that changes nothing leaves the state itself
    expect(callDriver(s2, 0, 'x', () => ({ ret: 0 }), () => null)[0]).toBe(s2);
  });
});

describe('under the audit guard a driver that breaks the contract is a finding of the right kind', () => {
  const fault = (da: Parameters<typeof withDriver>[0]): PluginFault => {
    const s = withDriver(da);
    setPluginGuard(true);
    try {
      direct_access(s, 0, 8);
    } catch (e) {
      if (e instanceof PluginFault) return e;
      throw e;
    }
    throw new Error('no fault');
  };
  it('throws', () => expect(fault(() => { throw new Error('boom'); })).toMatchObject({ kind: 'threw', plugin: 'probe', op: 'direct_access' }));
  it('writes into its view', () => expect(fault((disk) => { (disk.priv as { n: number }).n = 5; return { ret: { err: -5 } }; }).kind).toBe('mutated'));
  it('writes into the config it was shown', () => expect(fault((disk) => { (disk.config as { pages: number }).pages = 9; return { ret: { err: -5 } }; }).kind).toBe('mutated'));
  it('answers differently twice', () => { let k = 0; expect(fault(() => ({ ret: { err: -(++k) } })).kind).toBe('non-deterministic'); });
  const malformed: [string, DriverStep<unknown, { n: number }>, RegExp][] = [
    ['a kaddr that is not a number', { ret: { kaddr: 'x', pfn: 1 } }, /kaddr and pfn must be non-negative integers/],
    ['a positive errno', { ret: { err: 5 } }, /err must be a negative errno/],
    ['a page outside its disk', { ret: { err: -5 }, back: [4] }, /back: \[4\] is not a list of pages of its disk \(0\.\.3\)/],
    ['private data that is not JSON', { ret: { err: -5 }, priv: { n: new Date() as unknown as number } }, /priv: private data must be plain JSON/],
    ['a field of its own', { ret: { err: -5 }, sneaky: 1 } as DriverStep<unknown, { n: number }>, /unknown field "sneaky"/],
    ['a readOnly that is not a boolean', { ret: { err: -5 }, readOnly: 1 as unknown as boolean }, /readOnly: 1 is not a boolean/],
  ];
  for (const [what, step, msg] of malformed) {
    it(`returns ${what}`, () => {
      const f = fault(() => step);
      expect(f.kind).toBe('malformed');
      expect(f.message).toMatch(msg);
    });
  }
  it('a driver keeping its contract under the guard gives what it gives without it', () => {
    const da = (disk: Disk<{ n: number }>, sector: number) => ({ ret: ok(disk, sector / 8), back: [sector / 8] });
    const s = withDriver(da);
    const plain = direct_access(s, 1, 8);
    setPluginGuard(true);
    const guarded = direct_access(s, 1, 8);
    expect(guarded).toEqual(plain);
  });
});

describe('what the block layer accepts from a driver', () => {
  it('private data is plain JSON data, nested at most 32 deep', () => {
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    const yes: unknown[] = [null, 'x', true, false, 0, -1.5, [], {}, [1, 'a', null], { a: { b: [1, { c: false }] } }, Object.create(null), deep(32)];
    const no: unknown[] = [undefined, NaN, Infinity, () => 1, new Date(), new Map(), [undefined], { a: undefined }, { a: () => 1 }, [NaN], Symbol('s'), 10n, deep(34)];
    yes.forEach((v, k) => expect(isPlainData(v), `yes[${k}]`).toBe(true));
    no.forEach((v, k) => expect(isPlainData(v), `no[${k}]`).toBe(false));
  });
  it('direct_access answers { kaddr, pfn } or { err }, nothing more', () => {
    // a pfn of no device is well formed: whether it is the sector's memory is driver-contract's
    // to judge (the historical axonram and brd bugs answer such pfns)
    for (const r of [{ kaddr: 0, pfn: 0 }, { kaddr: 8, pfn: 2 }, { kaddr: 0, pfn: 0x100 }, { err: -1 }]) expect(validDirectAccess(r)).toBeNull();
    for (const r of [null, 3, 'x', { err: 0 }, { err: -1.5 }, { err: -5, pfn: 1 }, { kaddr: -1, pfn: 0 }, { kaddr: 0, pfn: -1 }, { kaddr: 0.5, pfn: 0 }, { kaddr: 0, pfn: 0, extra: 1 }, { kaddr: 0 }]) expect(validDirectAccess(r), JSON.stringify(r)).not.toBeNull();
  });
  it('an ioctl, a sysfs store or a bio answers 0 or a negative errno', () => {
    const v = validErrno('op');
    for (const r of [0, -1, -95]) expect(v(r)).toBeNull();
    for (const r of [1, 0.5, -0.5, '0', null, undefined]) expect(v(r)).toMatch(/^op returned .*, not 0 or a negative errno$/);
  });
  it('a driver step that is no object, or has a field of the wrong kind, is refused before it is applied', () => {
    const s = withDriver((disk, sector) => ({ ret: ok(disk, sector / 8) }));
    setPluginGuard(true);
    const bad = (step: unknown) => { try { callDriver(s, 0, 'op', () => step as DriverStep<number>, () => null); return null; } catch (e) { return (e as Error).message; } };
    expect(bad(7)).toMatch(/returned number instead of a DriverStep object/);
    expect(bad({ ret: 0, zero: 'all' })).toMatch(/zero: "all" is not a list of pages/);
    expect(bad({ ret: 0, back: [1.5] })).toMatch(/back: \[1\.5\] is not a list of pages/);
    expect(bad({ ret: 0, back: [-1] })).toMatch(/back: \[-1\]/);
    expect(bad({ ret: 0, freeAll: 'yes' })).toMatch(/freeAll: "yes" is not a boolean/);
    expect(bad({ ret: 0, present: 0 })).toMatch(/present: 0 is not a boolean/);
    expect(bad(null)).toBeNull();
    expect(bad({ ret: 0, back: [3], zero: [0], present: true, readOnly: false, freeAll: false, priv: { n: 1 } })).toBeNull();
  });
});

describe('the bio path asks the driver for memory only for a page that has none', () => {
  it('a removed disk is -ENODEV, a read-only one -EIO, a page the driver cannot back fails the bio', () => {
    const s = withDriver((disk, sector) => ({ ret: ok(disk, sector / 8) }));
    expect(bioWrite({ ...s, devices: [{ ...s.devices[0], present: false }, s.devices[1]] }, 0, 1, [1, 2, 3, 4])[1]).toBe(-19);
    expect(bioWrite({ ...s, devices: [{ ...s.devices[0], readOnly: true }, s.devices[1]] }, 0, 1, [1, 2, 3, 4])[1]).toBe(-5);
    // the probe driver has no write_page: an unbacked page cannot be written
    expect(s.devices[0].data[1]).toBeNull();
    expect(bioWrite(s, 0, 1, [1, 2, 3, 4])[1]).toBe(-5);
    // a backed page is written in place
    const [s2, err] = bioWrite(s, 0, 0, [9, 9, 9, 9]);
    expect(err).toBe(0);
    expect(s2.devices[0].data[0]).toEqual([9, 9, 9, 9]);
  });
});
