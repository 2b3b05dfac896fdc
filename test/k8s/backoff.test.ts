import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../src/sources/kubernetes/backoff';

describe('reconnect backoff', () => {
  it('doubles per attempt up to the cap, with jitter between 50% and 100%', () => {
    const lo = (a: number) => backoffDelay(a, { initialMs: 100, maxMs: 1000, random: () => 0 });
    const hi = (a: number) => backoffDelay(a, { initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    assert.deepEqual([1, 2, 3, 4, 5, 50].map(hi), [100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual([1, 2, 3, 4, 5, 50].map(lo), [50, 100, 200, 400, 500, 500]);
    assert.ok(lo(1) > 0, 'never zero: no busy loop');
  });
});
