/**
 * Something remembered about an object without changing it as data: a non-enumerable symbol
 * property, which JSON.stringify, Object.keys, object spread and structuredClone all leave out.
 * States are immutable, so what is remembered about one of their parts stays true. A WeakMap
 * would do the same, but V8's WeakMap.set (an ephemeron table, traced apart by every
 * collection) cost the explorer more than what it remembered saved: about 7 times a property's
 * price, measured on 2 million objects. An object that cannot take a property (frozen: the
 * plug-in guard freezes what it hands out) is remembered in a WeakMap instead.
 */
export interface Slot<T> {
  get(o: object): T | undefined;
  set(o: object, v: T): void;
}

export function slot<T>(name: string): Slot<T> {
  const key = Symbol(name);
  const frozen = new WeakMap<object, T>();
  return {
    get(o) {
      // a frozen object may carry the property too (set before it was frozen)
      const v = (o as Record<symbol, T | undefined>)[key];
      return v !== undefined || Object.isExtensible(o) ? v : frozen.get(o);
    },
    set(o, v) {
      if (!Object.isExtensible(o)) frozen.set(o, v);
      else if (Object.prototype.hasOwnProperty.call(o, key)) (o as Record<symbol, T>)[key] = v;
      else Object.defineProperty(o, key, { value: v, writable: true, configurable: true });
    },
  };
}
