import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource } from '../../src/envoy/compile';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { EndpointModel } from '../../src/model/types';
import { buildModel } from '../../src/model/model-builder';
import { edsCluster, staticCluster } from '../../translators/cluster';
import { clusterLoadAssignment } from '../../translators/cluster-load-assignment';
import { hcmFilter, httpConnectionManager } from '../../translators/http-connection-manager';
import { apiListener, listener } from '../../translators/listener';
import { routeConfiguration, routesForRules, virtualHost } from '../../translators/route-configuration';
import { openTelemetryTracing } from '../../translators/tracing';
import { inputs, service } from '../model/fixtures';

const src = { kind: 'EndpointSlice', namespace: 'shop', name: 's' };
const ep = (address: string, priority: 0 | 1, zone?: string): EndpointModel => ({ address, port: 8080, priority, ...(zone ? { zone } : {}), source: src });

function assertCompiles(typeUrl: string, name: string, json: unknown): void {
  const r = compileResource(typeUrl, name, json);
  assert.ok(r.ok, r.ok ? '' : `${name}: ${JSON.stringify(r.errors)}`);
}

test('edsCluster: EDS over ADS; HTTP/2 upstream only for grpc/http2 ports', () => {
  const name = 'outbound|9090||g.shop.svc.cluster.local';
  assert.deepEqual(edsCluster(name, 'grpc'), {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: '10s',
    lb_policy: 'ROUND_ROBIN',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
  });
  assert.equal('typed_extension_protocol_options' in edsCluster('x', 'http'), false);
  assert.equal('typed_extension_protocol_options' in edsCluster('x', 'tcp'), false);
  assertCompiles(TypeUrl.Cluster, name, edsCluster(name, 'grpc'));
  assertCompiles(TypeUrl.Cluster, 'inbound|8080||', staticCluster('inbound|8080||', '127.0.0.1', 8080, 'http2'));
});

test('clusterLoadAssignment: localities by zone, ready at priority 0, serving-terminating at 1, weights = counts', () => {
  const json = clusterLoadAssignment('c', [ep('10.0.0.1', 0, 'b'), ep('10.0.0.2', 0, 'a'), ep('10.0.0.3', 1, 'a'), ep('10.0.0.4', 0)]);
  const sa = (a: string) => ({ endpoint: { address: { socket_address: { address: a, port_value: 8080 } } } });
  assert.deepEqual(json, {
    cluster_name: 'c',
    endpoints: [
      { locality: {}, lb_endpoints: [sa('10.0.0.4')], load_balancing_weight: 1 },
      { locality: { zone: 'a' }, lb_endpoints: [sa('10.0.0.2')], load_balancing_weight: 1 },
      { locality: { zone: 'b' }, lb_endpoints: [sa('10.0.0.1')], load_balancing_weight: 1 },
      { locality: { zone: 'a' }, lb_endpoints: [sa('10.0.0.3')], load_balancing_weight: 1, priority: 1 },
    ],
  });
  assertCompiles(TypeUrl.ClusterLoadAssignment, 'c', json);
});

test('clusterLoadAssignment: with no ready endpoint the serving ones take priority 0 (no gaps); none at all is empty', () => {
  const json = clusterLoadAssignment('c', [ep('10.0.0.3', 1, 'a'), ep('10.0.0.5', 1, 'a')]) as { endpoints: { priority?: number; lb_endpoints: unknown[] }[] };
  assert.equal(json.endpoints.length, 1);
  assert.equal(json.endpoints[0]?.priority, undefined);
  assert.equal(json.endpoints[0]?.lb_endpoints.length, 2);
  assert.deepEqual(clusterLoadAssignment('c', []), { cluster_name: 'c', endpoints: [] });
});

test('listener and HCM: RDS over ADS, router last, JSON access log, request ids, edge options', () => {
  const hcm = httpConnectionManager({ statPrefix: 'gw_8080', routes: { rds: 'http.8080' }, observability: true, edge: true }) as Record<string, unknown>;
  assert.equal(hcm['@type'], 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
  assert.deepEqual(hcm.rds, { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: 'http.8080' });
  assert.deepEqual(hcm.http_filters, [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }]);
  assert.equal(hcm.generate_request_id, true);
  assert.equal(hcm.use_remote_address, true);
  assert.equal(hcm.strip_any_host_port, true);
  const log = (hcm.access_log as { name: string; typed_config: { log_format: { json_format: Record<string, string> } } }[])[0];
  assert.equal(log?.name, 'envoy.access_loggers.stdout');
  for (const f of ['method', 'path', 'status', 'response_flags', 'upstream_cluster', 'duration_ms', 'request_id', 'authority', 'upstream_host']) {
    assert.ok(log?.typed_config.log_format.json_format[f], f);
  }
  const l = listener({ name: '0.0.0.0_80', address: '0.0.0.0', port: 80, bindToPort: false, direction: 'OUTBOUND', filterChains: [{ filters: [hcmFilter({ statPrefix: 's', routes: { rds: '80' }, observability: true })] }] });
  assert.deepEqual(Object.keys(l), ['name', 'address', 'filter_chains', 'bind_to_port', 'traffic_direction']);
  assert.equal(l.bind_to_port, false);
  assertCompiles(TypeUrl.Listener, '0.0.0.0_80', l);
  const quiet = httpConnectionManager({ statPrefix: 'p', routes: { rds: 'r' }, observability: false }) as Record<string, unknown>;
  assert.equal('access_log' in quiet, false);
  assertCompiles(TypeUrl.Listener, 'svc:80', apiListener('svc:80', quiet));
});

test('routes: rules from the model, exact before prefix, longest prefix first, weighted clusters, 500 when no backend exists', () => {
  const { model } = buildModel(inputs(service('shop', 'a', [{ name: 'http', port: 80 }]), service('shop', 'b', [{ name: 'http', port: 80 }])));
  const routes = routesForRules(
    [
      { matches: [{ path: { type: 'prefix', value: '/' } }], backends: [{ namespace: 'shop', name: 'a', port: 80, weight: 1 }] },
      { matches: [{ path: { type: 'prefix', value: '/api' } }, { path: { type: 'exact', value: '/health' } }], backends: [{ namespace: 'shop', name: 'a', port: 80, weight: 3 }, { namespace: 'shop', name: 'b', port: 80, weight: 1 }] },
      { matches: [{ path: { type: 'prefix', value: '/gone' } }], backends: [{ namespace: 'shop', name: 'ghost', port: 80, weight: 1 }] },
    ],
    model,
  );
  const weighted = { weighted_clusters: { clusters: [{ name: 'outbound|80||a.shop.svc.cluster.local', weight: 3 }, { name: 'outbound|80||b.shop.svc.cluster.local', weight: 1 }] } };
  assert.deepEqual(routes, [
    { match: { path: '/health' }, route: weighted },
    { match: { path_separated_prefix: '/gone' }, direct_response: { status: 500 } },
    { match: { path_separated_prefix: '/api' }, route: weighted },
    { match: { prefix: '/' }, route: { cluster: 'outbound|80||a.shop.svc.cluster.local' } },
  ]);
  const rc = routeConfiguration('r', [virtualHost('a', ['a.example.com'], routes)]);
  assert.deepEqual(rc, { name: 'r', virtual_hosts: [{ name: 'a', domains: ['a.example.com'], routes }] });
  assertCompiles(TypeUrl.RouteConfiguration, 'r', rc);
});

test('tracing: OpenTelemetry to the collector cluster only when the model names an existing collector', () => {
  const objs = inputs(service('obs', 'otel', [{ name: 'grpc-otlp', port: 4317 }]));
  const withTracing = buildModel(objs, { clusterDomain: 'cluster.local', tracing: { collector: { namespace: 'obs', name: 'otel', port: 4317 }, samplingPercent: 10 } }).model;
  assert.deepEqual(openTelemetryTracing(withTracing, 'gateway_default'), {
    provider: {
      name: 'envoy.tracers.opentelemetry',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
        grpc_service: { envoy_grpc: { cluster_name: 'outbound|4317||otel.obs.svc.cluster.local' }, timeout: '0.250s' },
        service_name: 'gateway_default',
      },
    },
    random_sampling: { value: 10 },
  });
  assert.equal(openTelemetryTracing(buildModel(objs).model, 'x'), undefined);
  const missing = buildModel(objs, { clusterDomain: 'cluster.local', tracing: { collector: { namespace: 'obs', name: 'otel', port: 9999 } } }).model;
  assert.equal(openTelemetryTracing(missing, 'x'), undefined);
  const hcm = hcmFilter({ statPrefix: 's', routes: { rds: 'r' }, observability: true, tracing: openTelemetryTracing(withTracing, 'svc') });
  assertCompiles(TypeUrl.Listener, 'l', listener({ name: 'l', address: '0.0.0.0', port: 1, filterChains: [{ filters: [hcm] }] }));
});
