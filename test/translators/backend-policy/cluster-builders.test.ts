/** BackendPolicy cluster and route builders (hash policies, lb config, health checks, upstream TLS) against literal expected objects; each also compiles. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource } from '../../../src/envoy/compile';
import { TypeUrl } from '../../../src/envoy/type-urls';
import { buildModel } from '../../../src/model/model-builder';
import type { BackendPolicyModel, ServiceModel } from '../../../src/model/types';
import { outboundClusterSpecs } from '../../../translators/cluster';
import { clusterPolicyFields, lbFields } from '../../../translators/cluster-policy';
import { hashPolicy, routeHashPolicy, tcpProxyHashPolicy } from '../../../translators/hash-policy';
import { healthChecks, statusRanges } from '../../../translators/health-check';
import { ruleAction } from '../../../translators/route-action';
import { caSecretName, upstreamTlsTransportSocket } from '../../../translators/upstream-tls-context';
import { inputs, service } from '../../model/fixtures';

const src = { kind: 'BackendPolicy', name: 'p', namespace: 'shop' };
const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

function compiles(typeUrl: string, name: string, json: unknown): void {
  const r = compileResource(typeUrl, name, json);
  assert.ok(r.ok, r.ok ? '' : `${name}: ${JSON.stringify(r.errors)}`);
}

test('hashPolicy: header, cookie with TTL (Envoy generates it) and path, source IP', () => {
  assert.deepEqual(hashPolicy({ type: 'header', name: 'x-user' }), { header: { header_name: 'x-user' } });
  assert.deepEqual(hashPolicy({ type: 'cookie', name: 'sid', ttlMs: 3_600_000, path: '/' }), { cookie: { name: 'sid', ttl: '3600s', path: '/' } });
  assert.deepEqual(hashPolicy({ type: 'cookie', name: 'sid' }), { cookie: { name: 'sid' } });
  assert.deepEqual(hashPolicy({ type: 'source-ip' }), { connection_properties: { source_ip: true } });
});

test('lbFields: RING_HASH and MAGLEV with explicit bounds; proxyless takes RING_HASH for header hashes only', () => {
  const ring: BackendPolicyModel = { lb: 'ring-hash', hash: { type: 'header', name: 'x-user' }, source: src };
  const maglev: BackendPolicyModel = { lb: 'maglev', hash: { type: 'cookie', name: 'sid' }, source: src };
  const maglevHeader: BackendPolicyModel = { lb: 'maglev', hash: { type: 'header', name: 'x-user' }, source: src };
  assert.deepEqual(lbFields(ring, 'envoy'), { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: '1024', maximum_ring_size: '8388608' } });
  assert.deepEqual(lbFields(maglev, 'envoy'), { lb_policy: 'MAGLEV', maglev_lb_config: { table_size: '65537' } });
  assert.deepEqual(lbFields(ring, 'proxyless'), { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: '1024', maximum_ring_size: '8388608', hash_function: 'XX_HASH' } });
  assert.deepEqual(lbFields(maglevHeader, 'proxyless'), lbFields(ring, 'proxyless'), 'gRPC has no Maglev: ring hash on the same header');
  assert.deepEqual(lbFields(maglev, 'proxyless'), {}, 'cookie hashing does not apply to gRPC: the default ROUND_ROBIN stays');
  assert.deepEqual(lbFields({ lb: 'least-request', source: src }, 'proxyless'), {});
});

test('healthChecks: HTTP with merged status ranges and HTTP/2 codec; gRPC with service name', () => {
  assert.deepEqual(statusRanges([204, 200, 201, 202, 200]), [{ start: '200', end: '203' }, { start: '204', end: '205' }]);
  assert.deepEqual(healthChecks({ intervalMs: 5000, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 3, http: { path: '/healthz', host: 'a.b', method: 'HEAD', expectedStatuses: [200] } }, true), [
    { timeout: '0.500s', interval: '5s', healthy_threshold: 2, unhealthy_threshold: 3, http_health_check: { path: '/healthz', host: 'a.b', method: 'HEAD', expected_statuses: [{ start: '200', end: '201' }], codec_client_type: 'HTTP2' } },
  ]);
  assert.deepEqual(healthChecks({ intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3, grpc: { service: 'helloworld.Greeter' } }, true, 'g.shop.svc.cluster.local'), [
    { timeout: '1s', interval: '1s', healthy_threshold: 1, unhealthy_threshold: 3, grpc_health_check: { service_name: 'helloworld.Greeter', authority: 'g.shop.svc.cluster.local' } },
  ]);
  assert.deepEqual(healthChecks({ intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3, http: { path: '/' } }, false, 'a.shop.svc.cluster.local'), [
    { timeout: '1s', interval: '1s', healthy_threshold: 1, unhealthy_threshold: 3, http_health_check: { path: '/', host: 'a.shop.svc.cluster.local' } },
  ], 'the Service hostname, not the cluster name, is the default Host');
  const p: BackendPolicyModel = { healthCheck: { intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3, grpc: {} }, source: src };
  assert.ok(clusterPolicyFields(p, 'envoy').health_checks);
  assert.equal(clusterPolicyFields(p, 'proxyless').health_checks, undefined, 'gRPC clients ignore health_checks');
});

test('upstreamTlsTransportSocket: system CA with default SNI and DNS SAN; CA by SDS with SANs inline; ALPN h2', () => {
  assert.deepEqual(upstreamTlsTransportSocket({ trust: { kind: 'system' } }, 'api.shop.svc.cluster.local', 'c', true), {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: 'api.shop.svc.cluster.local',
      common_tls_context: {
        validation_context: { trusted_ca: { filename: '/etc/ssl/certs/ca-certificates.crt' }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'api.shop.svc.cluster.local' } }] },
        alpn_protocols: ['h2'],
      },
    },
  });
  const refs = { kind: 'refs' as const, refs: [{ kind: 'Secret' as const, namespace: 'shop', name: 'ca' }] };
  assert.deepEqual(upstreamTlsTransportSocket({ sni: 'x.example.com', subjectAltNames: [{ type: 'uri', value: 'spiffe://e/x' }], trust: refs }, 'ignored', 'outbound|443||x', false), {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: 'x.example.com',
      common_tls_context: {
        combined_validation_context: {
          default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://e/x' } }] },
          validation_context_sds_secret_config: { name: 'ca/outbound|443||x', sds_config: { ads: {}, resource_api_version: 'V3' } },
        },
      },
    },
  });
});

const specs = (s: ServiceModel, flavor?: 'envoy' | 'proxyless') => outboundClusterSpecs(s, s.ports[0] as ServiceModel['ports'][number], flavor);

function svcWith(policy: BackendPolicyModel | undefined, protocol: 'http' | 'grpc' = 'http'): ServiceModel {
  return {
    namespace: 'shop',
    name: 'api',
    hostname: 'api.shop.svc.cluster.local',
    ports: [{ name: 'p', port: 443, targetPort: 8443, protocol }],
    source: { kind: 'Service', name: 'api', namespace: 'shop' },
    ...(policy ? { backendPolicies: { '*': policy } } : {}),
  };
}

test('outboundClusterSpecs: TLS with a resolved CA bundle also serves the validation Secret; unresolved serves none; proxyless gets no TLS', () => {
  const tls = { trust: { kind: 'refs' as const, refs: [{ kind: 'Secret' as const, namespace: 'shop', name: 'ca' }] } };
  const name = 'outbound|443||api.shop.svc.cluster.local';
  const [cluster, secret] = specs(svcWith({ tls: { ...tls, caBundle: pem }, source: src }));
  assert.equal(secret?.typeUrl, TypeUrl.Secret);
  assert.equal(secret?.name, caSecretName(name));
  assert.deepEqual(secret?.json, { name: `ca/${name}`, validation_context: { trusted_ca: { inline_bytes: pem } } });
  assert.ok(cluster?.json.transport_socket);
  compiles(TypeUrl.Cluster, name, cluster?.json);
  compiles(TypeUrl.Secret, secret?.name ?? '', secret?.json);
  assert.equal(specs(svcWith({ tls, source: src })).length, 1, 'no bundle resolved: no Secret');
  const [pl, ...rest] = specs(svcWith({ tls: { ...tls, caBundle: pem }, source: src }), 'proxyless');
  assert.equal(pl?.json.transport_socket, undefined);
  assert.equal(rest.length, 0);
  const [grpc] = specs(svcWith({ lb: 'ring-hash', hash: { type: 'header', name: 'x-user' }, healthCheck: { intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3, http: { path: '/' } }, tls: { trust: { kind: 'system' } }, source: src }, 'grpc'));
  compiles(TypeUrl.Cluster, name, grpc?.json);
  const socket = grpc?.json.transport_socket as { typed_config: { common_tls_context: { alpn_protocols?: string[] } } };
  assert.deepEqual(socket.typed_config.common_tls_context.alpn_protocols, ['h2'], 'grpc ports speak h2 over TLS');
  assert.equal((grpc?.json.health_checks as { http_health_check: { codec_client_type?: string } }[])[0]?.http_health_check.codec_client_type, 'HTTP2');
});

test('routes to a hashing Service carry its hash policy (the first hashing backend of a split); proxyless only header hashes', () => {
  const policy = (name: string, hash: Record<string, unknown>) => ({
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'BackendPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { targetRefs: [{ kind: 'Service', name }], loadBalancer: { type: 'RingHash', consistentHash: hash } },
  });
  const { model, errors } = buildModel(
    inputs(
      service('shop', 'plain', [{ name: 'http', port: 80 }]),
      service('shop', 'byheader', [{ name: 'http', port: 80 }]),
      service('shop', 'byip', [{ name: 'http', port: 80 }]),
      policy('byheader', { type: 'Header', header: { name: 'X-User' } }),
      policy('byip', { type: 'SourceIP' }),
    ),
  );
  assert.deepEqual(errors, []);
  const b = (name: string, weight = 1) => ({ namespace: 'shop', name, port: 80, weight });
  const split = { matches: [], backends: [b('plain'), b('byip', 0), b('byheader'), b('byip')] };
  assert.deepEqual(routeHashPolicy(split, model, 'envoy'), { hash_policy: [{ header: { header_name: 'x-user' } }] }, 'weight-0 backends are skipped');
  assert.deepEqual(routeHashPolicy({ matches: [], backends: [b('byip'), b('byheader')] }, model, 'envoy'), { hash_policy: [{ connection_properties: { source_ip: true } }] });
  assert.deepEqual(routeHashPolicy({ matches: [], backends: [b('byip'), b('byheader')] }, model, 'proxyless'), { hash_policy: [{ header: { header_name: 'x-user' } }] });
  assert.deepEqual(routeHashPolicy({ matches: [], backends: [b('plain')] }, model, 'envoy'), {});
  const action = ruleAction({ matches: [], backends: [b('byip')] }, model, 'envoy');
  assert.deepEqual(action, { route: { cluster: 'outbound|80||byip.shop.svc.cluster.local', hash_policy: [{ connection_properties: { source_ip: true } }] } });
  assert.deepEqual(ruleAction({ matches: [], backends: [b('byip')] }, model, 'proxyless'), { route: { cluster: 'outbound|80||byip.shop.svc.cluster.local' } });
  assert.deepEqual(tcpProxyHashPolicy(model, b('byip')), { hash_policy: [{ source_ip: {} }] });
  assert.deepEqual(tcpProxyHashPolicy(model, b('byheader')), {}, 'header hashing needs HTTP');
  const tcp = { name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 's', cluster: 'c', ...tcpProxyHashPolicy(model, b('byip')) } };
  compiles(TypeUrl.Listener, 'l', { name: 'l', address: { socket_address: { address: '10.0.0.1', port_value: 80 } }, filter_chains: [{ filters: [tcp] }] });
});
