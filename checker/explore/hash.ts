/**
 * A 64-bit fingerprint (two 32-bit lanes) of a plain-data value, computed from its structure
 * rather than from its JSON text, and remembered per object: states are immutable and a
 * successor shares every sub-object its step did not change with its parent, so fingerprinting
 * a successor walks only the path from the root to what changed. The fingerprint is a function
 * of what `JSON.stringify` would write (the same keys in the same order, `undefined` properties
 * left out, `undefined` and holes in arrays as null, non-finite numbers as null): values with
 * one JSON text have one fingerprint, so the fingerprinted visited set merges exactly the
 * states the exact-key set merges, up to the collisions its report bounds.
 */
import { slot } from '../../model/kernel/slot.ts';

const objPrints = slot<Print>('print');
const strPrints = new Map<string, Print>();
const STR_CACHE_MAX = 1 << 16;

/** A fingerprint: [lane a, lane b], each an unsigned 32-bit integer. */
export type Print = readonly [number, number];

// per-type tags, so that 1, "1", [1] and {"1": …} differ
const T_NULL = 0x6e756c6c, T_TRUE = 0x74727565, T_FALSE = 0x66616c73, T_NUM = 0x6e756d62, T_STR = 0x73747269, T_ARR = 0x61727261, T_OBJ = 0x6f626a65;

function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one 32-bit word into each lane (murmur3's block step, different constants per lane). */
function stepA(h: number, w: number): number {
  w = Math.imul(w, 0xcc9e2d51); w = (w << 15) | (w >>> 17); w = Math.imul(w, 0x1b873593);
  h ^= w; h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
function stepB(h: number, w: number): number {
  w = Math.imul(w, 0x85ebca77); w = (w << 13) | (w >>> 19); w = Math.imul(w, 0xc2b2ae3d);
  h ^= w; h = (h << 17) | (h >>> 15);
  return (Math.imul(h, 9) + 0x27d4eb2f) | 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function numPrint(n: number): Print {
  // small integers (positions, counters, lock holders, bytes) from a table made once
  if (n >= -1 && n < SMALL_INTS && (n | 0) === n && !Object.is(n, -0)) return smallInts[n + 1];
  return computeNumPrint(n);
}

function computeNumPrint(n: number): Print {
  if (!Number.isFinite(n)) return [fmix(T_NULL), fmix(~T_NULL)];
  let a = stepA(T_NUM, 0), b = stepB(~T_NUM, 0);
  if ((n | 0) === n && !Object.is(n, -0)) { a = stepA(a, n); b = stepB(b, n); }
  else { f64[0] = n; a = stepA(stepA(a, u32[0]), u32[1] ^ 0x7ff00000); b = stepB(stepB(b, u32[0]), u32[1] ^ 0x7ff00000); }
  return [fmix(a ^ 1), fmix(b ^ 1)];
}

const SMALL_INTS = 1024;
const smallInts: readonly Print[] = Array.from({ length: SMALL_INTS + 1 }, (_, k) => computeNumPrint(k - 1));

function strPrint(s: string): Print {
  let p = strPrints.get(s);
  if (p) return p;
  let a = stepA(T_STR, s.length), b = stepB(~T_STR, s.length);
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); a = stepA(a, c); b = stepB(b, c); }
  p = [fmix(a ^ s.length), fmix(b ^ s.length)];
  if (strPrints.size >= STR_CACHE_MAX) strPrints.clear();
  strPrints.set(s, p);
  return p;
}

const NULL: Print = [fmix(T_NULL), fmix(~T_NULL)];
const TRUE: Print = [fmix(T_TRUE), fmix(~T_TRUE)];
const FALSE: Print = [fmix(T_FALSE), fmix(~T_FALSE)];

/** The fingerprint of a JSON-like value. */
export function printOf(v: unknown): Print {
  switch (typeof v) {
    case 'number': return numPrint(v);
    case 'string': return strPrint(v);
    case 'boolean': return v ? TRUE : FALSE;
    case 'object': return v === null ? NULL : objectPrint(v);
    case 'bigint': throw new TypeError('a state holds no bigint');
    default: return NULL; // undefined, functions: as JSON.stringify writes them inside an array
  }
}

/**
 * An object with fewer fields than this, none of them an object, is fingerprinted afresh each
 * time: that costs less than remembering it (a non-enumerable property, slot.ts).
 */
const LEAF_FIELDS = 8;

function objectPrint(o: object): Print {
  let p = objPrints.get(o);
  if (p) return p;
  let a: number, b: number, leaf = true, n = 0;
  if (Array.isArray(o)) {
    n = o.length;
    a = stepA(T_ARR, n); b = stepB(~T_ARR, n);
    for (let i = 0; i < n; i++) {
      const x: unknown = o[i];
      if (leaf && x !== null && typeof x === 'object') leaf = false;
      const e = printOf(x); a = stepA(a, e[0]); b = stepB(b, e[1]);
    }
  } else {
    a = T_OBJ; b = ~T_OBJ;
    for (const k of Object.keys(o)) {
      const x = (o as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function') continue;
      if (leaf && x !== null && typeof x === 'object') leaf = false;
      const kp = strPrint(k), e = printOf(x);
      a = stepA(stepA(a, kp[0]), e[0]); b = stepB(stepB(b, kp[1]), e[1]);
      n++;
    }
    a ^= n; b ^= n;
  }
  p = [fmix(a), fmix(b)];
  if (!leaf || n >= LEAF_FIELDS) objPrints.set(o, p);
  return p;
}

/** Folds fingerprints in order into one. */
export function combine(parts: readonly Print[]): Print {
  let a = 0x3c6ef372, b = 0xa54ff53a;
  for (const p of parts) { a = stepA(a, p[0]); b = stepB(b, p[1]); }
  return [fmix(a ^ parts.length), fmix(b ^ parts.length)];
}
