import { slot } from '../model/kernel/slot.ts';
import { jsonText } from './json-text.ts';

/**
 * Exact hash-consing of plain data: a small integer per distinct value, equal for two values
 * exactly when their JSON texts are equal (the same keys in the same order, `undefined`
 * properties left out, `undefined` in arrays as null, non-finite numbers as null). A value's id
 * is looked up by its children's ids (a primitive child by its own short JSON text), never by
 * its whole text, and remembered on each object
 * (slot.ts): states are immutable and share their unchanged parts, so the id of a successor
 * costs the objects its step made. A search keeps one Interner, and a state's id is its exact
 * key: a few bytes, where the JSON text of a state with its pages' data is kilobytes.
 */
export class Interner {
  private readonly ids = new Map<string, number>();

  /** The id of a JSON-like value (undefined and functions count as null, as in an array). */
  id(v: unknown): number {
    if (typeof v === 'object' && v !== null) return this.objectId(v);
    // null, undefined and functions alike: as JSON writes them inside an array
    return this.of(`p${jsonText(v) ?? 'null'}`);
  }

  /** The id of the array of `parts`, without building it. */
  tuple(...parts: unknown[]): number {
    let k = '[';
    for (const p of parts) k += `${this.part(p)},`;
    return this.of(k);
  }

  /** Distinct values met so far. */
  get size(): number { return this.ids.size; }

  /**
   * A child's part of its parent's key: a primitive's own JSON text, an object's id after '#'
   * (no JSON text starts with '#', and each part is one JSON token, so a key still names one
   * value). A byte of a page is written into its page's key, not looked up: the pages' data
   * made most of the lookups when every child had an id.
   */
  private part(v: unknown): string {
    if (typeof v === 'object' && v !== null) {
      // a Date and the like are the value toJSON gives, which may be a primitive
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return this.part((v as { toJSON(k: string): unknown }).toJSON(''));
      return `#${this.objectId(v)}`;
    }
    // null, undefined, functions and symbols as JSON writes them inside an array
    return jsonText(v) ?? 'null';
  }

  private of(k: string): number {
    let id = this.ids.get(k);
    if (id === undefined) { id = this.ids.size; this.ids.set(k, id); }
    return id;
  }

  private objectId(o: object): number {
    const m = memo.get(o);
    if (m && m.owner === this) return m.id;
    // a Date and the like are written as what toJSON returns, and not remembered
    if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return this.id((o as { toJSON(k: string): unknown }).toJSON(''));
    let k: string;
    if (Array.isArray(o)) {
      k = '[';
      for (let i = 0; i < o.length; i++) k += `${this.part(o[i])},`;
    } else {
      k = '{';
      for (const key of Object.keys(o)) {
        const x = (o as Record<string, unknown>)[key];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        k += `${quoted(key)}:${this.part(x)},`;
      }
    }
    const id = this.of(k);
    memo.set(o, { owner: this, id });
    return id;
  }
}

/** A property name as JSON writes it, remembered: states have few distinct names. */
const quotedKeys = new Map<string, string>();
function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) { q = JSON.stringify(key); if (quotedKeys.size < 100_000) quotedKeys.set(key, q); }
  return q;
}

const memo = slot<{ readonly owner: Interner; readonly id: number }>('interned');
