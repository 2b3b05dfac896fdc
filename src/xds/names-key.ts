/**
 * The resource_names bytes of SotW requests, kept once per distinct content.
 * A SotW Envoy repeats every subscribed name in every ACK (1,000 EDS names are
 * ~60 KB); a stream keeps a reference to the canonical copy of the bytes that
 * produced its subscription and compares each request's bytes with it
 * (memcmp), decoding names only when they differ. Streams that send the same
 * names (every sidecar of a view, typically) share one copy.
 */
import { hash } from 'node:crypto';

const byDigest = new Map<string, WeakRef<Buffer>>();
const registry = new FinalizationRegistry<string>((digest) => {
  const ref = byDigest.get(digest);
  if (ref && ref.deref() === undefined) byDigest.delete(digest);
});

const EMPTY = Buffer.alloc(0);

/** Whether `raw` holds exactly the bytes of `held` (a canonical copy from `canonicalNames`). */
export function sameNames(held: Buffer | undefined, raw: Buffer): boolean {
  return held !== undefined && held.length === raw.length && held.equals(raw);
}

/** The shared canonical copy of these bytes (copied once per distinct content; never the request's own buffer). */
export function canonicalNames(raw: Buffer): Buffer {
  if (raw.length === 0) return EMPTY;
  const digest = hash('sha256', raw, 'base64');
  const hit = byDigest.get(digest)?.deref();
  if (hit) return hit;
  const copy = Buffer.allocUnsafeSlow(raw.length); // own memory: never a view into a pooled slab or the request
  raw.copy(copy);
  byDigest.set(digest, new WeakRef(copy));
  registry.register(copy, digest);
  return copy;
}

const sets = new WeakMap<Buffer, ReadonlySet<string>>();

/**
 * The named subscription for a canonical name list, built once and shared by
 * every stream that sent the same bytes (subscriptions are never mutated):
 * 1,000 sidecars subscribed to the same 1,000 EDS names hold one Set, not 1,000.
 */
export function sharedSubscription(canonical: Buffer, build: () => ReadonlySet<string>): ReadonlySet<string> {
  let s = sets.get(canonical);
  if (!s) sets.set(canonical, (s = build()));
  return s;
}
