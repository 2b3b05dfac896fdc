import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BackendPolicy } from '../../src/api/backend-policy';
import { assertIssue, assertParses } from './assert-issue';
import { backendPolicySample } from './samples';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary fields

test('a realistic BackendPolicy parses, with defaults', () => {
  const b = assertParses(BackendPolicy, backendPolicySample());
  assert.equal(b.spec.healthCheck?.active.type, 'HTTP');
  assert.equal(b.spec.loadBalancer?.consistentHash?.cookie?.ttl, '1h');
  const minimal: Obj = { ...backendPolicySample(), spec: { targetRefs: [{ kind: 'Service', name: 'web' }], loadBalancer: { type: 'LeastRequest' } } };
  assertParses(BackendPolicy, minimal);
});

test('load balancer and consistent hash consistency', () => {
  const rr: Obj = backendPolicySample();
  rr.spec.loadBalancer.type = 'RoundRobin';
  assertIssue(BackendPolicy, rr, 'spec.loadBalancer.consistentHash', /only RingHash, Maglev/);
  const maglev: Obj = backendPolicySample();
  maglev.spec.loadBalancer = { type: 'Maglev' };
  assertIssue(BackendPolicy, maglev, 'spec.loadBalancer.consistentHash', /required when type is Maglev/);
  const header: Obj = backendPolicySample();
  header.spec.loadBalancer.consistentHash.type = 'Header';
  assertIssue(BackendPolicy, header, 'spec.loadBalancer.consistentHash.header', /must be set/);
  assertIssue(BackendPolicy, header, 'spec.loadBalancer.consistentHash.cookie', /must not be set/);
  const ip: Obj = backendPolicySample();
  ip.spec.loadBalancer.consistentHash = { type: 'SourceIP' };
  assertParses(BackendPolicy, ip);
  const bad: Obj = backendPolicySample();
  bad.spec.loadBalancer.type = 'WeightedLeastConnections';
  assertIssue(BackendPolicy, bad, 'spec.loadBalancer.type', /RoundRobin/);
});

test('numbers are bounded', () => {
  const cb: Obj = backendPolicySample();
  cb.spec.circuitBreaker.maxConnections = 2_147_483_648;
  assertIssue(BackendPolicy, cb, 'spec.circuitBreaker.maxConnections', /2147483647/);
  const neg: Obj = backendPolicySample();
  neg.spec.circuitBreaker.maxRetries = -1;
  assertIssue(BackendPolicy, neg, 'spec.circuitBreaker.maxRetries', /0/);
  const pct: Obj = backendPolicySample();
  pct.spec.outlierDetection.maxEjectionPercent = 101;
  assertIssue(BackendPolicy, pct, 'spec.outlierDetection.maxEjectionPercent', /100/);
  const th: Obj = backendPolicySample();
  th.spec.healthCheck.active.unhealthyThreshold = 0;
  assertIssue(BackendPolicy, th, 'spec.healthCheck.active.unhealthyThreshold', /1/);
  const st: Obj = backendPolicySample();
  st.spec.healthCheck.active.http.expectedStatuses = [99];
  assertIssue(BackendPolicy, st, 'spec.healthCheck.active.http.expectedStatuses[0]', /100/);
  const edge: Obj = backendPolicySample();
  edge.spec.circuitBreaker.maxConnections = 2_147_483_647;
  edge.spec.outlierDetection.maxEjectionPercent = 100;
  assertParses(BackendPolicy, edge);
});

test('durations must parse and be positive where zero makes no sense', () => {
  const ct: Obj = backendPolicySample();
  ct.spec.connectTimeout = '0s';
  assertIssue(BackendPolicy, ct, 'spec.connectTimeout', /greater than 0/);
  const iv: Obj = backendPolicySample();
  iv.spec.healthCheck.active.interval = '5';
  assertIssue(BackendPolicy, iv, 'spec.healthCheck.active.interval', /must be a duration/);
  const zero: Obj = backendPolicySample();
  zero.spec.healthCheck.active.timeout = '0ms';
  assertIssue(BackendPolicy, zero, 'spec.healthCheck.active.timeout', /greater than 0/);
});

test('upstream TLS names exactly one trust source', () => {
  const both: Obj = backendPolicySample();
  both.spec.tls.wellKnownCACertificates = 'System';
  assertIssue(BackendPolicy, both, 'spec.tls', /exactly one of caCertificateRefs, wellKnownCACertificates/);
  const system: Obj = backendPolicySample();
  system.spec.tls = { wellKnownCACertificates: 'System' };
  assertParses(BackendPolicy, system);
  const sni: Obj = backendPolicySample();
  sni.spec.tls.sni = '*.example.com';
  assertIssue(BackendPolicy, sni, 'spec.tls.sni', /without wildcard/);
});

test('targetRefs are Services, unique, in the core group', () => {
  const gw: Obj = backendPolicySample();
  gw.spec.targetRefs[0].kind = 'Gateway';
  assertIssue(BackendPolicy, gw, 'spec.targetRefs[0].kind', /Service/);
  const grp: Obj = backendPolicySample();
  grp.spec.targetRefs[0].group = 'tower.dev';
  assertIssue(BackendPolicy, grp, 'spec.targetRefs[0].group', /must be ""/);
  const dup: Obj = backendPolicySample();
  dup.spec.targetRefs.push({ kind: 'Service', name: 'payments' });
  assertIssue(BackendPolicy, dup, 'spec.targetRefs[1]', /duplicate targetRef/);
  const ns: Obj = backendPolicySample();
  ns.spec.targetRefs[0].namespace = 'other';
  assertIssue(BackendPolicy, ns, 'spec.targetRefs[0].namespace', /unknown field/);
  const none: Obj = backendPolicySample();
  none.spec.targetRefs = [];
  assertIssue(BackendPolicy, none, 'spec.targetRefs', /./);
});

test('active health checks: HTTP needs http, GRPC takes an optional service name and no http', () => {
  const grpc: Obj = backendPolicySample();
  grpc.spec.healthCheck.active = { type: 'GRPC', interval: '5s', timeout: '1s', grpc: { service: 'helloworld.Greeter' } };
  assert.equal(assertParses(BackendPolicy, grpc).spec.healthCheck?.active.grpc?.service, 'helloworld.Greeter');
  const bare: Obj = backendPolicySample();
  bare.spec.healthCheck.active = { type: 'GRPC', interval: '5s', timeout: '1s' };
  assertParses(BackendPolicy, bare);
  const grpcWithHttp: Obj = backendPolicySample();
  grpcWithHttp.spec.healthCheck.active.type = 'GRPC';
  assertIssue(BackendPolicy, grpcWithHttp, 'spec.healthCheck.active.http', /must not be set when type is GRPC/);
  const httpWithout: Obj = backendPolicySample();
  delete httpWithout.spec.healthCheck.active.http;
  assertIssue(BackendPolicy, httpWithout, 'spec.healthCheck.active.http', /required when type is HTTP/);
  const httpWithGrpc: Obj = backendPolicySample();
  httpWithGrpc.spec.healthCheck.active.grpc = {};
  assertIssue(BackendPolicy, httpWithGrpc, 'spec.healthCheck.active.grpc', /must not be set when type is HTTP/);
  const tcp: Obj = backendPolicySample();
  tcp.spec.healthCheck.active.type = 'TCP';
  assertIssue(BackendPolicy, tcp, 'spec.healthCheck.active.type', /HTTP/);
});

test('upstream TLS subject alt names: Hostname or URI, matching their type', () => {
  const ok: Obj = backendPolicySample();
  ok.spec.tls.subjectAltNames = [{ type: 'Hostname', hostname: 'payments.example.com' }, { type: 'URI', uri: 'spiffe://example.com/ns/shop/sa/payments' }];
  assert.equal(assertParses(BackendPolicy, ok).spec.tls?.subjectAltNames?.length, 2);
  const mismatch: Obj = backendPolicySample();
  mismatch.spec.tls.subjectAltNames = [{ type: 'URI', hostname: 'payments.example.com' }];
  assertIssue(BackendPolicy, mismatch, 'spec.tls.subjectAltNames[0].uri', /must be set when type is URI/);
  assertIssue(BackendPolicy, mismatch, 'spec.tls.subjectAltNames[0].hostname', /must not be set when type is URI/);
  const relative: Obj = backendPolicySample();
  relative.spec.tls.subjectAltNames = [{ type: 'URI', uri: 'payments' }];
  assertIssue(BackendPolicy, relative, 'spec.tls.subjectAltNames[0].uri', /absolute URI/);
  const wildcard: Obj = backendPolicySample();
  wildcard.spec.tls.subjectAltNames = [{ type: 'Hostname', hostname: '*.example.com' }];
  assertIssue(BackendPolicy, wildcard, 'spec.tls.subjectAltNames[0].hostname', /without wildcard/);
  const empty: Obj = backendPolicySample();
  empty.spec.tls.subjectAltNames = [];
  assertIssue(BackendPolicy, empty, 'spec.tls.subjectAltNames', />=1|at least 1|too small/i);
});
