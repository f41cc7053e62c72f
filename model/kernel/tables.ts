/**
 * A registry of one kind of kernel operation table (a_ops, f_ops, vm_ops), by the name the state
 * holds: registering two different tables under one name is refused unless `replace` says the
 * caller means it (an audit putting a guarded table in place of the original).
 */
export interface TableRegistry<T extends { readonly name: string }> {
  readonly map: Map<string, T>;
  register(t: T, replace?: boolean): T;
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
    byName(name) {
      const t = map.get(name);
      if (!t) throw new Error(`unknown ${kind} ${name}${unknownHint}`);
      return t;
    },
  };
}
