import { slot } from '../model/kernel/slot.ts';

/**
 * `JSON.stringify(v)` of plain data, with every object's text remembered (slot.ts): states are
 * immutable and a successor shares with its parent every part its step did not change, so the
 * text of a successor costs the parts the step made plus joining the rest. Exact keys of
 * states (the explorer's `--exact-keys`, the lab's outcome search) are built with it. An
 * object with a `toJSON` method is written by JSON.stringify itself, and not remembered.
 */
export function jsonText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean': return v ? 'true' : 'false';
    case 'object': return v === null ? 'null' : objectText(v);
    case 'bigint': return JSON.stringify(v); // throws, as JSON.stringify does
    default: return undefined; // undefined, functions, symbols
  }
}

const texts = slot<string>('json');

function objectText(o: object): string {
  let t = texts.get(o);
  if (t !== undefined) return t;
  if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(o);
  if (Array.isArray(o)) {
    t = '[';
    for (let i = 0; i < o.length; i++) t += (i ? ',' : '') + (jsonText(o[i]) ?? 'null');
    t += ']';
  } else {
    t = '{';
    let first = true;
    for (const k of Object.keys(o)) {
      const x = jsonText((o as Record<string, unknown>)[k]);
      if (x === undefined) continue;
      t += (first ? '' : ',') + JSON.stringify(k) + ':' + x;
      first = false;
    }
    t += '}';
  }
  texts.set(o, t);
  return t;
}

/** `JSON.stringify([...parts])` for an array built only to be written (it is not remembered). */
export function jsonTuple(...parts: unknown[]): string {
  let t = '[';
  for (let i = 0; i < parts.length; i++) t += (i ? ',' : '') + (jsonText(parts[i]) ?? 'null');
  return t + ']';
}
