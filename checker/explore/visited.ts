/**
 * The explorer's visited set. By default a state is remembered by a 64-bit fingerprint of its
 * canonical key, in an open-addressing table of two Uint32 words per slot (16–32 bytes a state
 * with the table's slack), as SPIN's hash-compact mode and TLC's fingerprint set do: the keys
 * themselves (about 2 KB of text each) are not kept. Two distinct states with one fingerprint
 * would be taken for one, and the second's successors never searched; for n states of one
 * search the probability that this happened is at most n(n-1)/2 · 2⁻⁶⁴ (the birthday bound,
 * `collisionBound`), which every report prints. `exact` keeps the keys instead (a Set of
 * strings): no such risk, ten to a hundred times the memory.
 */
export interface Visited {
  /** Adds the key; false when it was already there (or, fingerprinted, when one with its fingerprint was). */
  add(key: string): boolean;
  readonly size: number;
}

export class ExactVisited implements Visited {
  private readonly set = new Set<string>();
  add(key: string): boolean {
    if (this.set.has(key)) return false;
    this.set.add(key);
    return true;
  }
  get size(): number { return this.set.size; }
}

/** Two independent 32-bit hashes of a string in one pass (FNV-1a, and a multiply–xorshift mix). */
export function fingerprint(key: string): [number, number] {
  let a = 0x811c9dc5 | 0, b = 0x9e3779b9 | 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // finalise both (murmur3's fmix32), so that nearby keys spread over the table
  a ^= a >>> 16; a = Math.imul(a, 0x85ebca6b); a ^= a >>> 13; a = Math.imul(a, 0xc2b2ae35); a ^= a >>> 16;
  b ^= b >>> 16; b = Math.imul(b, 0x85ebca6b); b ^= b >>> 13; b = Math.imul(b, 0xc2b2ae35); b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

export class FingerprintVisited implements Visited {
  private slots = new Uint32Array(2 * 1024);
  private count = 0;
  add(key: string): boolean {
    const [h, l] = fingerprint(key);
    return this.addPrint(h, l);
  }
  /** A slot is empty when both words are 0; the fingerprint (0, 0) is stored as (0, 1). */
  addPrint(h: number, l: number): boolean {
    h >>>= 0; l >>>= 0;
    if (h === 0 && l === 0) l = 1;
    if ((this.count + 1) * 2 > this.slots.length / 2) this.grow();
    const mask = this.slots.length / 2 - 1;
    for (let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const a = this.slots[2 * i], b = this.slots[2 * i + 1];
      if (a === 0 && b === 0) { this.slots[2 * i] = h; this.slots[2 * i + 1] = l; this.count++; return true; }
      if (a === h && b === l) return false;
    }
  }
  get size(): number { return this.count; }
  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    const mask = this.slots.length / 2 - 1;
    for (let j = 0; j < old.length / 2; j++) {
      const h = old[2 * j], l = old[2 * j + 1];
      if (h === 0 && l === 0) continue;
      let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
      while (this.slots[2 * i] !== 0 || this.slots[2 * i + 1] !== 0) i = (i + 1) & mask;
      this.slots[2 * i] = h; this.slots[2 * i + 1] = l;
    }
  }
}

/** Upper bound on the probability that some two of n fingerprinted states collided: n(n−1)/2 · 2⁻⁶⁴. */
export function collisionBound(n: number): number {
  return (n * (n - 1)) / 2 / 2 ** 64;
}

/**
 * A fingerprint set that also remembers, for each fingerprint, a number (the explorer's node
 * index): sleep sets must find the node of a state seen before to compare sleep sets. Four more
 * bytes a slot than FingerprintVisited.
 */
export class IndexedFingerprints {
  private slots = new Uint32Array(2 * 1024);
  private vals = new Int32Array(1024);
  private count = 0;
  /** Stores (h, l) → v and returns -1 when new; the value stored before when not. */
  addOrGet(h: number, l: number, v: number): number {
    h >>>= 0; l >>>= 0;
    if (h === 0 && l === 0) l = 1;
    if ((this.count + 1) * 2 > this.vals.length) this.grow();
    const mask = this.vals.length - 1;
    for (let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const a = this.slots[2 * i], b = this.slots[2 * i + 1];
      if (a === 0 && b === 0) { this.slots[2 * i] = h; this.slots[2 * i + 1] = l; this.vals[i] = v; this.count++; return -1; }
      if (a === h && b === l) return this.vals[i];
    }
  }
  get size(): number { return this.count; }
  private grow(): void {
    const old = this.slots, oldV = this.vals;
    this.slots = new Uint32Array(old.length * 2);
    this.vals = new Int32Array(oldV.length * 2);
    const mask = this.vals.length - 1;
    for (let j = 0; j < oldV.length; j++) {
      const h = old[2 * j], l = old[2 * j + 1];
      if (h === 0 && l === 0) continue;
      let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
      while (this.slots[2 * i] !== 0 || this.slots[2 * i + 1] !== 0) i = (i + 1) & mask;
      this.slots[2 * i] = h; this.slots[2 * i + 1] = l; this.vals[i] = oldV[j];
    }
  }
}

/** Exact keys with the same interface. */
export class IndexedKeys {
  private readonly map = new Map<string, number>();
  addOrGet(key: string, v: number): number {
    const old = this.map.get(key);
    if (old !== undefined) return old;
    this.map.set(key, v);
    return -1;
  }
  get size(): number { return this.map.size; }
}
