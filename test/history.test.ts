import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../checker/trace.ts';
import { replayTrace } from '../checker/replay.ts';
import { variantByName } from '../model/variants.ts';
import { invariantById } from '../properties/registry.ts';
import { loadLibrary } from '../counterexamples/history/library.ts';
import { regenerate } from '../counterexamples/history/regenerate.ts';

/**
 * The historical-bug library (counterexamples/history/library.json, docs/history.md): every
 * entry's trace reproduces exactly its invariant on its variant and nothing on the reference.
 */
const lib = loadLibrary();
const traceOf = (file: string) => parseTrace(JSON.parse(readFileSync(new URL(`../counterexamples/history/${file}`, import.meta.url), 'utf8')));

describe('the historical-bug library', () => {
  it('has at least 12 entries, each with every field filled, a known variant and invariant, distinct fixes', () => {
    expect(lib.length).toBeGreaterThanOrEqual(12);
    for (const e of lib) {
      expect(variantByName(e.variant), e.id).toBeDefined();
      expect([...variantByName(e.variant)!.flags].every((f) => f.startsWith('hist-')), e.id).toBe(true);
      expect(invariantById(e.invariant), e.id).toBeDefined();
      for (const v of [e.id, e.date, e.fix.subject, e.fix.version, e.fix.readIn, e.buggy, e.file, e.function, e.question]) expect(v.trim().length, e.id).toBeGreaterThan(0);
    }
    expect(new Set(lib.map((e) => e.fix.subject)).size).toBe(lib.length);
    expect(new Set(lib.map((e) => e.trace)).size).toBe(lib.length);
  });
  for (const e of lib) {
    it(`${e.id}: ${e.variant} violates ${e.invariant}; reference holds`, () => {
      const t = traceOf(e.trace);
      expect(t.variant).toBe(e.variant);
      const onVariant = replayTrace(t);
      expect(onVariant.violation?.invariant ?? 'holds', onVariant.violation?.message).toBe(e.invariant);
      expect(onVariant.steps.flatMap((s) => s.mismatches)).toEqual([]);
      const onRef = replayTrace({ ...t, variant: 'reference' });
      expect(onRef.violation?.invariant ?? 'holds', onRef.violation?.message).toBe('holds');
    });
  }
  it('docs/history.md has a table row per entry, and the docs say how many there are', () => {
    const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen'];
    const word = WORDS[lib.length];
    expect(word, 'extend WORDS').toBeDefined();
    const doc = (f: string) => readFileSync(new URL(`../${f}`, import.meta.url), 'utf8');
    const rows = doc('docs/history.md').split('\n').filter((l) => /^\| [a-z0-9-]+ \| "/.test(l)).map((l) => l.split(' | ')[0].slice(2));
    expect(rows).toEqual(lib.map((e) => e.id));
    for (const e of lib) expect(doc('docs/history.md'), e.id).toContain(`## ${e.id} — `);
    expect(doc('docs/history.md')).toMatch(new RegExp(`^${word[0].toUpperCase()}${word.slice(1)} real bugs`, 'm'));
    expect(doc('docs/README.md')).toContain(`library: ${word} real bugs`);
    expect(doc('README.md')).toContain(`${word} more bugs`);
    expect(doc('README.md')).toContain(`library (${word} variants`);
  });
  it('the traces are what regenerate.ts derives from library.json', () => {
    expect(regenerate(false).filter((r) => !r.ok || r.changed)).toEqual([]);
  });
});
