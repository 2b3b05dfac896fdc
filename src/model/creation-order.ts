/**
 * The order policies compete in: oldest metadata.creationTimestamp first
 * (absent or unparsable = newest), then the lower "namespace/name" key.
 */
export function oldestFirst(a: { readonly createdAt?: string; readonly key: string }, b: { readonly createdAt?: string; readonly key: string }): number {
  const ta = creationTime(a.createdAt);
  const tb = creationTime(b.createdAt);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function creationTime(createdAt: string | undefined): number {
  const t = createdAt ? Date.parse(createdAt) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}
