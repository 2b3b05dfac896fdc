/**
 * Equality of two proto3 JSON values as JSON.stringify would see it (same
 * keys in the same order, undefined members ignored), without building the
 * text: shared sub-objects compare by identity, and the first difference
 * stops the walk. Used to tell whether a re-translated resource changed.
 * Anything that is not plain JSON (NaN, class instances) compares unequal
 * unless identical, which only costs a recompile.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aa = Array.isArray(a);
  if (aa !== Array.isArray(b)) return false;
  if (aa) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!jsonEqual(x[i], y[i])) return false;
    return true;
  }
  const pa = Object.getPrototypeOf(a) as unknown;
  const pb = Object.getPrototypeOf(b) as unknown;
  if ((pa !== Object.prototype && pa !== null) || (pb !== Object.prototype && pb !== null)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < kx.length && x[kx[i] as string] === undefined) i++;
    while (j < ky.length && y[ky[j] as string] === undefined) j++;
    if (i === kx.length || j === ky.length) return i === kx.length && j === ky.length;
    const k = kx[i] as string;
    if (k !== ky[j] || !jsonEqual(x[k], y[k])) return false;
    i++;
    j++;
  }
}
