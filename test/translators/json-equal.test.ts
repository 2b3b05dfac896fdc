import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { jsonEqual } from '../../src/pipeline/json-equal';

const shared = { a: [1, 'x', { b: true }] };
const values: unknown[] = [
  null, 0, 1, '', '1', true, false, [], [1], [1, 2], [2, 1], {}, { a: 1 }, { a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1, c: undefined },
  { a: { b: [1, { c: 'd' }] } }, { a: { b: [1, { c: 'e' }] } }, shared, { a: [1, 'x', { b: true }] }, { a: [1, 'x', { b: false }] },
  { name: 'r', virtual_hosts: [{ name: 'v', domains: ['a', 'b'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }] }] },
  { name: 'r', virtual_hosts: [{ name: 'v', domains: ['a', 'b'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c2' } }] }] },
];

test('jsonEqual agrees with comparing JSON.stringify texts', () => {
  for (const a of values) {
    for (const b of values) {
      assert.equal(jsonEqual(a, b), JSON.stringify(a) === JSON.stringify(b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      assert.equal(jsonEqual(structuredClone(a), b), JSON.stringify(a) === JSON.stringify(b));
    }
  }
});

test('jsonEqual: key order matters, undefined members do not, class instances only by identity', () => {
  assert.equal(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 }), false);
  assert.equal(jsonEqual({ a: undefined, b: 2 }, { b: 2 }), true);
  const d = new Date(0);
  assert.equal(jsonEqual(d, d), true);
  assert.equal(jsonEqual(new Date(0), new Date(0)), false);
});
