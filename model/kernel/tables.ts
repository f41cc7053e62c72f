/**
 * A registry of one kind of kernel operation table (a_ops, f_ops, vm_ops), by the name the state
 * holds: registering two different tables under one name is refused unless `replace` says the
 * caller means it (an audit putting a guarded table in place of the original).
 */
export interface TableRegistry<T extends { readonly name: string }> {
  readonly map: Map<string, T>;
  register(t: T, replace?: boolean): T;
  /** Removes `t` (by default whatever is registered under `name`); a table registered since in its place stays. */
  forget(name: string, t?: T): void;
  byName(name: string): T;
}

export function tableRegistry<T extends { readonly name: string }>(kind: string, unknownHint = ''): TableRegistry<T> {
  const map = new Map<string, T>();
  return {
    map,
    register(t, replace = false) {
      const had = map.get(t.name);
      if (had && had !== t && !replace) throw new Error(`${kind} "${t.name}" registered twice with different members`);
      map.set(t.name, t);
      return t;
    },
    forget(name, t) {
      if (t === undefined || map.get(name) === t) map.delete(name);
    },
    byName(name) {
      const t = map.get(name);
      if (!t) throw new Error(`unknown ${kind} ${name}${unknownHint}`);
      return t;
    },
  };
}

/** Every registry of the kernel's tables (operation tables, drivers, file systems, substitutions, the branch catalogue). */
const registries: { readonly kind: string; readonly map: ReadonlyMap<string, unknown> }[] = [];

/** `map`, counted among the kernel's registries (kernelTables). */
export function tracked<V>(kind: string, map: Map<string, V>): Map<string, V> {
  registries.push({ kind, map });
  return map;
}

/**
 * What every registry holds now, `kind name` → what is registered under it. A process that
 * installs plug-ins and removes them again (an audit, a test file) can compare two of these to
 * see that it left the kernel as it found it: test/tables-restored.ts does, for every test file.
 */
export function kernelTables(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of registries) for (const [name, v] of r.map) out.set(`${r.kind} ${name}`, v);
  return out;
}
