#!/usr/bin/env node
// `npm run reach [-- --runs N --seed N]`: how often check's runs reach the pairs of steps a race needs (bench/reach.ts).
import { register } from 'tsx/esm/api';

register();
const { measureReach, reachText } = await import('../bench/reach.ts');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) { console.error(`--${name} takes a whole number ≥ 1, not "${args[i + 1] ?? ''}"`); process.exit(2); }
  return v;
};
const t0 = Date.now();
console.log(reachText(measureReach(opt('runs', 1000), opt('seed', 1))));
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
