/**
 * The mutation corpus measured: for every mutant (model/mutants.ts), the default `check` (seed
 * 1, 1000 runs per system), which invariant caught it, after how long, and the length of the
 * shrunk counterexample. `--write` records the catching invariants as expected data
 * (properties/expected/mutants.json), which test/mutants.test.ts judges.
 *   node --import tsx scripts/mutants.ts [--write]
 */
import { writeFileSync } from 'node:fs';
import { check } from '../checker/check.ts';
import { MUTANTS, mutantVariantName } from '../model/mutants.ts';
import { variantByName } from '../model/variants.ts';

export const EXPECTED_FILE = new URL('../properties/expected/mutants.json', import.meta.url);

const rows: { mutant: string; kind: string; caughtBy: string | null; seconds: number; system: string | null; steps: number | null }[] = [];
for (const m of MUTANTS) {
  const name = mutantVariantName(m);
  const t0 = performance.now();
  const r = check({ seed: 1, runs: 1000, variant: variantByName(name)! });
  const seconds = (performance.now() - t0) / 1000;
  const cx = r.counterexample;
  rows.push({ mutant: name, kind: m.kind, caughtBy: cx?.invariant ?? null, seconds, system: cx?.system ?? null, steps: cx?.steps.length ?? null });
  console.log(`${name.padEnd(38)} ${(cx?.invariant ?? 'NOT CAUGHT').padEnd(16)} ${seconds.toFixed(2).padStart(6)} s  ${cx ? `${cx.steps.length} steps on ${cx.system}` : ''}`);
}
if (process.argv.includes('--write')) {
  const expected = Object.fromEntries(rows.map((r) => [r.mutant, r.caughtBy]));
  writeFileSync(EXPECTED_FILE, JSON.stringify(expected, null, 2) + '\n');
  console.log(`written ${EXPECTED_FILE.pathname}`);
}
const missed = rows.filter((r) => !r.caughtBy);
console.log(`${rows.length - missed.length} of ${rows.length} mutants caught by the default check`);
process.exitCode = missed.length ? 1 : 0;
