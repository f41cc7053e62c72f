import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
// Through the public entry point only, as a user's own suite would.
import { initialState, runCall, program, variantByName, commandsArb, runCommands, makeSystem, INVARIANTS, REFERENCE_SUITE, type Observation } from 'xipcheck';
import { INVARIANTS as SOURCE_INVARIANTS } from '../index.ts';

const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = { devices: [{ name: 'dcssblk0', driver: 'dcssblk' as const, pages: 8 }], fs: { device: 'dcssblk0' } };

describe('xipcheck as a library', () => {
  // A user's own property: whatever bytes are written, a shared mapping shows them at once.
  test.prop([fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 8 })])('a shared mapping shows what write() wrote', (bytes) => {
    let s = initialState(config, ctx);
    const call = (c: Parameters<typeof program>[0]): Observation => { const r = runCall(s, c, ctx, program); s = r.state; return r.obs; };
    expect(call({ op: 'open', pid: 0, name: 'f', flags: { read: true, write: true, creat: true } }).ret).toBe(0);
    call({ op: 'store', pid: 0, addr: 0, bytes });
    expect(call({ op: 'write', pid: 0, fd: 0, buf: 0, len: bytes.length }).ret).toBe(bytes.length);
    const addr = call({ op: 'mmap', pid: 0, fd: 0, pages: 2, pgoff: 0, shared: true, read: true, write: false }).ret;
    expect(call({ op: 'load', pid: 0, addr, len: bytes.length }).data).toEqual(bytes);
  });

  // The shipped arbitraries and invariant registry, on the user's own system.
  test.prop([commandsArb(2, 2, 8, 20)], { numRuns: 50 })('every invariant holds on my config', (cmds) => {
    const sys = makeSystem('mine', config, variantByName('reference')!);
    expect(runCommands(sys, cmds, INVARIANTS).violation).toBeNull();
  });

  // package.json's exports point at dist/; in the repo the name must still mean the sources
  // (vitest.config.ts), or this suite would test whatever dist/ was last built from
  test('the package name resolves to the sources under test', () => {
    expect(INVARIANTS).toBe(SOURCE_INVARIANTS);
  });

  test('the reference suite is exported', () => {
    expect(REFERENCE_SUITE.map((s) => s.name)).toContain('ext2-xip-dcssblk');
  });
});
