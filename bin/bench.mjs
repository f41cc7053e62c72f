#!/usr/bin/env node
// `npm run bench`: runs bench/bench.ts through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../bench/bench.ts');
