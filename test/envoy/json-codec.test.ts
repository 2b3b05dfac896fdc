import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as protobuf from 'protobufjs';
import { messageType } from '../../src/envoy/proto-root';
import { decodeStrict, encodeMessage, fromJson, toJson, ProtoObject } from '../../src/envoy/json-codec';
import { FieldError } from '../../src/envoy/field-error';
import { assignment, edsCluster, listener, routeConfiguration, secret } from './fixtures/resources';

const Cluster = messageType('envoy.config.cluster.v3.Cluster');
const Listener = messageType('envoy.config.listener.v3.Listener');
const RouteConfiguration = messageType('envoy.config.route.v3.RouteConfiguration');
const Cla = messageType('envoy.config.endpoint.v3.ClusterLoadAssignment');
const Secret = messageType('envoy.extensions.transport_sockets.tls.v3.Secret');

function decoded(type: protobuf.Type, json: unknown): ProtoObject {
  const r = fromJson(type, json);
  if (!r.ok) assert.fail(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.message;
}

function errorsOf(type: protobuf.Type, json: unknown): FieldError[] {
  const r = fromJson(type, json);
  assert.equal(r.ok, false, 'expected decoding to fail');
  return r.ok ? [] : r.errors;
}

/** toJson(fromJson(x)) is stable, and survives bytes (encode, strict decode) unchanged. */
function roundTrip(type: protobuf.Type, json: unknown): unknown {
  const first = toJson(type, decoded(type, json));
  const second = toJson(type, decoded(type, first));
  assert.deepEqual(second, first);
  const back = decodeStrict(type, encodeMessage(type, decoded(type, first)));
  assert.ok(back.ok);
  if (back.ok) assert.deepEqual(toJson(type, back.message), first);
  return first;
}

test('Cluster with EDS, circuit breakers and an Any in typed_extension_protocol_options round-trips', () => {
  const out = roundTrip(Cluster, edsCluster) as Record<string, any>; // any: test reads nested JSON
  assert.equal(out.connect_timeout, '0.250s');
  assert.equal(out.type, 'EDS');
  assert.equal(out.circuit_breakers.thresholds[1].priority, 'HIGH');
  // DEFAULT is enum value 0: proto3 JSON omits defaults.
  assert.equal(out.circuit_breakers.thresholds[0].priority, undefined);
  const opts = out.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
  assert.equal(opts['@type'], 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions');
  assert.equal(opts.explicit_http_config.http2_protocol_options.max_concurrent_streams, 100);
  assert.equal(opts.common_http_protocol_options.idle_timeout, '3600s');
  assert.deepEqual(out.metadata.filter_metadata.istio, { default: true, none: null, services: [{ host: 'reviews', port: 8080 }], weight: 0.5 });
  assert.equal(out.per_connection_buffer_limit_bytes, 32768);
});

test('Listener with an HCM Any holding a router filter Any round-trips', () => {
  const out = roundTrip(Listener, listener) as Record<string, any>; // any: test reads nested JSON
  const hcm = out.filter_chains[0].filters[0].typed_config;
  assert.equal(hcm['@type'], 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
  assert.equal(hcm.rds.route_config_name, 'http-8080');
  assert.deepEqual(hcm.http_filters[0].typed_config, { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', suppress_envoy_headers: true });
});

test('RouteConfiguration with weighted clusters, retry policy and a regex match round-trips', () => {
  const out = roundTrip(RouteConfiguration, routeConfiguration) as Record<string, any>; // any: test reads nested JSON
  const r0 = out.virtual_hosts[0].routes[0];
  assert.equal(r0.match.safe_regex.regex, '^/reviews/[0-9]+$');
  assert.deepEqual(r0.route.weighted_clusters.clusters.map((c: { weight: number }) => c.weight), [90, 10]);
  assert.equal(r0.route.retry_policy.per_try_timeout, '2.500s');
  assert.equal(r0.route.retry_policy.retry_back_off.base_interval, '0.025s');
  assert.equal(out.virtual_hosts[0].routes[1].response_headers_to_add[0].append_action, 'OVERWRITE_IF_EXISTS_OR_ADD');
});

test('ClusterLoadAssignment and Secret round-trip; bytes stay base64', () => {
  const cla = roundTrip(Cla, assignment('reviews', 3)) as Record<string, any>; // any: test reads nested JSON
  assert.equal(cla.endpoints[0].lb_endpoints.length, 3);
  assert.equal(cla.endpoints[0].lb_endpoints[2].endpoint.address.socket_address.address, '10.0.0.3');
  assert.equal(cla.policy.overprovisioning_factor, 140);
  const s = roundTrip(Secret, secret) as Record<string, any>; // any: test reads nested JSON
  assert.equal(Buffer.from(s.tls_certificate.private_key.inline_bytes, 'base64').toString(), 'not really a key');
});

test('lowerCamelCase names, enum numbers and int64 strings are accepted; output is canonical snake_case', () => {
  const out = toJson(Cluster, decoded(Cluster, {
    name: 'c', type: 3, connectTimeout: '1s', lbPolicy: 'RING_HASH',
    ringHashLbConfig: { minimumRingSize: '1024', maximumRingSize: 4096 },
  })) as Record<string, any>; // any: test reads nested JSON
  assert.equal(out.type, 'EDS');
  assert.equal(out.connect_timeout, '1s');
  assert.deepEqual(out.ring_hash_lb_config, { minimum_ring_size: '1024', maximum_ring_size: '4096' });
  const numericString = fromJson(Cluster, { name: 'c', type: '3', lb_policy: 'toString' });
  assert.equal(numericString.ok, false);
  if (!numericString.ok) assert.deepEqual(numericString.errors.map((e) => e.path), ['type', 'lb_policy']);
  const big = toJson(Cluster, decoded(Cluster, { name: 'c', ring_hash_lb_config: { maximum_ring_size: '18446744073709551615' } })) as Record<string, any>; // any: test reads nested JSON
  assert.equal(big.ring_hash_lb_config.maximum_ring_size, '18446744073709551615');
});

test('unknown field: error names the full path', () => {
  const bad = structuredClone(listener) as Record<string, any>; // any: test edits nested JSON
  bad.filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.no_such_field = 1;
  const errors = errorsOf(Listener, bad);
  assert.deepEqual(errors.map((e) => e.path), ['filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.no_such_field']);
  assert.match(errors[0].message, /unknown field "no_such_field" in envoy\.extensions\.filters\.http\.router\.v3\.Router/);
});

test('Any with an unknown or missing @type is rejected', () => {
  const bad = structuredClone(listener) as Record<string, any>; // any: test edits nested JSON
  bad.filter_chains[0].filters[0].typed_config['@type'] = 'type.googleapis.com/envoy.extensions.filters.network.nope.v3.Nope';
  const e1 = errorsOf(Listener, bad);
  assert.equal(e1[0].path, 'filter_chains[0].filters[0].typed_config.@type');
  assert.match(e1[0].message, /not in Envoy's loaded API: "type\.googleapis\.com\/envoy\.extensions\.filters\.network\.nope\.v3\.Nope"/);
  delete bad.filter_chains[0].filters[0].typed_config['@type'];
  const e2 = errorsOf(Listener, bad);
  assert.match(e2[0].message, /Any without "@type"/);
});

test('two members of one oneof are rejected', () => {
  const errors = errorsOf(RouteConfiguration, {
    name: 'r',
    virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/', path: '/x' }, route: { cluster: 'a' } }] }],
  });
  assert.equal(errors.length, 1);
  assert.equal(errors[0].path, 'virtual_hosts[0].routes[0].match.path');
  assert.match(errors[0].message, /oneof "path_specifier" has more than one member set: "prefix" and "path"/);
});

test('wrong JSON types are rejected, and every error is collected', () => {
  const errors = errorsOf(Cluster, {
    name: 7,
    connect_timeout: 5,
    lb_policy: 'FASTEST',
    per_connection_buffer_limit_bytes: -1,
    circuit_breakers: { thresholds: { max_connections: 1 } },
    load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { port_value: '80x' } } } }] }] },
  });
  const byPath = new Map(errors.map((e) => [e.path, e.message]));
  assert.match(byPath.get('name') ?? '', /expected a string, got a number/);
  assert.match(byPath.get('connect_timeout') ?? '', /expected a duration string like "5s"/);
  assert.match(byPath.get('lb_policy') ?? '', /unknown value "FASTEST" of enum envoy\.config\.cluster\.v3\.Cluster\.LbPolicy/);
  assert.match(byPath.get('per_connection_buffer_limit_bytes') ?? '', /out of range for uint32/);
  assert.match(byPath.get('circuit_breakers.thresholds') ?? '', /expected an array, got an object/);
  assert.match(byPath.get('load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value') ?? '', /expected an integer \(uint32\)/);
  assert.equal(errors.length, 6);
});

test('decodeStrict rejects unknown fields in bytes, also inside an Any payload', () => {
  const body = encodeMessage(Cluster, decoded(Cluster, edsCluster));
  // Field 999 (varint) appended at top level.
  const withUnknown = Buffer.concat([Buffer.from(body), Buffer.from(protobuf.Writer.create().uint32((999 << 3) | 0).uint32(1).finish())]);
  const r = decodeStrict(Cluster, withUnknown);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.errors[0].message, /unknown field number 999 \(wire type 0\) in envoy\.config\.cluster\.v3\.Cluster/);

  // An unknown field inside the HCM carried in an Any.
  const Hcm = messageType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
  const hcmBytes = Buffer.concat([Buffer.from(Hcm.encode({ stat_prefix: 'x' }).finish()), Buffer.from(protobuf.Writer.create().uint32((4000 << 3) | 2).string('junk').finish())]);
  const l = { name: 'l', filter_chains: [{ filters: [{ name: 'hcm', typed_config: { type_url: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', value: hcmBytes } }] }] };
  const r2 = decodeStrict(Listener, Listener.encode(l).finish());
  assert.equal(r2.ok, false);
  if (!r2.ok) {
    assert.equal(r2.errors[0].path, 'filter_chains[0].filters[0].typed_config');
    assert.match(r2.errors[0].message, /unknown field number 4000/);
  }
  assert.ok(decodeStrict(Cluster, body).ok);
});

test('durations, timestamps and wrappers use their canonical JSON forms', () => {
  const Retry = messageType('envoy.config.route.v3.RetryPolicy');
  const out = toJson(Retry, decoded(Retry, { per_try_timeout: '1.5s', num_retries: 0, retry_back_off: { base_interval: '0.000001s', max_interval: '-0s' } })) as Record<string, any>; // any: test reads nested JSON
  assert.equal(out.per_try_timeout, '1.500s');
  assert.equal(out.num_retries, 0, 'a wrapper set to its default is still present');
  assert.equal(out.retry_back_off.base_interval, '0.000001s');
  assert.equal(out.retry_back_off.max_interval, '0s');
  const Status = messageType('envoy.admin.v3.UpdateFailureState');
  const ts = toJson(Status, decoded(Status, { last_update_attempt: '2024-02-03T04:05:06.5+01:00' })) as Record<string, any>; // any: test reads nested JSON
  assert.equal(ts.last_update_attempt, '2024-02-03T03:05:06.500Z');
});
