/** SecurityPolicy builders (jwt_authn, JWKS cluster, RBAC) against literal expected objects, each compiled; and where each role puts them. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource } from '../../src/envoy/compile';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildModel } from '../../src/model/model-builder';
import { roleFromFlag } from '../../src/model/roles';
import type { AuthorizationModel, JwtModel } from '../../src/model/types';
import { hcmFilter } from '../../translators/http-connection-manager';
import { jwksCluster, jwtAuthnFilter } from '../../translators/jwt-authn';
import { listener } from '../../translators/listener';
import { rbacFilters } from '../../translators/rbac';
import { translate } from '../../translators/registry';
import type { Json, ResourceSpec } from '../../translators/types';
import { inputs, service } from '../model/fixtures';

const any = (t: string, f: Json) => ({ '@type': `type.googleapis.com/${t}`, ...f });
const jwtType = 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
const rbacType = 'envoy.extensions.filters.http.rbac.v3.RBAC';

function assertHcmCompiles(httpFilters: Json[]): void {
  const json = listener({ name: 'l', address: '0.0.0.0', port: 8080, filterChains: [{ filters: [hcmFilter({ statPrefix: 's', routes: { rds: 'r' }, observability: false, httpFilters })] }] });
  const r = compileResource(TypeUrl.Listener, 'l', json);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
}

const jwt: JwtModel = {
  providers: [
    { name: 'remote', issuer: 'https://i/', audiences: ['shop'], remoteJwks: { uri: 'https://keys.example.com/jwks.json', host: 'keys.example.com', port: 443, cacheDurationMs: 600_000 }, claimToHeaders: [{ claim: 'sub', header: 'x-user' }] },
    { name: 'local', localJwks: '{"keys":[]}', forward: true },
  ],
  rules: [
    { path: { type: 'exact', value: '/healthz' }, optional: true },
    { path: { type: 'prefix', value: '/api/' }, providers: ['remote'] },
  ],
};

test('jwtAuthnFilter: providers (remote JWKS through its cluster, inline JWKS), requirements per rule; compiles in an HCM', () => {
  const f = jwtAuthnFilter(jwt);
  assert.deepEqual(f, {
    name: 'envoy.filters.http.jwt_authn',
    typed_config: any(jwtType, {
      providers: {
        remote: {
          issuer: 'https://i/',
          audiences: ['shop'],
          remote_jwks: { http_uri: { uri: 'https://keys.example.com/jwks.json', cluster: 'jwks|keys.example.com:443', timeout: '5s' }, cache_duration: '600s' },
          claim_to_headers: [{ header_name: 'x-user', claim_name: 'sub' }],
          payload_in_metadata: 'jwt_payload',
        },
        local: { local_jwks: { inline_string: '{"keys":[]}' }, forward: true, payload_in_metadata: 'jwt_payload' },
      },
      rules: [
        { match: { path: '/healthz' }, requires: { requires_any: { requirements: [{ provider_name: 'remote' }, { provider_name: 'local' }, { allow_missing: {} }] } } },
        { match: { prefix: '/api/' }, requires: { provider_name: 'remote' } },
      ],
    }),
  });
  assertHcmCompiles([f]);
  const all = jwtAuthnFilter({ providers: [{ name: 'local', localJwks: '{"keys":[]}' }] });
  assert.deepEqual((all.typed_config as Json).rules, [{ match: { prefix: '/' }, requires: { provider_name: 'local' } }], 'no rules: a token on every path');
});

test('jwksCluster: LOGICAL_DNS to the JWKS host with TLS (SNI = host); compiles', () => {
  const c = jwksCluster({ host: 'keys.example.com', port: 443 });
  assert.deepEqual(c, {
    name: 'jwks|keys.example.com:443',
    type: 'LOGICAL_DNS',
    dns_lookup_family: 'V4_PREFERRED',
    connect_timeout: '10s',
    lb_policy: 'ROUND_ROBIN',
    load_assignment: { cluster_name: 'jwks|keys.example.com:443', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'keys.example.com', port_value: 443 } } } }] }] },
    transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: any('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', { sni: 'keys.example.com' }) },
  });
  const r = compileResource(TypeUrl.Cluster, c.name as string, c);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
});

test('rbacFilters: DENY filter then ALLOW filter; SPIFFE principals, claims via jwt_authn metadata, paths, methods, headers; compiles', () => {
  const a: AuthorizationModel = {
    defaultAction: 'deny',
    rules: [
      { name: 'api', action: 'allow', principals: [{ namespace: 'shop', serviceAccount: 'api' }, { namespace: 'ops' }], paths: [{ type: 'prefix', value: '/api/' }, { type: 'exact', value: '/x' }], methods: ['POST'] },
      { name: 'admins', action: 'allow', jwtClaims: [{ name: 'realm.roles', values: ['admin'] }] },
      { name: 'no-debug', action: 'deny', headers: [{ name: 'x-debug', values: ['1', 'true'] }], paths: [{ type: 'regex', value: '/d/.*' }] },
    ],
  };
  const fs = rbacFilters(a, 'cluster.local');
  const claimPath = [{ key: 'jwt_payload' }, { key: 'realm' }, { key: 'roles' }];
  assert.deepEqual(fs, [
    {
      name: 'envoy.filters.http.rbac.deny',
      typed_config: any(rbacType, {
        rules: {
          action: 'DENY',
          policies: {
            'no-debug': {
              permissions: [
                {
                  and_rules: {
                    rules: [
                      { url_path: { path: { safe_regex: { regex: '/d/.*' } } } },
                      { or_rules: { rules: [{ header: { name: 'x-debug', string_match: { exact: '1' } } }, { header: { name: 'x-debug', string_match: { exact: 'true' } } }] } },
                    ],
                  },
                },
              ],
              principals: [{ any: true }],
            },
          },
        },
      }),
    },
    {
      name: 'envoy.filters.http.rbac',
      typed_config: any(rbacType, {
        rules: {
          action: 'ALLOW',
          policies: {
            api: {
              permissions: [
                {
                  and_rules: {
                    rules: [
                      { or_rules: { rules: [{ url_path: { path: { exact: '/api' } } }, { url_path: { path: { prefix: '/api/' } } }, { url_path: { path: { exact: '/x' } } }] } },
                      { header: { name: ':method', string_match: { exact: 'POST' } } },
                    ],
                  },
                },
              ],
              principals: [
                {
                  or_ids: {
                    ids: [
                      { authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/shop/sa/api' } } },
                      { authenticated: { principal_name: { prefix: 'spiffe://cluster.local/ns/ops/sa/' } } },
                    ],
                  },
                },
              ],
            },
            admins: {
              permissions: [{ any: true }],
              principals: [
                {
                  or_ids: {
                    ids: [
                      { metadata: { filter: 'envoy.filters.http.jwt_authn', path: claimPath, value: { string_match: { exact: 'admin' } } } },
                      { metadata: { filter: 'envoy.filters.http.jwt_authn', path: claimPath, value: { list_match: { one_of: { string_match: { exact: 'admin' } } } } } },
                    ],
                  },
                },
              ],
            },
          },
        },
      }),
    },
  ]);
  assertHcmCompiles([jwtAuthnFilter(jwt), ...fs]);
});

test('rbacFilters: defaultAction Allow needs no ALLOW filter; nothing to deny means no filter at all', () => {
  const allowRule = { name: 'a', action: 'allow' as const, methods: ['GET'] };
  assert.deepEqual(rbacFilters({ defaultAction: 'allow', rules: [allowRule] }, 'cluster.local'), []);
  const deny = rbacFilters({ defaultAction: 'deny', rules: [] }, 'cluster.local');
  assert.deepEqual(deny, [{ name: 'envoy.filters.http.rbac', typed_config: any(rbacType, { rules: { action: 'ALLOW', policies: {} } }) }], 'deny all: an ALLOW filter with no policy');
});

function sp(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'sp', namespace: 'shop' }, spec };
}
const gateway = { apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' }, spec: { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }, { name: 'admin', port: 9000, protocol: 'HTTP' }] } };
const payments = service('shop', 'payments', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.9', selector: { app: 'pay' } });
const jwtSpec = { providers: [{ name: 'auth0', remoteJWKS: { uri: 'https://keys.example.com/jwks.json' } }] };

function filterNames(specs: ResourceSpec[], listenerName: string): string[][] {
  const l = specs.find((s) => s.typeUrl === TypeUrl.Listener && s.name === listenerName);
  assert.ok(l, listenerName);
  return (l.json.filter_chains as Json[]).map((c) => ((((c.filters as Json[])[0] as Json).typed_config as Json).http_filters as Json[] | undefined ?? []).map((f) => f.name as string));
}

test('gateway: a Gateway target (sectionName = listener) puts jwt_authn then RBAC before the router, and the JWKS cluster in CDS', () => {
  const { model, errors } = buildModel(inputs(payments, gateway, sp({ targetRefs: [{ kind: 'Gateway', name: 'edge', sectionName: 'http' }], jwt: jwtSpec, authorization: { defaultAction: 'Deny', rules: [{ action: 'Allow', to: { methods: ['GET'] } }] } })));
  assert.deepEqual(errors, []);
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  assert.deepEqual(filterNames(out, '0.0.0.0_8080'), [['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac', 'envoy.filters.http.router']]);
  assert.deepEqual(filterNames(out, '0.0.0.0_9000'), [['envoy.filters.http.router']], 'another listener is untouched');
  assert.ok(out.some((s) => s.typeUrl === TypeUrl.Cluster && s.name === 'jwks|keys.example.com:443'), 'the cluster remote_jwks names exists');
  for (const s of out) assert.ok(compileResource(s.typeUrl, s.name, s.json).ok, s.name);
  const sidecar = translate(model, roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'pay' } }));
  assert.ok(!sidecar.some((s) => s.name.startsWith('jwks|')), 'a Gateway policy does not reach sidecars');
});

test('sidecar inbound: a Service target adds the filters to that service port\'s inbound chain only; outbound, other workloads and proxyless unchanged', () => {
  const { model } = buildModel(inputs(payments, sp({ targetRefs: [{ kind: 'Service', name: 'payments' }], jwt: jwtSpec, authorization: { defaultAction: 'Deny' } })));
  const { model: plain } = buildModel(inputs(payments));
  const role = roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'pay' } });
  const out = translate(model, role);
  assert.deepEqual(filterNames(out, 'virtualInbound'), [['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac', 'envoy.filters.http.router'], []]);
  assert.ok(out.some((s) => s.name === 'jwks|keys.example.com:443'));
  for (const s of out) assert.ok(compileResource(s.typeUrl, s.name, s.json).ok, s.name);
  const same = (a: ResourceSpec[], b: ResourceSpec[]) => assert.deepEqual(a.map((s) => [s.name, s.json]), b.map((s) => [s.name, s.json]));
  same(out.filter((s) => s.name !== 'virtualInbound' && !s.name.startsWith('jwks|')), translate(plain, role).filter((s) => s.name !== 'virtualInbound'));
  const other = roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'web' } });
  same(translate(model, other), translate(plain, other));
  const proxyless = roleFromFlag('proxyless', { namespace: 'shop' });
  same(translate(model, proxyless), translate(plain, proxyless));
});
