import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkCrossReferences, pruneUntilConsistent, CrossRefTable } from '../../src/envoy/cross-refs';
import { TypeUrl } from '../../src/envoy/type-urls';
import { compileResource } from '../../src/envoy/compile';
import { assignment, edsCluster, listener, routeConfiguration } from './fixtures/resources';

function cluster(name: string, service?: string): Record<string, unknown> {
  return { ...edsCluster, name, eds_cluster_config: { eds_config: { ads: {} }, ...(service ? { service_name: service } : {}) } };
}

/** A consistent table, built from canonical JSON (as the pipeline does). */
function table(): { clusters: Map<string, unknown>; assignments: Map<string, unknown>; listeners: Map<string, unknown>; routes: Map<string, unknown>; secrets: Map<string, unknown> } {
  const canon = (url: string, name: string, json: unknown) => {
    const r = compileResource(url, name, json);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.json;
  };
  const clusters = new Map<string, unknown>();
  for (const n of ['reviews-v1', 'reviews-v2', 'productpage', 'productpage-shadow']) clusters.set(n, canon(TypeUrl.Cluster, n, cluster(n)));
  const assignments = new Map<string, unknown>();
  for (const n of clusters.keys()) assignments.set(n, canon(TypeUrl.ClusterLoadAssignment, n, assignment(n)));
  return {
    clusters,
    assignments,
    listeners: new Map([[listener.name, canon(TypeUrl.Listener, listener.name, listener)]]),
    routes: new Map([[routeConfiguration.name, canon(TypeUrl.RouteConfiguration, routeConfiguration.name, routeConfiguration)]]),
    secrets: new Map(),
  };
}

test('a consistent table has no errors', () => {
  assert.deepEqual(checkCrossReferences(table()), []);
});

test('route actions must name existing clusters (cluster, weighted, mirror)', () => {
  const t = table();
  t.clusters.delete('reviews-v2');
  t.clusters.delete('productpage-shadow');
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => [e.typeUrl, e.name, e.path]), [
    [TypeUrl.RouteConfiguration, 'http-8080', 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name'],
    [TypeUrl.RouteConfiguration, 'http-8080', 'virtual_hosts[0].routes[1].route.request_mirror_policies[0].cluster'],
  ]);
  assert.match(errors[0].message, /cluster "reviews-v2" does not exist/);
  t.clusters.delete('productpage');
  assert.ok(checkCrossReferences(t).some((e) => e.path === 'virtual_hosts[0].routes[1].route.cluster'));
});

test('listener RDS names must exist among routes', () => {
  const t = table();
  t.routes.clear();
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => [e.typeUrl, e.name, e.path]), [[TypeUrl.Listener, 'gateway-http-8080', 'filter_chains[0].filters[0].typed_config.rds.route_config_name']]);
});

test('EDS clusters need an assignment named by service_name, else by the cluster name', () => {
  const t = table();
  t.clusters.set('ratings', cluster('ratings', 'ratings-svc'));
  t.clusters.set('details', cluster('details'));
  t.assignments.set('ratings', assignment('ratings')); // wrong name: service_name wins
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => [e.name, e.path]), [['ratings', 'eds_cluster_config.service_name'], ['details', 'name']]);
  assert.match(errors[0].message, /ClusterLoadAssignment "ratings-svc"/);
});

test('SDS secret names referenced by transport sockets must exist', () => {
  const t = table();
  const tls = {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'gateway-cert', sds_config: { ads: {}, resource_api_version: 'V3' } }] },
    },
  };
  const l = { ...listener, filter_chains: [{ ...listener.filter_chains[0], transport_socket: tls }] };
  const r = compileResource(TypeUrl.Listener, l.name, l);
  assert.ok(r.ok);
  if (r.ok) t.listeners.set(l.name, r.json);
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => e.path), ['filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name']);
  t.secrets.set('gateway-cert', { name: 'gateway-cert' });
  assert.deepEqual(checkCrossReferences(t), []);
});

test('name fields must match table keys (no duplicate or mismatched names)', () => {
  const t = table();
  t.clusters.set('alias', t.clusters.get('productpage'));
  const errors = checkCrossReferences(t);
  assert.ok(errors.some((e) => e.typeUrl === TypeUrl.Cluster && e.name === 'alias' && e.path === 'name'));
});

test('duplicate domains and virtual host names in one RouteConfiguration', () => {
  const t = table();
  const rc = structuredClone(routeConfiguration) as any; // any: test edits nested JSON
  rc.virtual_hosts.push({ name: 'bookinfo', domains: ['other.example.com', 'BOOKINFO.example.com'], routes: [] });
  t.routes.set(rc.name, rc);
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => e.path), ['virtual_hosts[1].name', 'virtual_hosts[1].domains[1]']);
  assert.match(errors[1].message, /already used by virtual_hosts\[0\]/);
});

test('filter chains with identical (or overlapping) matching rules', () => {
  const t = table();
  const l = structuredClone(listener) as any; // any: test edits nested JSON
  const chain = l.filter_chains[0];
  l.filter_chains = [
    { ...chain, filter_chain_match: { server_names: ['a.example.com'] } },
    { ...chain, filter_chain_match: { server_names: ['b.example.com', 'A.example.com'] } },
    { ...chain, filter_chain_match: { server_names: ['c.example.com'] } },
  ];
  t.listeners.set(l.name, l);
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => e.path), ['filter_chains[1].filter_chain_match']);
  assert.match(errors[0].message, /filter_chains\[0\] and filter_chains\[1\] have the same matching rules/);
  l.filter_chains = [chain, { ...chain }];
  assert.deepEqual(checkCrossReferences(t).map((e) => e.path), ['filter_chains[1].filter_chain_match']);
});

test('duplicate listener addresses', () => {
  const t = table();
  t.listeners.set('zz-second', { ...(t.listeners.get(listener.name) as object), name: 'zz-second' });
  const errors = checkCrossReferences(t);
  assert.deepEqual(errors.map((e) => [e.name, e.path]), [['zz-second', 'address']]);
});

test('pruneUntilConsistent drops offenders and re-checks until clean', () => {
  const t = table();
  t.assignments.delete('reviews-v1'); // → cluster reviews-v1 dropped → route http-8080 dropped → listener dropped
  const { table: pruned, dropped } = pruneUntilConsistent(t as CrossRefTable);
  assert.deepEqual(dropped.map((e) => [e.typeUrl, e.name]), [
    [TypeUrl.Cluster, 'reviews-v1'],
    [TypeUrl.RouteConfiguration, 'http-8080'],
    [TypeUrl.Listener, 'gateway-http-8080'],
  ]);
  assert.deepEqual(checkCrossReferences(pruned), []);
  assert.equal(pruned.clusters.size, 3);
  assert.equal(t.clusters.size, 4, 'the input table is not modified');
});

test('an http_uri (e.g. jwt_authn remote JWKS) must name an existing cluster', () => {
  const t = table();
  const l = structuredClone(t.listeners.get(listener.name)) as { filter_chains: { filters: { typed_config: { http_filters: unknown[] } }[] }[] };
  const hcm = l.filter_chains[0].filters[0].typed_config;
  const jwt = {
    name: 'envoy.filters.http.jwt_authn',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      providers: { idp: { issuer: 'https://idp.example.com', remote_jwks: { http_uri: { uri: 'https://idp.example.com/jwks', cluster: 'jwks|idp.example.com:443', timeout: '5s' } } } },
    },
  };
  hcm.http_filters = [jwt, ...hcm.http_filters];
  t.listeners.set(listener.name, l);
  const errors = checkCrossReferences(t);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].typeUrl, TypeUrl.Listener);
  assert.match(errors[0].path, /http_filters\[0\]\.typed_config\.providers\.idp\.remote_jwks\.http_uri\.cluster$/);
  assert.match(errors[0].message, /cluster "jwks\|idp.example.com:443" does not exist/);
  t.clusters.set('jwks|idp.example.com:443', { name: 'jwks|idp.example.com:443' });
  assert.deepEqual(checkCrossReferences(t), []);
});
