import { describe, expect, it } from 'vitest';
import { check } from './check.ts';
import { bootFailure, makeSystem } from './system.ts';
import { replayTrace } from './replay.ts';
import { parseTrace, TRACE_SCHEMA } from './trace.ts';
import { REFERENCE_SUITE } from '../properties/suites/reference.ts';
import { variantByName } from '../model/variants.ts';
import { ConfigError } from '../model/init.ts';

/**
 * A machine the reference boots and a design does not (2.6.24's early XIP check refuses an
 * axonram mount): the design's first finding, with a trace of no step that replays — never an
 * internal error. A machine the reference cannot boot either is the config's fault.
 */
const twoParts = REFERENCE_SUITE.find((s) => s.name === 'ext2-two-partitions')!;
const early = variantByName('2.6.24-xip-check')!;

describe('a boot the reference makes and a design does not', () => {
  it('check reports it as posix-returns at boot, with no step', () => {
    const r = check({ seed: 1, runs: 5, variant: early, systems: [twoParts] });
    expect(r.counterexample).toMatchObject({ system: 'ext2-two-partitions', invariant: 'posix-returns', steps: [], message: expect.stringMatching(/^at boot, on this design: fs\[0\]\.mount: mounting "axon0p1" failed with -22 .*; the reference design boots this machine$/) });
  });
  it('its trace replays to the same verdict', () => {
    const t = parseTrace({ schema: TRACE_SCHEMA, name: 'boot', expect: 'violates posix-returns', variant: early.name, config: twoParts.config, steps: [] });
    expect(replayTrace(t)).toMatchObject({ ok: false, verdictMatches: true, violation: { invariant: 'posix-returns' } });
  });
  it('the reference boots it; a config nobody can boot is the config\'s error', () => {
    expect(bootFailure(makeSystem('x', twoParts.config, variantByName('reference')!))).toBeNull();
    const bad = { ...twoParts.config, fs: { device: 'axon0p1', mount: { xip: true, ro: false, blocksize: 8 } } };
    expect(() => bootFailure(makeSystem('x', bad, early))).toThrow(ConfigError);
  });
});
