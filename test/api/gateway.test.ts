import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Gateway } from '../../src/api/gateway';
import { assertIssue, assertParses } from './assert-issue';
import { gatewaySample } from './samples';

test('a realistic Gateway parses, with defaults filled in', () => {
  const g = assertParses(Gateway, gatewaySample());
  assert.equal(g.spec.listeners[1].tls?.mode, 'Terminate');
  assert.equal(g.spec.listeners[1].tls?.certificateRefs[0].name, 'shop-cert');
  assert.equal(g.spec.listeners[1].allowedRoutes?.namespaces?.from, 'All');
  assert.equal(g.status?.conditions?.[0].type, 'Accepted');
});

test('a Gateway without selector (node metadata TOWER_GATEWAY) parses', () => {
  const o = gatewaySample();
  delete (o.spec as { selector?: unknown }).selector;
  assertParses(Gateway, o);
});

test('Gateway rejects unknown fields by path', () => {
  const o = gatewaySample();
  (o.spec.listeners[0] as Record<string, unknown>).hostname = 'a.example.com';
  assertIssue(Gateway, o, 'spec.listeners[0].hostname', /unknown field/);
});

test('HTTPS needs tls, HTTP must not have it', () => {
  const o = gatewaySample();
  delete (o.spec.listeners[1] as { tls?: unknown }).tls;
  assertIssue(Gateway, o, 'spec.listeners[1].tls', /required when protocol is HTTPS/);
  const p = gatewaySample();
  (p.spec.listeners[0] as Record<string, unknown>).tls = { certificateRefs: [{ name: 'x' }] };
  assertIssue(Gateway, p, 'spec.listeners[0].tls', /must not be set when protocol is HTTP/);
});

test('certificateRefs name Secrets only, in the same namespace', () => {
  const o = gatewaySample();
  (o.spec.listeners[1].tls!.certificateRefs[0] as Record<string, unknown>).kind = 'ConfigMap';
  assertIssue(Gateway, o, 'spec.listeners[1].tls.certificateRefs[0].kind', /Secret/);
  const p = gatewaySample();
  (p.spec.listeners[1].tls!.certificateRefs[0] as Record<string, unknown>).namespace = 'other';
  assertIssue(Gateway, p, 'spec.listeners[1].tls.certificateRefs[0].namespace', /unknown field/);
});

test('listener names unique; a port has one protocol; port+hostname served once', () => {
  const o = gatewaySample();
  o.spec.listeners[1].name = 'http';
  assertIssue(Gateway, o, 'spec.listeners[1]', /duplicate listener name "http"/);
  const p = gatewaySample();
  p.spec.listeners[1].port = 8080;
  assertIssue(Gateway, p, 'spec.listeners[1].protocol', /port 8080 is already used with protocol HTTP/);
  const q = gatewaySample();
  q.spec.listeners.push({ name: 'http2', port: 8080, protocol: 'HTTP', hostnames: ['shop.example.com'] });
  assertIssue(Gateway, q, 'spec.listeners[2].hostnames', /already served by listener http/);
});

test('ports, hostnames and label selectors are bounded', () => {
  for (const port of [0, 65536, 80.5]) {
    const o = gatewaySample();
    o.spec.listeners[0].port = port;
    assertIssue(Gateway, o, 'spec.listeners[0].port', /./);
  }
  const ok = gatewaySample();
  ok.spec.listeners[0].port = 65535;
  ok.spec.listeners[1].port = 1;
  assertParses(Gateway, ok);
  const h = gatewaySample();
  h.spec.listeners[0].hostnames = ['Shop.Example.com'];
  assertIssue(Gateway, h, 'spec.listeners[0].hostnames[0]', /lower-case DNS hostname/);
  const d = gatewaySample();
  d.spec.listeners[0].hostnames = ['a.example.com', 'a.example.com'];
  assertIssue(Gateway, d, 'spec.listeners[0].hostnames[1]', /duplicate value/);
  const s: { spec: { selector: { matchLabels: Record<string, string> } } } = gatewaySample();
  s.spec.selector.matchLabels = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
  assertIssue(Gateway, s, 'spec.selector.matchLabels', /17 entries, at most 16/);
  const empty = gatewaySample();
  empty.spec.listeners = [];
  assertIssue(Gateway, empty, 'spec.listeners', /./);
});

test('apiVersion and kind are checked', () => {
  const o = gatewaySample();
  o.apiVersion = 'gateway.networking.k8s.io/v1';
  assertIssue(Gateway, o, 'apiVersion', /tower.dev\/v1alpha1/);
});
