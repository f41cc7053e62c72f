import { quote } from '../checker/quote.ts';

/** A mistake of the caller's: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** The largest --max-states (explore, audit). */
export const STATES_MAX = 1_000_000_000;

/**
 * A whole number option, parsed strictly: digits only, within [min, max]. Out-of-range values
 * are refused, never rounded: 400 digits are not Infinity, and a seed beyond fast-check's 32
 * bits is not silently another seed.
 */
export function intOpt(v: string | undefined, name: string, def: number, min: number, max: number, why = ''): number {
  if (v === undefined) return def;
  const bad = `--${name} takes a whole number from ${min} to ${max}, not ${quote(v)}${why}`;
  if (!/^\d+$/.test(v)) throw new UsageError(bad);
  const n = Number(v.replace(/^0+(?=\d)/, ''));
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(bad);
  return n;
}

export function reporterOpt(v: string | undefined, allowed: readonly string[]): string {
  const r = v ?? 'text';
  if (!allowed.includes(r)) throw new UsageError(`--reporter takes ${allowed.join(', ')}, not ${quote(r)}`);
  return r;
}
