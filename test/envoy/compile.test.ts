import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource, decodeAndValidate } from '../../src/envoy/compile';
import { decodeStrict } from '../../src/envoy/json-codec';
import { messageType } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { assignment, edsCluster, listener } from './fixtures/resources';

test('compileResource encodes a valid resource once, with canonical JSON and a content version', () => {
  const src = [{ kind: 'Service', namespace: 'default', name: 'reviews' }];
  const r = compileResource(TypeUrl.Cluster, edsCluster.name, edsCluster, src);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.resource.typeUrl, TypeUrl.Cluster);
  assert.equal(r.resource.name, edsCluster.name);
  assert.deepEqual(r.resource.sources, src);
  const back = decodeStrict(messageType('envoy.config.cluster.v3.Cluster'), r.resource.body);
  assert.ok(back.ok);
  assert.equal((r.json as { connect_timeout: string }).connect_timeout, '0.250s');
  // Same content (even written differently) → same bytes → same version.
  const again = compileResource(TypeUrl.Cluster, edsCluster.name, { ...edsCluster, connectTimeout: '0.25s', connect_timeout: undefined, type: 3 });
  assert.ok(again.ok);
  if (again.ok) assert.equal(again.resource.version, r.resource.version);
  const other = compileResource(TypeUrl.Cluster, edsCluster.name, { ...edsCluster, connect_timeout: '1s' });
  assert.ok(other.ok);
  if (other.ok) assert.notEqual(other.resource.version, r.resource.version);
});

test('compileResource reports decode errors, rule violations and a name mismatch with sources', () => {
  const src = [{ kind: 'HTTPRoute', namespace: 'ns', name: 'r1', file: 'routes.yaml' }];
  const bad = compileResource(TypeUrl.ClusterLoadAssignment, 'reviews', { ...assignment('reviews'), bogus: true }, src);
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.typeUrl, TypeUrl.ClusterLoadAssignment);
    assert.equal(bad.name, 'reviews');
    assert.deepEqual(bad.sources, src);
    assert.deepEqual(bad.errors.map((e) => e.path), ['bogus']);
  }
  const renamed = compileResource(TypeUrl.ClusterLoadAssignment, 'ratings', assignment('reviews'));
  assert.equal(renamed.ok, false);
  if (!renamed.ok) assert.deepEqual(renamed.errors, [{ path: 'cluster_name', message: 'must equal the resource name "ratings" (is "reviews")' }]);
  const invalid = compileResource(TypeUrl.Listener, 'gateway-http-8080', { ...listener, address: { socket_address: { address: '0.0.0.0', port_value: 70000 } } });
  assert.equal(invalid.ok, false);
  if (!invalid.ok) assert.equal(invalid.errors[0].path, 'address.socket_address.port_value');
});

test('compileResource rejects unknown type URLs and non-object input without throwing', () => {
  for (const [url, json] of [['type.googleapis.com/envoy.config.nope.v3.Nope', {}], [TypeUrl.Cluster, 'not an object'], [TypeUrl.Cluster, null], [TypeUrl.Cluster, [1, 2]]] as const) {
    const r = compileResource(url, 'x', json);
    assert.equal(r.ok, false);
    if (!r.ok) assert.ok(r.errors.length > 0 && r.errors[0].message.length > 0);
  }
  const wrongType = compileResource(TypeUrl.Cluster, 'c', { '@type': TypeUrl.Listener, name: 'c' });
  assert.equal(wrongType.ok, false);
  if (!wrongType.ok) assert.equal(wrongType.errors[0].path, '@type');
  const rightType = compileResource(TypeUrl.Cluster, 'c', { '@type': TypeUrl.Cluster, name: 'c', connect_timeout: '1s' });
  assert.ok(rightType.ok);
});

test('decodeAndValidate checks a whole Envoy bootstrap strictly', () => {
  const bootstrap = {
    node: { id: 'gateway-0', cluster: 'gateway' },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 15000 } } },
    dynamic_resources: {
      ads_config: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }] },
      cds_config: { ads: {}, resource_api_version: 'V3' },
      lds_config: { ads: {}, resource_api_version: 'V3' },
    },
    static_resources: {
      clusters: [{
        name: 'xds', type: 'STRICT_DNS', connect_timeout: '1s',
        typed_extension_protocol_options: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
            explicit_http_config: { http2_protocol_options: {} },
          },
        },
        load_assignment: { cluster_name: 'xds', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'tower', port_value: 18000 } } } }] }] },
      }],
    },
  };
  const ok = decodeAndValidate('envoy.config.bootstrap.v3.Bootstrap', bootstrap);
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.errors));
  const bad = decodeAndValidate('envoy.config.bootstrap.v3.Bootstrap', { ...bootstrap, dynamic_resources: { ...bootstrap.dynamic_resources, ads_config: { api_type: 'GRPC', grpc_servces: [] } } });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.deepEqual(bad.errors.map((e) => e.path), ['dynamic_resources.ads_config.grpc_servces']);
  const unknown = decodeAndValidate('envoy.config.bootstrap.v3.Nope', {});
  assert.equal(unknown.ok, false);
});

test('mutated resources never throw: each result is ok or lists errors', () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const junk = [null, 0, -1, 1.5, 2 ** 40, '', 'x', '5s', true, [], [1], {}, { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '1s' }, '__proto__'];
  const mutate = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => (rand() < 0.15 ? junk[Math.floor(rand() * junk.length)] : mutate(x)));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[rand() < 0.03 ? `${k}_` : k] = rand() < 0.15 ? junk[Math.floor(rand() * junk.length)] : mutate(x);
      return o;
    }
    return v;
  };
  let failed = 0;
  for (let i = 0; i < 300; i++) {
    const [url, base] = ([[TypeUrl.Cluster, edsCluster], [TypeUrl.Listener, listener], [TypeUrl.ClusterLoadAssignment, assignment('a')]] as const)[i % 3];
    const json = mutate(base) as Record<string, unknown>;
    const name = String(json.name ?? json.cluster_name ?? 'n');
    const r = compileResource(url, name, json);
    if (!r.ok) {
      failed++;
      assert.ok(r.errors.length > 0);
      for (const e of r.errors) assert.ok(!e.message.startsWith('internal error'), `${e.path}: ${e.message}`);
    }
  }
  assert.ok(failed > 100, `mutations should mostly be rejected (${failed})`);
});

test('compileResource writes each body straight into its Resource: same bytes as a separate encode, across a reused writer', async () => {
  const { makeResource } = await import('../../src/xds/resource');
  const Cla = messageType('envoy.config.endpoint.v3.ClusterLoadAssignment');
  // Sizes from a few bytes to well past the writer's initial buffer, big after small and small after big.
  const sizes = [1, 40, 2, 300, 0, 5, 1000, 1];
  const compiled = sizes.map((n, i) => {
    const json = assignment(`c${i}`, n);
    const r = compileResource(TypeUrl.ClusterLoadAssignment, `c${i}`, json);
    assert.ok(r.ok, `c${i}`);
    return { r, json };
  });
  compiled.forEach(({ r, json }, i) => {
    if (!r.ok) return;
    const d = decodeAndValidate('envoy.config.endpoint.v3.ClusterLoadAssignment', json);
    assert.ok(d.ok);
    if (!d.ok) return;
    const separate = Cla.encode(d.message).finish();
    assert.deepEqual(Buffer.from(r.resource.body), Buffer.from(separate), `body of c${i}`);
    const expected = makeResource(r.resource.typeUrl, r.resource.name, separate);
    assert.deepEqual(Buffer.from(r.resource.deltaResource), Buffer.from(expected.deltaResource), `delta Resource of c${i}`);
    assert.deepEqual(Buffer.from(r.resource.any), Buffer.from(expected.any));
    assert.equal(r.resource.version, expected.version);
    const back = decodeStrict(Cla, r.resource.body);
    assert.ok(back.ok);
    const lbEndpoints = (back.ok ? (back.message.endpoints as { lb_endpoints?: unknown[] }[]) : [])[0]?.lb_endpoints ?? [];
    assert.equal(lbEndpoints.length, sizes[i]);
  });
});
