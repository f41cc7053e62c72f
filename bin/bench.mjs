#!/usr/bin/env node
// `npm run bench`: compiles bench/bench.ts and the sources it imports with tsc (tsconfig.bench.json,
// into .bench-build/) and runs the JavaScript, as the `xipcheck` command runs dist/: a loader
// that compiles TypeScript on the fly (tsx) wraps every function in a naming helper, which a
// profile of the explorer put at 5 % of its time, so the figures would not be the command's.
import { compile } from '../scripts/build.mjs';

const status = compile('tsconfig.bench.json', '.bench-build');
if (status !== 0) process.exit(status);
await import('../.bench-build/bench/bench.js');
