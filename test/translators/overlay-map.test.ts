import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { OverlayMap } from '../../src/pipeline/overlay-map';

test('OverlayMap.patch behaves like a copied Map and never changes the previous map', () => {
  const base = new Map<string, number>();
  for (let i = 0; i < 1000; i++) base.set(`k${i}`, i);
  const reference = new Map(base);
  let cur: ReadonlyMap<string, number> = base;
  const versions: [ReadonlyMap<string, number>, Map<string, number>][] = [];
  // deterministic pseudo-random sequence of sets and deletes, enough to force folding
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let step = 0; step < 400; step++) {
    const sets: [string, number][] = [];
    const deletes: string[] = [];
    for (let j = 0; j < 3; j++) {
      const k = `k${rnd(1200)}`;
      if (rnd(3) === 0) {
        deletes.push(k);
        reference.delete(k);
      } else {
        sets.push([k, step]);
        reference.set(k, step);
      }
    }
    // apply sets before deletes in the reference too
    for (const [k, v] of sets) if (!deletes.includes(k)) reference.set(k, v);
    for (const k of deletes) reference.delete(k);
    cur = OverlayMap.patch(cur, sets, deletes);
    versions.push([cur, new Map(reference)]);
  }
  for (const [m, want] of versions) {
    assert.equal(m.size, want.size);
    assert.deepEqual(new Map([...m].sort()), new Map([...want].sort()));
    for (const k of ['k1', 'k500', 'k1100', 'nope']) {
      assert.equal(m.get(k), want.get(k));
      assert.equal(m.has(k), want.has(k));
    }
  }
  assert.equal(base.size, 1000);
  assert.equal(base.get('k1'), 1);
});
