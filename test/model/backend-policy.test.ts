/** BackendPolicy → ServiceModel.backendPolicies: per port, conflicts, incremental deltas; clusters per role flavor. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource } from '../../src/envoy/compile';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildModel, ModelBuilder } from '../../src/model/model-builder';
import { outboundClusters } from '../../translators/outbound';
import { inputs, service } from './fixtures';

function bp(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind: 'BackendPolicy', metadata: { name, namespace: 'shop', ...meta }, spec };
}
const svc = service('shop', 'api', [{ name: 'http', port: 80 }, { name: 'grpc', port: 9090 }]);

test('a BackendPolicy attaches to the Service (per port name or all ports)', () => {
  const { model, errors } = buildModel(
    inputs(
      svc,
      bp('all', { targetRefs: [{ kind: 'Service', name: 'api' }], connectTimeout: '2s', circuitBreaker: { maxRequests: 10 } }),
      bp('grpc', { targetRefs: [{ kind: 'Service', name: 'api', sectionName: 'grpc' }], loadBalancer: { type: 'RingHash', consistentHash: { type: 'SourceIP' } }, outlierDetection: { consecutive5xx: 3, interval: '5s' } }),
    ),
  );
  assert.deepEqual(errors, []);
  const s = model.services['shop/api'];
  assert.ok(s?.backendPolicies);
  assert.deepEqual(Object.keys(s.backendPolicies).sort(), ['*', 'grpc']);
  assert.deepEqual({ ...s.backendPolicies['*'], source: undefined }, { connectTimeoutMs: 2000, circuitBreaker: { maxRequests: 10 }, source: undefined });
  const [http, grpc] = outboundClusters(s);
  assert.equal(http?.json.connect_timeout, '2s');
  assert.deepEqual(http?.json.circuit_breakers, { thresholds: [{ priority: 'DEFAULT', max_requests: 10 }] });
  assert.deepEqual(grpc?.json.outlier_detection, { consecutive_5xx: 3, interval: '5s' });
  assert.equal(grpc?.json.lb_policy, 'RING_HASH');
  assert.equal(grpc?.json.connect_timeout, '10s', 'the port policy replaces the all-ports one');
  for (const c of [...outboundClusters(s), ...outboundClusters(s, 'proxyless')]) {
    const r = compileResource(TypeUrl.Cluster, c.name, c.json);
    assert.ok(r.ok, c.name);
  }
  const [phttp] = outboundClusters(s, 'proxyless');
  assert.equal(phttp?.json.connect_timeout, '10s', 'proxyless: connect timeout does not apply');
  assert.equal(phttp?.json.lb_policy, 'ROUND_ROBIN');
});

test('two BackendPolicies on one Service port: the oldest wins, the other gets policy-conflict; LeastRequest stays out of proxyless clusters', () => {
  const { model, errors } = buildModel(
    inputs(
      svc,
      bp('newer', { targetRefs: [{ kind: 'Service', name: 'api' }], loadBalancer: { type: 'Random' } }, { creationTimestamp: '2026-03-01T00:00:00Z' }),
      bp('older', { targetRefs: [{ kind: 'Service', name: 'api' }], loadBalancer: { type: 'LeastRequest' } }, { creationTimestamp: '2026-01-01T00:00:00Z' }),
    ),
  );
  assert.deepEqual(errors.map((e) => [e.code, e.source.name, e.path]), [['policy-conflict', 'newer', 'spec.targetRefs[0]']]);
  const s = model.services['shop/api'];
  assert.ok(s);
  assert.equal(outboundClusters(s)[0]?.json.lb_policy, 'LEAST_REQUEST');
  assert.equal(outboundClusters(s, 'proxyless')[0]?.json.lb_policy, 'ROUND_ROBIN');
});

test('incremental: adding and deleting a BackendPolicy reports its Service changed, with a new object; without policies the Service has none', () => {
  const b = new ModelBuilder();
  b.apply([{ type: 'upsert', object: svc }]);
  const plain = b.model().services['shop/api'];
  assert.equal(plain?.backendPolicies, undefined);
  const d1 = b.apply([{ type: 'upsert', object: bp('p', { targetRefs: [{ kind: 'Service', name: 'api' }], http2: true }) }]);
  assert.deepEqual([...d1.services], ['shop/api']);
  assert.equal(d1.meshWide, false);
  assert.equal(b.model().services['shop/api']?.backendPolicies?.['*']?.http2, true);
  // the Service updated later keeps its policy
  b.apply([{ type: 'upsert', object: service('shop', 'api', [{ name: 'http', port: 80 }]) }]);
  assert.equal(b.model().services['shop/api']?.backendPolicies?.['*']?.http2, true);
  const d2 = b.apply([{ type: 'delete', kind: 'BackendPolicy', namespace: 'shop', name: 'p' }]);
  assert.deepEqual([...d2.services], ['shop/api']);
  assert.equal(b.model().services['shop/api']?.backendPolicies, undefined);
});
