import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ModelBuilder, buildModel } from '../../src/model/model-builder';
import { validate } from '../../src/model/validate';
import { inputs, service, slice, tlsSecret } from './fixtures';

test('services: ports with protocols, ClusterIP, headless, FQDN hostname, source', () => {
  const { model, errors } = buildModel(
    inputs(
      service('shop', 'api', [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc-x', port: 9090 }], { clusterIP: '10.96.0.9', selector: { app: 'api' } }),
      { ...service('shop', 'db', [{ port: 5432 }]), spec: { clusterIP: 'None', ports: [{ port: 5432 }] } },
    ),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(model.services['shop/api'], {
    namespace: 'shop',
    name: 'api',
    hostname: 'api.shop.svc.cluster.local',
    clusterIP: '10.96.0.9',
    selector: { app: 'api' },
    ports: [
      { name: 'http', port: 80, targetPort: 8080, protocol: 'http' },
      { name: 'grpc-x', port: 9090, targetPort: 9090, protocol: 'grpc' },
    ],
    source: { kind: 'Service', name: 'api', namespace: 'shop', file: 'test.yaml' },
  });
  assert.equal(model.services['shop/db']?.clusterIP, undefined);
  assert.equal(model.services['shop/db']?.ports[0]?.name, '');
  // default routes: one per HTTP-family port
  assert.deepEqual(model.routes.map((r) => r.key), ['default/shop/api/80', 'default/shop/api/9090']);
});

test('every input error is reported with its object and field path; the rest is built', () => {
  const { model, errors } = buildModel(
    inputs(
      service('shop', 'bad', [{ name: 'http', port: 70000 }]),
      service('shop', 'dup', [{ name: 'http', port: 80 }, { name: 'http', port: 81 }, { name: 'dns', port: 53, protocol: 'UDP' }]),
      service('shop', 'ok', [{ name: 'http', port: 80 }], { clusterIP: 'nope' }),
      slice('shop', 'ok-1', 'ok', [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }], [{ ip: '10.0.0.1' }, { ip: '300.1.1.1' }]),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'shop' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } },
      { kind: 'Widget', metadata: { name: 'w' } },
    ),
  );
  const got = errors.map((e) => `${e.code} ${e.source.kind}/${e.source.name} ${e.path}`).sort();
  assert.deepEqual(got, [
    'duplicate-port Service/dup spec.ports[1].name',
    'invalid-endpoint EndpointSlice/ok-1 endpoints[1].addresses[0]',
    'invalid-object Service/bad spec.ports[0].port',
    'invalid-object Service/ok spec.clusterIP',
    'invalid-object Widget/w kind',
    'invalid-secret Secret/cert data["tls.key"]',
    'invalid-secret Secret/cert stringData["tls.crt"]',
    'unmatched-endpoint-port EndpointSlice/ok-1 ports[1].name',
    'unsupported-service Service/dup spec.ports[2].protocol',
  ]);
  assert.ok(errors.every((e) => e.source.file === 'test.yaml'));
  assert.deepEqual(Object.keys(model.services).sort(), ['shop/dup', 'shop/ok']);
  assert.deepEqual(model.endpoints['shop/ok']?.byPort.http?.map((e) => e.address), ['10.0.0.1']);
});

test('endpoints: slices merged, ready → priority 0, terminating+serving → 1, others dropped, unique by address:port', () => {
  const { model } = buildModel(
    inputs(
      service('shop', 'cart', [{ name: 'http', port: 80 }]),
      slice('shop', 'cart-1', 'cart', [{ name: 'http', port: 8080 }], [
        { ip: '10.0.0.2', ready: true, zone: 'a', nodeName: 'n1' },
        { ip: '10.0.0.3', ready: false, serving: true, terminating: true, zone: 'a' },
        { ip: '10.0.0.4', ready: false, serving: false, terminating: true },
        { ip: '10.0.0.5', ready: false },
      ]),
      slice('shop', 'cart-2', 'cart', [{ name: 'http', port: 8080 }], [
        { ip: '10.0.0.1' },
        { ip: '10.0.0.2', ready: true, zone: 'a' },
        { ip: '10.0.0.3', ready: true, zone: 'b' },
      ]),
    ),
  );
  const eps = model.endpoints['shop/cart']?.byPort.http ?? [];
  assert.deepEqual(
    eps.map((e) => [e.address, e.port, e.priority, e.zone ?? '', e.nodeName ?? '']),
    [
      ['10.0.0.1', 8080, 0, '', ''],
      ['10.0.0.2', 8080, 0, 'a', 'n1'],
      ['10.0.0.3', 8080, 0, 'b', ''], // ready in cart-2 beats terminating in cart-1
    ],
  );
  assert.deepEqual(model.endpoints['shop/cart']?.sources.map((s) => s.name), ['cart-1', 'cart-2']);
});

test('incremental builder: slice before service, invalid update keeps last good, deletes', () => {
  const b = new ModelBuilder();
  let d = b.apply([{ type: 'upsert', object: slice('shop', 's1', 'web', [{ name: 'http', port: 8080 }], [{ ip: '10.0.0.1' }]) }]);
  assert.deepEqual([...d.endpoints], ['shop/web']);
  assert.equal(b.model().endpoints['shop/web'], undefined);
  d = b.apply([{ type: 'upsert', object: service('shop', 'web', [{ name: 'http', port: 80 }]) }]);
  assert.deepEqual([...d.services], ['shop/web']);
  assert.equal(b.model().endpoints['shop/web']?.byPort.http?.length, 1);
  // an invalid version of the service is reported; the last good one stays
  d = b.apply([{ type: 'upsert', object: service('shop', 'web', [{ name: 'http', port: 0 }]) }]);
  assert.equal(d.services.size, 0);
  assert.equal(b.model().services['shop/web']?.ports[0]?.port, 80);
  assert.deepEqual(b.errors().map((e) => e.path), ['spec.ports[0].port']);
  d = b.apply([{ type: 'delete', kind: 'EndpointSlice', namespace: 'shop', name: 's1' }]);
  assert.deepEqual([...d.endpoints], ['shop/web']);
  assert.deepEqual(b.model().endpoints['shop/web']?.byPort, {});
  d = b.apply([{ type: 'delete', kind: 'Service', namespace: 'shop', name: 'web' }]);
  assert.deepEqual(b.model().services, {});
  assert.deepEqual(b.errors(), []);
});

test('validate: cross-object references (routes, gateways, secrets, tracing collector)', () => {
  const { model } = buildModel(
    inputs(
      service('shop', 'api', [{ name: 'http', port: 8080 }]),
      tlsSecret('infra', 'present'),
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'edge', namespace: 'infra' },
        spec: { listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'present' }, { name: 'absent' }] } }] },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'r', namespace: 'infra' },
        spec: { parentRefs: [{ name: 'edge' }, { name: 'nope' }], rules: [{ backendRefs: [{ name: 'api', namespace: 'shop', port: 8080 }, { name: 'api', namespace: 'shop', port: 9 }, { name: 'ghost', port: 80 }] }] },
      },
    ),
    { clusterDomain: 'cluster.local', tracing: { collector: { namespace: 'obs', name: 'otel', port: 4317 } } },
  );
  const got = validate(model).map((e) => `${e.code} ${e.source.kind}/${e.source.name} ${e.path}`);
  assert.deepEqual(got, [
    'missing-backend HTTPRoute/r spec.rules[0].backendRefs[1].port',
    'missing-backend HTTPRoute/r spec.rules[0].backendRefs[2]',
    'invalid-route HTTPRoute/r spec.parentRefs[1]',
    'missing-secret Gateway/edge spec.listeners[0].tls.certificateRefs[1]',
    'invalid-config MeshConfig/tracing tracing.collector',
  ]);
});

test('incremental builder: a slice relabelled to another service changes both services', () => {
  const b = new ModelBuilder();
  b.apply([
    { type: 'upsert', object: service('shop', 'a', [{ name: 'http', port: 80 }]) },
    { type: 'upsert', object: service('shop', 'b', [{ name: 'http', port: 80 }]) },
    { type: 'upsert', object: slice('shop', 's', 'a', [{ name: 'http', port: 8080 }], [{ ip: '10.0.0.1' }]) },
  ]);
  assert.equal(b.model().endpoints['shop/a']?.byPort.http?.length, 1);
  const d = b.apply([{ type: 'upsert', object: slice('shop', 's', 'b', [{ name: 'http', port: 8080 }], [{ ip: '10.0.0.1' }]) }]);
  assert.deepEqual([...d.endpoints].sort(), ['shop/a', 'shop/b']);
  assert.equal(b.model().endpoints['shop/a']?.byPort.http, undefined);
  assert.equal(b.model().endpoints['shop/b']?.byPort.http?.length, 1);
});
