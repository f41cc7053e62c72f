import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['model/**/*.test.ts', 'properties/**/*.test.ts', 'checker/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    // property runs are CPU-bound: one worker per core
    pool: 'forks',
  },
});
