import { slot } from '../model/kernel/slot.ts';
import { jsonText } from './json-text.ts';

/**
 * Exact hash-consing of plain data: a small integer per distinct value, equal for two values
 * exactly when their JSON texts are equal (the same keys in the same order, `undefined`
 * properties left out, `undefined` in arrays as null, non-finite numbers as null). A value's id
 * is looked up by its children's ids, never by its text, and remembered on each object
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
    for (const p of parts) k += `${this.id(p)},`;
    return this.of(k);
  }

  /** Distinct values met so far. */
  get size(): number { return this.ids.size; }

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
      for (let i = 0; i < o.length; i++) k += `${this.id(o[i])},`;
    } else {
      k = '{';
      for (const key of Object.keys(o)) {
        const x = (o as Record<string, unknown>)[key];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        k += `${JSON.stringify(key)}:${this.id(x)},`;
      }
    }
    const id = this.of(k);
    memo.set(o, { owner: this, id });
    return id;
  }
}

const memo = slot<{ readonly owner: Interner; readonly id: number }>('interned');
