import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // a test importing the package by name ('xipcheck', as a user's suite does) tests the
    // sources, not dist/ where package.json's exports point
    alias: [{ find: /^xipcheck$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) }],
  },
  test: {
    include: ['model/**/*.test.ts', 'properties/**/*.test.ts', 'checker/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    // the bin and the package test run the compiled CLI: build it from the sources first
    globalSetup: ['test/build-dist.ts'],
    // each test file leaves the kernel's tables as it found them (a plug-in installed is removed),
    // which lets the files of one worker share their modules (isolate: false): the model is
    // imported and warmed up once per worker, not once per file (npm test: 173 s -> 152 s)
    setupFiles: ['test/tables-restored.ts'],
    isolate: false,
    // property runs are CPU-bound: one worker per core. vitest's default is one core fewer than
    // the machine has (resolveMaxWorkers in vitest 4.1's cli-api), which on the 2-core CI and
    // development machines ran one test file at a time
    pool: 'forks',
    maxWorkers: availableParallelism(),
  },
});
