import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { messageType } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { makeResource, tableOf, type Resource } from '../../src/xds/resource';
import { configDump } from '../../src/admin/config-dump';

function resource(typeUrl: string, fullName: string, obj: Record<string, unknown>): Resource {
  const t = messageType(fullName);
  const err = t.verify(obj);
  assert.equal(err, null, `${fullName}: ${err}`);
  const name = (obj.name ?? obj.cluster_name) as string;
  return makeResource(typeUrl, name, t.encode(t.fromObject(obj)).finish());
}

const cluster = resource(TypeUrl.Cluster, 'envoy.config.cluster.v3.Cluster', {
  name: 'shop/cart:http',
  type: 3, // EDS
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 2 } },
  connect_timeout: { seconds: 5 },
  transport_socket: {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      type_url: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      value: messageType('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext')
        .encode({ common_tls_context: { tls_certificates: [{ certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: 'KEY-IN-CLUSTER' } }] }, sni: 'cart' })
        .finish(),
    },
  },
});
const cla = resource(TypeUrl.ClusterLoadAssignment, 'envoy.config.endpoint.v3.ClusterLoadAssignment', {
  cluster_name: 'shop/cart:http',
  endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 8080 } } } }] }],
});
const other = makeResource(TypeUrl.ClusterLoadAssignment, 'shop/other:http', messageType('envoy.config.endpoint.v3.ClusterLoadAssignment').encode({ cluster_name: 'shop/other:http' }).finish());
const listener = resource(TypeUrl.Listener, 'envoy.config.listener.v3.Listener', {
  name: 'http-8080',
  address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
});
const secret = resource(TypeUrl.Secret, 'envoy.extensions.transport_sockets.tls.v3.Secret', {
  name: 'shop/cart-tls',
  tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_bytes: Buffer.from('SECRET-KEY') } },
});
const table = tableOf([cluster, cla, other, listener, secret]);

test('config dump groups resources like Envoy, with @type and proto3 JSON', () => {
  const dump = configDump(table) as { configs: Array<Record<string, any>> };
  assert.deepEqual(
    dump.configs.map((c) => c['@type']),
    ['ClustersConfigDump', 'EndpointsConfigDump', 'ListenersConfigDump', 'RoutesConfigDump', 'SecretsConfigDump'].map((t) => `type.googleapis.com/envoy.admin.v3.${t}`),
  );
  const [clusters, endpoints, listeners, routes, secrets] = dump.configs as [any, any, any, any, any];
  const c = clusters.dynamic_active_clusters[0];
  assert.equal(c.version_info, cluster.version);
  assert.equal(c.cluster['@type'], TypeUrl.Cluster);
  assert.equal(c.cluster.name, 'shop/cart:http');
  assert.equal(c.cluster.type, 'EDS');
  assert.equal(c.cluster.connect_timeout, '5s');
  assert.equal(c.cluster.transport_socket.typed_config['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
  assert.equal(c.cluster.transport_socket.typed_config.sni, 'cart');
  assert.deepEqual(endpoints.dynamic_endpoint_configs.map((e: any) => e.endpoint_config.cluster_name), ['shop/cart:http', 'shop/other:http']);
  assert.equal(endpoints.dynamic_endpoint_configs[0].endpoint_config.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value, 8080);
  assert.equal(listeners.dynamic_listeners[0].name, 'http-8080');
  assert.equal(listeners.dynamic_listeners[0].active_state.listener['@type'], TypeUrl.Listener);
  assert.equal(listeners.dynamic_listeners[0].active_state.version_info, listener.version);
  assert.deepEqual(routes.dynamic_route_configs, []);
  assert.equal(secrets.dynamic_active_secrets[0].name, 'shop/cart-tls');
  assert.equal(secrets.dynamic_active_secrets[0].secret.tls_certificate.certificate_chain.inline_string, 'CERT');
});

test('sensitive fields are redacted as Envoy redacts them, including inside typed_config', () => {
  const text = JSON.stringify(configDump(table));
  assert.doesNotMatch(text, /SECRET-KEY/);
  assert.doesNotMatch(text, /U0VDUkVULUtFWQ/); // base64 of SECRET-KEY
  assert.doesNotMatch(text, /KEY-IN-CLUSTER/);
  const dump = configDump(table) as { configs: any[] };
  const s = dump.configs[4].dynamic_active_secrets[0].secret;
  assert.equal(Buffer.from(s.tls_certificate.private_key.inline_bytes, 'base64').toString(), '[redacted]');
  const tls = dump.configs[0].dynamic_active_clusters[0].cluster.transport_socket.typed_config;
  assert.equal(tls.common_tls_context.tls_certificates[0].private_key.inline_string, '[redacted]');
  assert.equal(tls.common_tls_context.tls_certificates[0].certificate_chain.inline_string, 'CERT');
  // The cached bytes are untouched: redaction works on a decoded copy.
  assert.match(Buffer.from(secret.body).toString('latin1'), /SECRET-KEY/);
});

test('a client dump holds only the types and names it subscribed to; ?type filters', () => {
  const client = {
    streamId: 's1',
    node: { id: 'n', cluster: 'c', metadata: {}, userAgentName: '', userAgentVersion: '' },
    viewKey: 'v',
    variant: 'sotw' as const,
    service: 'ADS',
    connectedAt: new Date(),
    types: {
      [TypeUrl.Cluster]: { subscribed: '*' as const, sentVersion: 'v1' },
      [TypeUrl.ClusterLoadAssignment]: { subscribed: ['shop/other:http', 'missing'] },
    },
  };
  const dump = configDump(table, { client }) as { configs: any[] };
  assert.deepEqual(dump.configs.map((c) => c['@type'].split('.').pop()), ['ClustersConfigDump', 'EndpointsConfigDump']);
  assert.equal(dump.configs[0].version_info, 'v1');
  assert.deepEqual(dump.configs[1].dynamic_endpoint_configs.map((e: any) => e.endpoint_config.cluster_name), ['shop/other:http']);
  const onlyLds = configDump(table, { typeUrls: [TypeUrl.Listener] }) as { configs: any[] };
  assert.equal(onlyLds.configs.length, 1);
  assert.equal(onlyLds.configs[0].dynamic_listeners.length, 1);
});
