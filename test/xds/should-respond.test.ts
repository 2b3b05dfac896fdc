/** Table test of the ACK / NACK / stale decision (like Istio's TestShouldRespond). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { classifyDelta, shouldPush, shouldRespond, type SotwTypeState } from '../../src/xds/should-respond';

const C = TypeUrl.Cluster;
const E = TypeUrl.ClusterLoadAssignment;
const named = (...n: string[]) => new Set(n);
const err = { code: 3, message: 'bad' };

const cases: { name: string; prev?: SotwTypeState; req: { typeUrl: string; resourceNames: string[]; responseNonce: string; errorDetail?: typeof err }; kind: string; respond: boolean; sub: '*' | string[] }[] = [
  { name: 'initial wildcard type, empty names', req: { typeUrl: C, resourceNames: [], responseNonce: '' }, kind: 'initial', respond: true, sub: '*' },
  { name: 'initial explicit *', req: { typeUrl: C, resourceNames: ['*'], responseNonce: '' }, kind: 'initial', respond: true, sub: '*' },
  { name: 'initial named type, empty names', req: { typeUrl: E, resourceNames: [], responseNonce: '' }, kind: 'initial', respond: true, sub: [] },
  { name: 'initial named', req: { typeUrl: E, resourceNames: ['a'], responseNonce: '' }, kind: 'initial', respond: true, sub: ['a'] },
  { name: 'ack same names', prev: { subscribed: named('a'), everNamed: true, lastNonce: 'n1' }, req: { typeUrl: E, resourceNames: ['a'], responseNonce: 'n1' }, kind: 'ack', respond: false, sub: ['a'] },
  { name: 'ack with new names', prev: { subscribed: named('a'), everNamed: true, lastNonce: 'n1' }, req: { typeUrl: E, resourceNames: ['a', 'b'], responseNonce: 'n1' }, kind: 'ack', respond: true, sub: ['a', 'b'] },
  { name: 'stale nonce', prev: { subscribed: named('a'), everNamed: true, lastNonce: 'n2' }, req: { typeUrl: E, resourceNames: ['b'], responseNonce: 'n1' }, kind: 'stale', respond: false, sub: ['a'] },
  { name: 'stale nonce with error_detail is still stale', prev: { subscribed: named('a'), everNamed: true, lastNonce: 'n2' }, req: { typeUrl: E, resourceNames: ['a'], responseNonce: 'n1', errorDetail: err }, kind: 'stale', respond: false, sub: ['a'] },
  { name: 'nonce before any response is stale', prev: { subscribed: named('a'), everNamed: true }, req: { typeUrl: E, resourceNames: ['a'], responseNonce: 'x' }, kind: 'stale', respond: false, sub: ['a'] },
  { name: 'nack', prev: { subscribed: '*', everNamed: false, lastNonce: 'n1' }, req: { typeUrl: C, resourceNames: [], responseNonce: 'n1', errorDetail: err }, kind: 'nack', respond: false, sub: '*' },
  { name: 'wildcard stays wildcard on empty ack', prev: { subscribed: '*', everNamed: false, lastNonce: 'n1' }, req: { typeUrl: C, resourceNames: [], responseNonce: 'n1' }, kind: 'ack', respond: false, sub: '*' },
  { name: 'empty after names unsubscribes all', prev: { subscribed: named('a'), everNamed: true, lastNonce: 'n1' }, req: { typeUrl: C, resourceNames: [], responseNonce: 'n1' }, kind: 'ack', respond: true, sub: [] },
  { name: 'empty after explicit * unsubscribes all', prev: { subscribed: '*', everNamed: true, lastNonce: 'n1' }, req: { typeUrl: C, resourceNames: [], responseNonce: 'n1' }, kind: 'ack', respond: true, sub: [] },
  { name: 'request without nonce on an open type (re-request)', prev: { subscribed: named('a'), everNamed: true }, req: { typeUrl: E, resourceNames: ['a', 'b'], responseNonce: '' }, kind: 'initial', respond: true, sub: ['a', 'b'] },
];

for (const tc of cases) {
  test(`shouldRespond: ${tc.name}`, () => {
    const d = shouldRespond(tc.prev, tc.req);
    assert.equal(d.kind, tc.kind);
    assert.equal(d.respond, tc.respond);
    assert.deepEqual(d.subscription === '*' ? '*' : [...d.subscription].sort(), tc.sub);
  });
}

test('classifyDelta: nonce pairs ACK/NACK; error_detail alone decides NACK', () => {
  assert.equal(classifyDelta(undefined, { responseNonce: '' }), 'initial');
  assert.equal(classifyDelta('n1', { responseNonce: 'n1' }), 'ack');
  assert.equal(classifyDelta('n1', { responseNonce: 'n1', errorDetail: err }), 'nack');
  assert.equal(classifyDelta('n2', { responseNonce: 'n1', errorDetail: err }), 'stale');
});

test('shouldPush: blocked waits, changed content goes, a NACKed version is never repeated', () => {
  assert.equal(shouldPush({ blocked: true, desiredVersion: 'b', lastSentVersion: 'a', owed: true }), false);
  assert.equal(shouldPush({ blocked: false, desiredVersion: 'b', lastSentVersion: 'a', owed: false }), true);
  assert.equal(shouldPush({ blocked: false, desiredVersion: 'a', lastSentVersion: 'a', owed: false }), false);
  assert.equal(shouldPush({ blocked: false, desiredVersion: 'a', lastSentVersion: 'a', owed: true }), true);
  assert.equal(shouldPush({ blocked: false, desiredVersion: 'a', lastSentVersion: 'a', owed: true, nackedVersion: 'a' }), false);
});
