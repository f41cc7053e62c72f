import { describe, expect, it } from 'vitest';
import { initialState } from '../../init.ts';
import { variantByName } from '../../variants.ts';
import { program } from '../../actions.ts';
import { runCall } from '../../kernel/runtime.ts';
import type { Call, State } from '../../state.ts';
import type { DcssPriv } from './dcssblk.ts';

/**
 * dcssblk's sysfs attributes and release (drivers/s390/block/dcssblk.c, 3.19) through the
 * system calls that reach them, and what the block layer answers for a device without them.
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = {
  pageSize: 4,
  devices: [
    { name: 'sw', driver: 'dcssblk', pages: 6, segmentType: 'SW' as const },
    { name: 'sr', driver: 'dcssblk', pages: 2, segmentType: 'SR' as const, shared: true },
    { name: 'sc', driver: 'dcssblk', pages: 2, segmentType: 'SC' as const, shared: true },
    { name: 'ram', driver: 'brd', pages: 2 },
  ],
  fs: { device: 'sw' },
};

function machine() {
  let s: State = initialState(config, ctx);
  const call = (c: Omit<Call, 'pid'>): number => { const r = runCall(s, { pid: 0, ...c } as Call, ctx, program); s = r.state; return r.obs.ret; };
  return { call, priv: (dev: number) => s.devices[dev].priv as DcssPriv, dev: (dev: number) => s.devices[dev] };
}

describe('dcssblk_save_store, dcssblk_save_show and the last release', () => {
  it('saves at once when idle; while mounted the save waits for the last release, which runs it', () => {
    const m = machine();
    expect(m.call({ op: 'dcssblk_save', dev: 0, on: true })).toBe(0);
    expect(m.priv(0)).toMatchObject({ savePending: true, saves: 0 });
    expect(m.call({ op: 'dcssblk_save_show', dev: 0 })).toBe(1);
    expect(m.call({ op: 'umount' })).toBe(0);
    expect(m.priv(0)).toMatchObject({ savePending: false, saves: 1 });
    expect(m.call({ op: 'dcssblk_save_show', dev: 0 })).toBe(0);
    expect(m.call({ op: 'dcssblk_save', dev: 0, on: true })).toBe(0);
    expect(m.priv(0)).toMatchObject({ savePending: false, saves: 2 });
  });
  it('"0" cancels a pending save; a raw open and close is a release too', () => {
    const m = machine();
    expect(m.call({ op: 'dcssblk_save', dev: 0, on: true })).toBe(0);
    expect(m.call({ op: 'dcssblk_save', dev: 0, on: false })).toBe(0);
    expect(m.call({ op: 'dcssblk_save_show', dev: 0 })).toBe(0);
    expect(m.call({ op: 'umount' })).toBe(0);
    expect(m.priv(0).saves).toBe(0);
    expect(m.call({ op: 'blkdev_open', dev: 1, write: false })).toBe(0);
    expect(m.call({ op: 'dcssblk_save', dev: 1, on: true })).toBe(0);
    expect(m.call({ op: 'dcssblk_save_show', dev: 1 })).toBe(1);
    expect(m.call({ op: 'blkdev_close', dev: 1 })).toBe(0);
    expect(m.priv(1)).toMatchObject({ savePending: false, saves: 1 });
  });
});

describe('dcssblk_shared_store', () => {
  it('is -EBUSY while the segment is in use; SC cannot be loaded exclusive; a read-only type is ro only while shared', () => {
    const m = machine();
    expect(m.call({ op: 'dcssblk_shared', dev: 0, shared: true })).toBe(-16);
    expect(m.call({ op: 'dcssblk_shared', dev: 2, shared: false })).toBe(-22);
    expect(m.dev(1).readOnly).toBe(true);
    expect(m.call({ op: 'dcssblk_shared', dev: 1, shared: false })).toBe(0);
    expect(m.priv(1).shared).toBe(false);
    expect(m.dev(1).readOnly).toBe(false);
    expect(m.call({ op: 'dcssblk_shared', dev: 1, shared: true })).toBe(0);
    expect(m.priv(1).shared).toBe(true);
    expect(m.dev(1).readOnly).toBe(true);
    expect(m.call({ op: 'umount' })).toBe(0);
    expect(m.call({ op: 'dcssblk_shared', dev: 0, shared: true })).toBe(0);
    expect(m.dev(0).readOnly).toBe(false); // SW is writable shared or not
  });
});

describe('dcssblk_remove_store, and attributes that are not there', () => {
  it('-EBUSY while mounted; then the segment goes, and its attributes with it', () => {
    const m = machine();
    expect(m.call({ op: 'dcssblk_remove', dev: 0 })).toBe(-16);
    expect(m.call({ op: 'umount' })).toBe(0);
    expect(m.call({ op: 'dcssblk_remove', dev: 0 })).toBe(0);
    expect(m.dev(0).present).toBe(false);
    expect(m.dev(0).data.every((p) => p === null)).toBe(true);
    expect(m.call({ op: 'dcssblk_remove', dev: 0 })).toBe(-19);
    expect(m.call({ op: 'dcssblk_save', dev: 0, on: true })).toBe(-19);
    expect(m.call({ op: 'dcssblk_save_show', dev: 0 })).toBe(-19);
    expect(m.call({ op: 'dcssblk_shared', dev: 0, shared: false })).toBe(-19);
    expect(m.call({ op: 'brd_blkflsbuf', dev: 0 })).toBe(-19);
    expect(m.call({ op: 'brd_discard', dev: 0, page: 0 })).toBe(-95);
  });
  it('a brd disk has no dcssblk attributes; a dcssblk disk has no discard and the generic BLKFLSBUF', () => {
    const m = machine();
    for (const c of [{ op: 'dcssblk_save', dev: 3, on: true }, { op: 'dcssblk_save_show', dev: 3 }, { op: 'dcssblk_shared', dev: 3, shared: true }, { op: 'dcssblk_remove', dev: 3 }]) expect(m.call(c)).toBe(-19);
    expect(m.call({ op: 'brd_discard', dev: 1, page: 0 })).toBe(-95);
    expect(m.call({ op: 'brd_blkflsbuf', dev: 1 })).toBe(0);
    expect(m.dev(1).data.every((p) => p !== null)).toBe(true);
  });
});
