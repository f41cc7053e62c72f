import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutation` (stryker.config.mjs) runs against each mutant of model/: the ones
 * that judge the model and stay fast: the model's own unit tests, the kernel-order tests, the
 * reference's truncate window, every corpus trace replayed, and test/mutation/judges.test.ts
 * (the reference check, every broken variant against its invariant, the mutation corpus) at
 * bounds cheap enough to repeat per mutant. The rest of `npm test` judges code outside model/
 * (invariants, CLI, reports, the checker's machinery) or costs minutes (explore's state counts).
 */
export default defineConfig({
  test: {
    include: [
      'model/**/*.test.ts',
      'properties/reference/*.test.ts',
      'checker/explore/kernel-order.test.ts',
      'test/e2e/corpus.test.ts',
      'test/mutation/*.test.ts',
    ],
    testTimeout: 120_000,
    // Stryker starts every covering file again for each mutant; re-importing the model per file
    // was a third of a run. The model's module state is its branch catalogue, declared once at
    // load, and the mutant to activate is read at run time, so files may share one import.
    isolate: false,
  },
});
