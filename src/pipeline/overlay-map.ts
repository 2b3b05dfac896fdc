/**
 * An immutable ReadonlyMap made of a base map plus a small overlay of changes,
 * so publishing a table after an endpoint change costs O(changes), not
 * O(resources of that type). The overlay is folded into a fresh base once it
 * grows past an eighth of the base (amortized O(1) per change).
 */
const deleted: unique symbol = Symbol('deleted');
type Slot<V> = V | typeof deleted;

export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly overlay: ReadonlyMap<K, Slot<V>>,
    readonly size: number,
  ) {}

  /** A map equal to `prev` with `sets` applied and `deletes` removed; `prev` is not modified. */
  static patch<K, V>(prev: ReadonlyMap<K, V>, sets: Iterable<readonly [K, V]>, deletes: Iterable<K>): ReadonlyMap<K, V> {
    const base = prev instanceof OverlayMap ? (prev.base as ReadonlyMap<K, V>) : prev;
    const overlay = new Map<K, Slot<V>>(prev instanceof OverlayMap ? (prev.overlay as ReadonlyMap<K, Slot<V>>) : []);
    let size = prev.size;
    const present = (k: K): boolean => (overlay.has(k) ? overlay.get(k) !== deleted : base.has(k));
    for (const [k, v] of sets) {
      if (!present(k)) size++;
      overlay.set(k, v);
    }
    for (const k of deletes) {
      if (present(k)) size--;
      if (base.has(k)) overlay.set(k, deleted);
      else overlay.delete(k);
    }
    if (overlay.size > Math.max(64, base.size >> 3)) {
      const flat = new Map<K, V>();
      for (const [k, v] of new OverlayMap(base, overlay, size)) flat.set(k, v);
      return flat;
    }
    return new OverlayMap(base, overlay, size);
  }

  get(key: K): V | undefined {
    const o = this.overlay.get(key);
    if (o !== undefined) return o === deleted ? undefined : o;
    return this.base.get(key);
  }

  has(key: K): boolean {
    const o = this.overlay.get(key);
    if (o !== undefined) return o !== deleted;
    return this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) {
      const o = this.overlay.get(k);
      if (o === undefined) yield [k, v];
      else if (o !== deleted) yield [k, o];
    }
    for (const [k, o] of this.overlay) if (o !== deleted && !this.base.has(k)) yield [k, o];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}
