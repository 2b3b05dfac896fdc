/** Role builders over literal models: gateway TLS, sidecar modes, proxyless gRFC A27 rules. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildModel } from '../../src/model/model-builder';
import { roleFromFlag, roleFromNode } from '../../src/model/roles';
import type { MeshModel, ServiceModel } from '../../src/model/types';
import { translate } from '../../translators/registry';
import type { Json, ResourceSpec } from '../../translators/types';
import { translateAll } from '../../src/pipeline/translate-all';
import { inputs, service, slice } from '../model/fixtures';

const names = (specs: ResourceSpec[], typeUrl: string) => specs.filter((s) => s.typeUrl === typeUrl).map((s) => s.name).sort();
const find = (specs: ResourceSpec[], typeUrl: string, name: string): Json => {
  const s = specs.find((x) => x.typeUrl === typeUrl && x.name === name);
  assert.ok(s, `${name} not produced`);
  return s.json;
};

test('gateway: HTTPS listener terminates TLS per SNI with certificates by SDS, from a model built in code', () => {
  const src = (kind: string, name: string) => ({ kind, namespace: 'infra', name });
  const api: ServiceModel = { namespace: 'shop', name: 'api', hostname: 'api.shop.svc.cluster.local', clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'http' }], source: { kind: 'Service', namespace: 'shop', name: 'api' } };
  const model: MeshModel = {
    config: { clusterDomain: 'cluster.local' },
    services: { 'shop/api': api },
    endpoints: {},
    secrets: { 'infra/cert-a': { namespace: 'infra', name: 'cert-a', certificateChain: 'Y2VydA==', privateKey: 'a2V5', source: src('Secret', 'cert-a') } },
    gateways: [
      {
        namespace: 'infra',
        name: 'edge',
        source: src('Gateway', 'edge'),
        listeners: [
          { name: 'a', port: 443, protocol: 'HTTPS', hostname: 'a.example.com', certificateRefs: [{ namespace: 'infra', name: 'cert-a' }], path: 'spec.listeners[0]' },
          { name: 'b', port: 443, protocol: 'HTTPS', hostname: 'b.example.com', certificateRefs: [{ namespace: 'infra', name: 'missing' }], path: 'spec.listeners[1]' },
        ],
      },
    ],
    routes: [
      {
        key: 'httproute/infra/r',
        parents: [{ kind: 'gateway', gateway: { namespace: 'infra', name: 'edge' } }],
        hostnames: ['a.example.com', 'b.example.com'],
        rules: [{ matches: [{ path: { type: 'prefix', value: '/' } }], backends: [{ namespace: 'shop', name: 'api', port: 8080, weight: 1 }] }],
        source: src('HTTPRoute', 'r'),
      },
    ],
  };
  const role = roleFromNode({ metadata: { TOWER_ROLE: 'gateway', TOWER_GATEWAY: 'infra/edge' } });
  const specs = translate(model, role);
  assert.deepEqual(names(specs, TypeUrl.Listener), ['0.0.0.0_443']);
  assert.deepEqual(names(specs, TypeUrl.Secret), ['infra/cert-a']);
  assert.deepEqual(names(specs, TypeUrl.RouteConfiguration), ['https.443.a']);
  const l = find(specs, TypeUrl.Listener, '0.0.0.0_443') as { listener_filters: Json[]; filter_chains: Json[] };
  assert.equal((l.listener_filters[0] as { name: string }).name, 'envoy.filters.listener.tls_inspector');
  assert.equal(l.filter_chains.length, 1, 'the chain whose secret is missing is not emitted');
  const chain = l.filter_chains[0] as { filter_chain_match: Json; transport_socket: Json };
  assert.deepEqual(chain.filter_chain_match, { server_names: ['a.example.com'] });
  assert.deepEqual(chain.transport_socket, {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'infra/cert-a', sds_config: { ads: {}, resource_api_version: 'V3' } }], alpn_protocols: ['h2', 'http/1.1'] },
    },
  });
  assert.deepEqual(find(specs, TypeUrl.Secret, 'infra/cert-a'), { name: 'infra/cert-a', tls_certificate: { certificate_chain: { inline_bytes: 'Y2VydA==' }, private_key: { inline_bytes: 'a2V5' } } });
  assert.deepEqual((find(specs, TypeUrl.RouteConfiguration, 'https.443.a').virtual_hosts as Json[]).map((v) => v.domains), [['a.example.com']]);
  const view = [...translateAll(model, [role]).values()][0];
  assert.deepEqual(view?.errors, []);
  assert.equal(view?.table.get(TypeUrl.Secret)?.size, 1);
});

test('gateway: default (no TOWER_GATEWAY) routes Host = service FQDN on 8080; a named gateway absent from the model gets no listeners', () => {
  const { model } = buildModel(inputs(service('shop', 'web', [{ name: 'http', port: 80 }, { name: 'http-alt', port: 8081 }]), service('shop', 'db', [{ name: 'tcp', port: 5432 }])));
  const specs = translate(model, roleFromFlag('gateway'));
  assert.deepEqual(names(specs, TypeUrl.Listener), ['0.0.0.0_8080']);
  const rc = find(specs, TypeUrl.RouteConfiguration, 'http.8080');
  assert.deepEqual(rc.virtual_hosts, [{ name: 'web.shop.svc.cluster.local', domains: ['web.shop.svc.cluster.local'], routes: [{ match: { prefix: '/' }, route: { cluster: 'outbound|80||web.shop.svc.cluster.local' } }] }]);
  assert.deepEqual(names(specs, TypeUrl.Cluster), ['outbound|5432||db.shop.svc.cluster.local', 'outbound|8081||web.shop.svc.cluster.local', 'outbound|80||web.shop.svc.cluster.local']);
  assert.deepEqual(names(translate(model, roleFromFlag('gateway=infra/nope')), TypeUrl.Listener), []);
});

test('sidecar explicit: one listener on 127.0.0.1:15001, Host forms with and without port, ClusterIP:port, short name only in own namespace', () => {
  const { model } = buildModel(
    inputs(
      service('shop', 'web', [{ name: 'http', port: 80 }, { name: 'grpc', port: 9090 }], { clusterIP: '10.96.0.10' }),
      service('other', 'search', [{ name: 'http', port: 8080 }], { clusterIP: '10.96.0.20' }),
      service('shop', 'redis', [{ name: 'redis', port: 6379 }], { clusterIP: '10.96.0.30' }),
    ),
  );
  const specs = translate(model, roleFromFlag('sidecar-explicit', { namespace: 'shop' }));
  assert.deepEqual(names(specs, TypeUrl.Listener), ['explicit_outbound']);
  assert.deepEqual((find(specs, TypeUrl.Listener, 'explicit_outbound').address as Json).socket_address, { address: '127.0.0.1', port_value: 15001 });
  const vhosts = find(specs, TypeUrl.RouteConfiguration, 'explicit_outbound').virtual_hosts as { name: string; domains: string[] }[];
  assert.deepEqual(vhosts.map((v) => v.name), ['search.other.svc.cluster.local:8080', 'web.shop.svc.cluster.local:80', 'web.shop.svc.cluster.local:9090']);
  assert.deepEqual(vhosts[0]?.domains, ['search.other.svc.cluster.local', 'search.other.svc', 'search.other', 'search.other.svc.cluster.local:8080', 'search.other.svc:8080', 'search.other:8080', '10.96.0.20:8080', '10.96.0.20']);
  assert.deepEqual(vhosts[1]?.domains, ['web.shop.svc.cluster.local', 'web.shop.svc', 'web.shop', 'web', 'web.shop.svc.cluster.local:80', 'web.shop.svc:80', 'web.shop:80', 'web:80', '10.96.0.10:80', '10.96.0.10']);
  assert.deepEqual(vhosts[2]?.domains, ['web.shop.svc.cluster.local:9090', 'web.shop.svc:9090', 'web.shop:9090', 'web:9090', '10.96.0.10:9090']);
  assert.equal(names(specs, TypeUrl.Cluster).length, 4);
});

test('sidecar transparent: virtual outbound with use_original_dst, per-port listeners not bound, TCP by ClusterIP, inbound to 127.0.0.1:targetPort', () => {
  const { model } = buildModel(
    inputs(
      service('shop', 'web', [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'tcp-admin', port: 9000, targetPort: 9001 }], { clusterIP: '10.96.0.10', selector: { app: 'web' } }),
      slice('shop', 'web-1', 'web', [{ name: 'http', port: 8080 }, { name: 'tcp-admin', port: 9001 }], [{ ip: '10.1.0.1' }]),
      service('shop', 'redis', [{ name: 'redis', port: 6379 }], { clusterIP: '10.96.0.30' }),
      service('other', 'api', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.40', selector: { app: 'web' } }),
    ),
  );
  const specs = translate(model, roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'web', pod: 'x' } }));
  assert.deepEqual(names(specs, TypeUrl.Listener), ['0.0.0.0_80', '10.96.0.10_9000', '10.96.0.30_6379', 'virtualInbound', 'virtualOutbound']);
  const vo = find(specs, TypeUrl.Listener, 'virtualOutbound');
  assert.equal(vo.use_original_dst, true);
  assert.deepEqual((vo.address as Json).socket_address, { address: '0.0.0.0', port_value: 15001 });
  assert.equal(find(specs, TypeUrl.Listener, '0.0.0.0_80').bind_to_port, false);
  assert.equal(find(specs, TypeUrl.Listener, '10.96.0.30_6379').bind_to_port, false);
  const vhosts = find(specs, TypeUrl.RouteConfiguration, '80').virtual_hosts as { name: string; domains: string[] }[];
  assert.deepEqual(vhosts.map((v) => v.name), ['api.other.svc.cluster.local:80', 'web.shop.svc.cluster.local:80']);
  // inbound: only services in the sidecar's namespace selecting its labels; named targetPort resolved from endpoints
  const vi = find(specs, TypeUrl.Listener, 'virtualInbound') as { address: Json; filter_chains: { name: string; filter_chain_match?: Json; transport_socket?: Json }[] };
  assert.deepEqual(vi.address.socket_address, { address: '0.0.0.0', port_value: 15006 });
  assert.deepEqual(vi.filter_chains.map((c) => [c.name, c.filter_chain_match?.destination_port]), [['inbound|8080', 8080], ['inbound|9001', 9001], ['inbound-passthrough', undefined]]);
  assert.ok(vi.filter_chains.every((c) => c.transport_socket === undefined), 'mTLS slot is empty today');
  assert.deepEqual(find(specs, TypeUrl.Cluster, 'inbound|8080||').load_assignment, { cluster_name: 'inbound|8080||', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } } }] }] });
  const view = [...translateAll(model, [roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'web' } })]).values()][0];
  assert.deepEqual(view?.errors, []);
});

test('proxyless: listeners named by target with api_listener HCM (RDS over ADS, router last), EDS clusters, unique IP endpoints with localities', () => {
  const { model } = buildModel(
    inputs(
      service('shop', 'greeter', [{ name: 'grpc', port: 9090 }]),
      slice('shop', 'g-1', 'greeter', [{ name: 'grpc', port: 9090 }], [{ ip: '10.0.0.1', zone: 'a' }, { ip: '10.0.0.2' }]),
      slice('shop', 'g-2', 'greeter', [{ name: 'grpc', port: 9090 }], [{ ip: '10.0.0.1', zone: 'a' }]),
    ),
  );
  const noNs = translate(model, roleFromNode({ user_agent_name: 'grpc-node-js' }));
  assert.deepEqual(names(noNs, TypeUrl.Listener), ['greeter.shop.svc.cluster.local:9090', 'greeter.shop.svc:9090', 'greeter.shop:9090']);
  const specs = translate(model, roleFromFlag('proxyless', { namespace: 'shop' }));
  assert.deepEqual(names(specs, TypeUrl.Listener), ['greeter.shop.svc.cluster.local:9090', 'greeter.shop.svc:9090', 'greeter.shop:9090', 'greeter:9090']);
  for (const name of names(specs, TypeUrl.Listener)) {
    const l = find(specs, TypeUrl.Listener, name) as { api_listener: { api_listener: { rds: { config_source: Json; route_config_name: string }; http_filters: { name: string }[]; access_log?: unknown } } };
    const hcm = l.api_listener.api_listener;
    assert.deepEqual(hcm.rds.config_source, { ads: {}, resource_api_version: 'V3' });
    assert.equal(hcm.rds.route_config_name, 'greeter.shop.svc.cluster.local:9090');
    assert.equal(hcm.http_filters.at(-1)?.name, 'envoy.filters.http.router');
    assert.equal(hcm.http_filters.filter((f) => f.name === 'envoy.filters.http.router').length, 1);
    assert.equal(hcm.access_log, undefined);
  }
  const rc = find(specs, TypeUrl.RouteConfiguration, 'greeter.shop.svc.cluster.local:9090') as { virtual_hosts: { domains: string[] }[] };
  assert.deepEqual(rc.virtual_hosts[0]?.domains, ['greeter.shop.svc.cluster.local:9090', 'greeter.shop.svc:9090', 'greeter.shop:9090', 'greeter:9090']);
  const cluster = find(specs, TypeUrl.Cluster, 'outbound|9090||greeter.shop.svc.cluster.local');
  assert.equal(cluster.type, 'EDS');
  assert.deepEqual((cluster.eds_cluster_config as { eds_config: Json }).eds_config, { ads: {}, resource_api_version: 'V3' });
  const cla = find(specs, TypeUrl.ClusterLoadAssignment, 'outbound|9090||greeter.shop.svc.cluster.local') as { endpoints: { locality: Json; priority?: number; lb_endpoints: { endpoint: { address: { socket_address: { address: string } } } }[] }[] };
  const addrs = cla.endpoints.flatMap((e) => e.lb_endpoints.map((l) => l.endpoint.address.socket_address.address));
  assert.deepEqual(addrs.sort(), ['10.0.0.1', '10.0.0.2']);
  assert.ok(cla.endpoints.every((e) => e.locality !== undefined && (e.priority ?? 0) === 0));
  const view = [...translateAll(model, [roleFromFlag('proxyless', { namespace: 'shop' })]).values()][0];
  assert.deepEqual(view?.errors, []);
  assert.equal(view?.table.get(TypeUrl.Listener)?.size, 4);
});
