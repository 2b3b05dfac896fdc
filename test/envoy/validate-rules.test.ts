import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as protobuf from 'protobufjs';
import { messageType } from '../../src/envoy/proto-root';
import { fromJson } from '../../src/envoy/json-codec';
import { validateMessage } from '../../src/envoy/validate-rules';
import { FieldError } from '../../src/envoy/field-error';
import { assignment, edsCluster, listener, routeConfiguration, secret } from './fixtures/resources';

const Cluster = messageType('envoy.config.cluster.v3.Cluster');
const Listener = messageType('envoy.config.listener.v3.Listener');
const RouteConfiguration = messageType('envoy.config.route.v3.RouteConfiguration');
const Cla = messageType('envoy.config.endpoint.v3.ClusterLoadAssignment');
const Secret = messageType('envoy.extensions.transport_sockets.tls.v3.Secret');

function violations(type: protobuf.Type, json: unknown): FieldError[] {
  const r = fromJson(type, json);
  if (!r.ok) assert.fail(`decode failed: ${JSON.stringify(r.errors)}`);
  return validateMessage(type, r.message);
}

/** Asserts exactly one violation, at `path`, whose message matches `re`. */
function expectOne(type: protobuf.Type, json: unknown, path: string, re: RegExp): void {
  const errors = violations(type, json);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].path, path);
  assert.match(errors[0].message, re);
}

function route(match: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match, route: { cluster: 'c' }, ...extra }] }] };
}

test('valid fixtures have no violations', () => {
  assert.deepEqual(violations(Cluster, edsCluster), []);
  assert.deepEqual(violations(Listener, listener), []);
  assert.deepEqual(violations(RouteConfiguration, routeConfiguration), []);
  assert.deepEqual(violations(Cla, assignment('reviews', 5)), []);
  assert.deepEqual(violations(Secret, secret), []);
});

test('string.min_len (unset implicit string counts as empty)', () => {
  expectOne(Cluster, { ...edsCluster, name: '' }, 'name', /^must be at least 1 characters long \(validate\.rules string\.min_len\)$/);
  const cla = assignment('x', 2) as { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: Record<string, unknown> } } }[] }[] };
  delete cla.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.address;
  expectOne(Cla, cla, 'endpoints[0].lb_endpoints[1].endpoint.address.socket_address.address', /string\.min_len/);
});

test('uint32 range: lte on a scalar, gte on a wrapper, lte on priority', () => {
  const a = assignment('x', 3) as any; // any: test edits nested JSON
  a.endpoints[0].lb_endpoints[2].endpoint.address.socket_address.port_value = 65536;
  a.endpoints[0].lb_endpoints[0].load_balancing_weight = 0;
  a.endpoints[0].priority = 129;
  const errors = violations(Cla, a);
  assert.deepEqual(errors.map((e) => `${e.path}: ${e.message}`).sort(), [
    'endpoints[0].lb_endpoints[0].load_balancing_weight: must be >= 1 (validate.rules uint32.gte)',
    'endpoints[0].lb_endpoints[2].endpoint.address.socket_address.port_value: must be <= 65535 (validate.rules uint32.lte)',
    'endpoints[0].priority: must be <= 128 (validate.rules uint32.lte)',
  ]);
});

test('duration.gt', () => {
  expectOne(Cluster, { ...edsCluster, connect_timeout: '0s' }, 'connect_timeout', /^must be > 0s \(validate\.rules duration\.gt\)$/);
  expectOne(Cluster, { ...edsCluster, dns_refresh_rate: '0.0005s' }, 'dns_refresh_rate', /must be > 0\.001s \(validate\.rules duration\.gt\)/);
});

test('repeated.min_items', () => {
  const rc = structuredClone(routeConfiguration) as any; // any: test edits nested JSON
  rc.virtual_hosts[0].domains = [];
  expectOne(RouteConfiguration, rc, 'virtual_hosts[0].domains', /^must have at least 1 items \(validate\.rules repeated\.min_items\)$/);
});

test('enum.defined_only', () => {
  expectOne(Cluster, { ...edsCluster, lb_policy: 4 }, 'lb_policy', /^4 is not a defined value of envoy\.config\.cluster\.v3\.Cluster\.LbPolicy \(validate\.rules enum\.defined_only\)$/);
});

test('message.required', () => {
  const rc = route(undefined);
  expectOne(RouteConfiguration, rc, 'virtual_hosts[0].routes[0].match', /^is required \(validate\.rules message\.required\)$/);
});

test('oneof required (validate.required)', () => {
  const rc = route({ prefix: '/' });
  (rc.virtual_hosts as any)[0].routes[0].route = { timeout: '1s' }; // any: test edits nested JSON
  expectOne(RouteConfiguration, rc, 'virtual_hosts[0].routes[0].route.cluster_specifier', /one of "cluster", "cluster_header", .* must be set \(validate\.required oneof cluster_specifier\)/);
});

test('well_known_regex HTTP_HEADER_NAME on repeated items', () => {
  const rc = structuredClone(routeConfiguration) as any; // any: test edits nested JSON
  rc.virtual_hosts[0].request_headers_to_remove = ['x-ok', 'bad\nname'];
  expectOne(RouteConfiguration, rc, 'virtual_hosts[0].request_headers_to_remove[1]', /must be an HTTP header name \(validate\.rules string\.well_known_regex HTTP_HEADER_NAME \(strict: false\)\)/);
});

test('map keys (map.keys.string.min_len)', () => {
  expectOne(Cluster, { ...edsCluster, metadata: { filter_metadata: { '': { a: 1 } } } }, 'metadata.filter_metadata[""]', /^map key: must be at least 1 characters long \(validate\.rules string\.min_len\)$/);
});

test('any.required', () => {
  const Tec = messageType('envoy.config.core.v3.TypedExtensionConfig');
  expectOne(Tec, { name: 'x' }, 'typed_config', /^is required \(validate\.rules any\.required\)$/);
});

test('rules are applied inside Any payloads (HCM → router), with full paths', () => {
  const l = structuredClone(listener) as any; // any: test edits nested JSON
  l.filter_chains[0].filters[0].typed_config.rds.route_config_name = 'r';
  l.filter_chains[0].filters[0].typed_config.stat_prefix = '';
  expectOne(Listener, l, 'filter_chains[0].filters[0].typed_config.stat_prefix', /string\.min_len/);
});

test('safe_regex must be RE2: backreferences and lookahead are rejected', () => {
  expectOne(RouteConfiguration, route({ safe_regex: { regex: '(a)\\1' } }), 'virtual_hosts[0].routes[0].match.safe_regex.regex', /^not RE2: invalid escape sequence: \\1$/);
  expectOne(RouteConfiguration, route({ safe_regex: { regex: '/api(?=/v1)' } }), 'virtual_hosts[0].routes[0].match.safe_regex.regex', /^not RE2: invalid perl operator: \(\?=/);
  expectOne(RouteConfiguration, route({ safe_regex: { regex: `^/${'a'.repeat(1100)}$` } }), 'virtual_hosts[0].routes[0].match.safe_regex.regex', /at most 1024/);
  assert.deepEqual(violations(RouteConfiguration, route({ safe_regex: { regex: '^/api/v[0-9]+/(users|groups)/[^/]+$' } })), []);
});

test('string.pattern (RE2 from the proto annotation)', () => {
  expectOne(RouteConfiguration, route({ path_separated_prefix: '/api/' }), 'virtual_hosts[0].routes[0].match.path_separated_prefix', /must match the pattern "\^\[\^\?#\]\+\[\^\?#\/\]\$" \(validate\.rules string\.pattern\)/);
});

test('HCM: router must be the last HTTP filter', () => {
  const l = structuredClone(listener) as any; // any: test edits nested JSON
  const hcm = l.filter_chains[0].filters[0].typed_config;
  hcm.http_filters.push({ name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } });
  const errors = violations(Listener, l);
  assert.deepEqual(errors.map((e) => e.path).sort(), [
    'filter_chains[0].filters[0].typed_config.http_filters[0]',
    'filter_chains[0].filters[0].typed_config.http_filters[1]',
  ]);
  assert.match(errors.find((e) => e.path.endsWith('[1]'))?.message ?? '', /last HTTP filter must be the router/);
});

test('every violation is reported, not just the first', () => {
  const errors = violations(Cluster, { ...edsCluster, name: '', connect_timeout: '0s', lb_policy: 42 });
  assert.deepEqual(errors.map((e) => e.path).sort(), ['connect_timeout', 'lb_policy', 'name']);
});

test('messages decoded from bytes (decodeStrict) validate the same as decoded JSON', async () => {
  const { decodeStrict, encodeMessage } = await import('../../src/envoy/json-codec');
  const a = assignment('x', 2) as any; // any: test edits nested JSON
  a.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value = 70000;
  a.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.protocol = 42;
  const r = fromJson(Cla, a);
  assert.ok(r.ok);
  if (!r.ok) return;
  const fromJsonErrors = validateMessage(Cla, r.message);
  const back = decodeStrict(Cla, encodeMessage(Cla, r.message));
  assert.ok(back.ok);
  if (!back.ok) return;
  assert.deepEqual(validateMessage(Cla, back.message), fromJsonErrors);
  assert.deepEqual(fromJsonErrors.map((e) => e.path).sort(), [
    'endpoints[0].lb_endpoints[0].endpoint.address.socket_address.protocol',
    'endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value',
  ]);
  const l = decodeStrict(Listener, encodeMessage(Listener, (fromJson(Listener, listener) as { message: Record<string, unknown> }).message));
  assert.ok(l.ok);
  if (l.ok) assert.deepEqual(validateMessage(Listener, l.message), []);
});

test('fields Envoy disallows by default are rejected (envoy.annotations.disallowed_by_default)', () => {
  const rc = route({ prefix: '/' });
  (rc.virtual_hosts as any)[0].routes[0].route.rate_limits = [{ // any: test edits nested JSON
    actions: [{ dynamic_metadata: { descriptor_key: 'k', metadata_key: { key: 'a', path: [{ key: 'b' }] } } }],
  }];
  expectOne(RouteConfiguration, rc, 'virtual_hosts[0].routes[0].route.rate_limits[0].actions[0].dynamic_metadata', /rejected by Envoy by default \(envoy\.annotations\.disallowed_by_default\)/);
});
