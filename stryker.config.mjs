// @ts-check
/**
 * `npm run mutation`: Stryker mutates model/ and runs vitest.mutation.config.ts against each
 * mutant (docs/mutation.md). Version 9: Stryker 10 needs Node 22, the project runs on Node 20.
 * MUTATION_PART (set by scripts/mutation.mjs) limits a run to one layer of model/, with its own
 * incremental file and report: a run of hours is then six runs, each kept when it ends.
 */
// mm is three runs, each about an hour on two cores: a run's report is written only when it
// ends, and the rest of mm (909 mutants) was estimated at two hours
const MM_XIP = ['filemap_xip', 'xip_file_fault', '__xip_unmap', 'truncate', 'user_copy'].map((f) => `model/mm/${f}.ts`);
const MM_FAULT = ['memory', 'filemap'].map((f) => `model/mm/${f}.ts`);
export const PARTS = {
  'mm-xip': MM_XIP, 'mm-fault': MM_FAULT, 'mm-map': ['model/mm/**/*.ts', ...[...MM_XIP, ...MM_FAULT].map((f) => `!${f}`)],
  fs: ['model/fs/**/*.ts'], block: ['model/block/**/*.ts'],
  kernel: ['model/kernel/**/*.ts'], vfs: ['model/vfs/**/*.ts'], top: ['model/*.ts'],
};
const part = process.env.MUTATION_PART;
if (part !== undefined && !(part in PARTS)) throw new Error(`MUTATION_PART=${part}: one of ${Object.keys(PARTS).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [...(part ? PARTS[part] : ['model/**/*.ts']), '!model/**/*.test.ts'],
  // only the tests that reached a mutant run against it (per-test coverage from the dry run)
  coverageAnalysis: 'perTest',
  // A mutant of code run at module load (a CITE string, a branch declaration, a table) is
  // reached by no test in particular, so it would need the whole test set: these are counted
  // as Ignored, not run (docs/mutation.md).
  ignoreStatic: true,
  // a re-run re-tests only the mutants of changed code or whose covering tests changed
  incremental: true,
  incrementalFile: `reports/stryker-incremental${part ? `-${part}` : ''}.json`,
  // two cores, shared with other work: no more than two runners
  concurrency: 2,
  // a mutant that makes the model loop is stopped and counted as killed (Timeout); the margin
  // is wide because the machine is shared and a slow run must not pass for a loop
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // a runner reused for many mutants (the test files share one import) grew slower until
  // mutants that pass by hand in a second timed out: a fresh runner every 10 mutants
  maxTestRunnerReuse: 10,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${part ?? 'mutation'}.json` },
  htmlReporter: { fileName: `reports/mutation/${part ?? 'mutation'}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  thresholds: { high: 90, low: 80, break: null },
  // Stryker rewrites the tsconfig's extends/references paths for its sandbox with TypeScript's
  // JS API, which TypeScript 7 (native tsc) no longer has; tsconfig.json has neither, so none
  // is named (the file need not exist).
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
