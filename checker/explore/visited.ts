/**
 * The explorer's visited set, which also remembers each state's node index (sleep sets compare
 * a state's sleepers when it is met again). By default a state is remembered by a 64-bit
 * fingerprint of its canonical key (hash.ts), in an open-addressing table of two Uint32 words
 * and an Int32 index per slot (24–48 bytes a state with the table's slack), as SPIN's
 * hash-compact mode and TLC's fingerprint set do: the keys themselves (about 2 KB of text each)
 * are not kept. Two distinct states with one fingerprint would be taken for one, and the
 * second's successors never searched; for n states of one search the probability that this
 * happened is at most n(n-1)/2 · 2⁻⁶⁴ (the birthday bound, `collisionBound`), which every
 * report prints. `ExactVisited` keeps the keys instead: no such risk, far more memory.
 */
export class FingerprintVisited {
  private slots = new Uint32Array(2 * 1024);
  private vals = new Int32Array(1024);
  private count = 0;
  /** Stores (h, l) → v and returns -1 when new; the value stored before when not. (0, 0) is stored as (0, 1). */
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

/** Exact keys, with the same interface. */
export class ExactVisited {
  private readonly map = new Map<string, number>();
  addOrGet(key: string, v: number): number {
    const old = this.map.get(key);
    if (old !== undefined) return old;
    this.map.set(key, v);
    return -1;
  }
  get size(): number { return this.map.size; }
}

/** Upper bound on the probability that some two of n fingerprinted states collided: n(n−1)/2 · 2⁻⁶⁴. */
export function collisionBound(n: number): number {
  return (n * (n - 1)) / 2 / 2 ** 64;
}
