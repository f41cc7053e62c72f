import type { State } from '../state.ts';

/**
 * The root directory's name → inode table. File names come from traces and configs, so they
 * are data, never object keys: "__proto__", "constructor" or "toString" must name ordinary
 * files. The table stays a plain JSON object (the explorer hashes states with JSON) but has no
 * prototype, every lookup asks for an own property, and every update goes through here so the
 * prototype-less object is never replaced by an ordinary one.
 */
export type Dir = State['dir'];

export function emptyDir(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

export function dirLookup(dir: Dir, name: string): number | undefined {
  return Object.hasOwn(dir, name) ? dir[name] : undefined;
}

/** A new table with `name` → `ino` (defineProperty: assigning "__proto__" would set the prototype). */
export function dirWith(dir: Dir, name: string, ino: number): Dir {
  const d = Object.assign(emptyDir(), dir);
  Object.defineProperty(d, name, { value: ino, enumerable: true, writable: true, configurable: true });
  return d;
}

export function dirWithout(dir: Dir, name: string): Dir {
  const d = Object.assign(emptyDir(), dir);
  delete d[name];
  return d;
}
