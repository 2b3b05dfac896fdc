/**
 * version_info of a named type (RDS, EDS, SDS) in one published table,
 * derived from content and independent of order: the XOR of a 64-bit hash of
 * (name, resource version) per resource. Computed once per type map, and after
 * a publish derived from the previous map's value and the view's change set in
 * O(changed) instead of O(resources) (at 50 endpoint changes/s a full walk of
 * 1,000 ClusterLoadAssignments per publish was 3–5 % of a core).
 * Identical content always yields the identical version.
 */
import type { Resource } from './resource';
import type { TypeChanges } from './view-changes';

interface Acc { hi: number; lo: number; version: string }

const accs = new WeakMap<ReadonlyMap<string, Resource>, Acc>();

/** Two independent 32-bit string hashes (FNV-1a and a multiplicative mix) of name \0 version. */
function hashInto(acc: { hi: number; lo: number }, r: Resource): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  const mix = (c: number): void => {
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  };
  for (let i = 0; i < r.name.length; i++) mix(r.name.charCodeAt(i));
  mix(0);
  for (let i = 0; i < r.version.length; i++) mix(r.version.charCodeAt(i));
  acc.hi ^= a >>> 0;
  acc.lo ^= Math.imul(b ^ (b >>> 13), 0xc2b2ae35) >>> 0;
}

function finish(acc: { hi: number; lo: number }): Acc {
  // 64 bits in base 36 (≤ 14 characters): version_info is repeated in every response and ACK.
  return { hi: acc.hi, lo: acc.lo, version: `${(acc.hi >>> 0).toString(36)}.${(acc.lo >>> 0).toString(36)}` };
}

/** The version of a type map: computed once per map (O(resources) the first time). */
export function typeVersion(byName: ReadonlyMap<string, Resource>): string {
  let acc = accs.get(byName);
  if (!acc) {
    const x = { hi: 0, lo: 0 };
    for (const r of byName.values()) hashInto(x, r);
    acc = finish(x);
    accs.set(byName, acc);
  }
  return acc.version;
}

/**
 * Records the version of `next` from the version of `prev` and what changed
 * between them (O(changed)); does nothing unless `prev`'s version is known.
 */
export function deriveTypeVersion(prev: ReadonlyMap<string, Resource>, next: ReadonlyMap<string, Resource>, changes: TypeChanges): void {
  const p = accs.get(prev);
  if (!p || accs.has(next)) return;
  const x = { hi: p.hi, lo: p.lo };
  for (const name of changes.changed) {
    const old = prev.get(name);
    if (old) hashInto(x, old);
    const now = next.get(name);
    if (now) hashInto(x, now);
  }
  for (const name of changes.removed) {
    const old = prev.get(name);
    if (old) hashInto(x, old);
  }
  accs.set(next, finish(x));
}
