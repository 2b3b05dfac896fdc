/** Per-route SecurityPolicy (RoutePolicy targets): builders against literal objects, compiled; precedence over Gateway-level policies; sidecar outbound. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource } from '../../src/envoy/compile';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildModel } from '../../src/model/model-builder';
import { roleFromFlag } from '../../src/model/roles';
import type { AuthorizationModel, JwtModel, MeshModel } from '../../src/model/types';
import { translate } from '../../translators/registry';
import { hcmSecurity, jwtRulesForRoute, pathRelation, rulesForCaller } from '../../translators/security-filters';
import type { Json, ResourceSpec } from '../../translators/types';
import { inputs, service } from '../model/fixtures';

const any = (t: string, f: Json = {}) => ({ '@type': `type.googleapis.com/${t}`, ...f });
const perRouteJwt = 'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig';
const rbacPerRoute = 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute';
const ns = 'shop';

function meta(name: string, kind: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind, metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z' }, spec };
}
const svc = service(ns, 'api', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.5', selector: { app: 'api' } });
const gateway = meta('edge', 'Gateway', { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] });
const backend = [{ name: 'api', port: 80 }];
const edgeRoutes = meta('edge-routes', 'RoutePolicy', {
  parentRefs: [{ name: 'edge' }],
  hostnames: ['shop.example.com'],
  rules: [
    { name: 'admin', matches: [{ path: { value: '/admin' } }], backendRefs: backend },
    { name: 'api', matches: [{ path: { value: '/api' } }], backendRefs: backend },
  ],
});
const localJwks = '{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0"}]}';
const gwJwt = meta('gw-jwt', 'SecurityPolicy', { targetRefs: [{ kind: 'Gateway', name: 'edge' }], jwt: { providers: [{ name: 'corp', localJWKS: { inline: localJwks } }] } });
const adminAuthz = meta('admin-authz', 'SecurityPolicy', {
  targetRefs: [{ kind: 'RoutePolicy', name: 'edge-routes', sectionName: 'admin' }],
  authorization: { defaultAction: 'Deny', rules: [{ name: 'get-only', action: 'Allow', to: { methods: ['GET'] } }] },
});

function byName(out: readonly ResourceSpec[], typeUrl: string, name: string): Json {
  const r = out.find((x) => x.typeUrl === typeUrl && x.name === name);
  assert.ok(r, `${typeUrl} ${name} missing`);
  return r.json;
}

function routesOf(rc: Json): Json[] {
  return ((rc.virtual_hosts as Json[])[0]?.routes as Json[]) ?? [];
}

function filtersOf(l: Json): Json[] {
  const hcm = ((l.filter_chains as Json[])[0]?.filters as Json[])[0]?.typed_config as Json;
  return hcm.http_filters as Json[];
}

function compiles(out: readonly ResourceSpec[]): void {
  for (const r of out) {
    const c = compileResource(r.typeUrl, r.name, r.json);
    assert.ok(c.ok, c.ok ? '' : `${r.name}: ${JSON.stringify(c.errors)}`);
  }
}

test('pathRelation: prefix/exact covers, inside, disjoint; regexes unknown', () => {
  assert.equal(pathRelation({ type: 'prefix', value: '/' }, { type: 'prefix', value: '/api' }), 'covers');
  assert.equal(pathRelation({ type: 'prefix', value: '/api/v1' }, { type: 'prefix', value: '/api' }), 'inside');
  assert.equal(pathRelation({ type: 'exact', value: '/api/x' }, { type: 'prefix', value: '/api' }), 'inside');
  assert.equal(pathRelation({ type: 'exact', value: '/api' }, { type: 'exact', value: '/api' }), 'covers');
  assert.equal(pathRelation({ type: 'prefix', value: '/b' }, { type: 'exact', value: '/api' }), 'disjoint');
  assert.equal(pathRelation({ type: 'prefix', value: '/api/v1' }, { type: 'exact', value: '/api' }), 'disjoint');
  assert.equal(pathRelation({ type: 'regex', value: '/a.*' }, { type: 'prefix', value: '/b' }), 'unknown');
});

test('jwtRulesForRoute: sub-paths of the route get narrower routes first; the first covering rule decides the rest; none = no token', () => {
  const jwt: JwtModel = {
    providers: [{ name: 'p', localJwks: localJwks }],
    rules: [
      { path: { type: 'exact', value: '/api/health' }, optional: true },
      { path: { type: 'prefix', value: '/api/admin' } },
      { path: { type: 'prefix', value: '/api' } },
    ],
  };
  assert.deepEqual(jwtRulesForRoute(jwt, { type: 'prefix', value: '/api' }), [
    { path: { type: 'exact', value: '/api/health' }, rule: 0 },
    { path: { type: 'prefix', value: '/api/admin' }, rule: 1 },
    { rule: 2 },
  ]);
  assert.deepEqual(jwtRulesForRoute(jwt, { type: 'prefix', value: '/other' }), [{ rule: undefined }]);
  assert.deepEqual(jwtRulesForRoute(jwt, { type: 'exact', value: '/api/health' }), [{ rule: 0 }]);
  assert.deepEqual(jwtRulesForRoute({ providers: jwt.providers }, { type: 'prefix', value: '/x' }), [{ rule: 'all' }]);
});

test('rulesForCaller: principals are decided statically on the caller side (kept without principals, or removed)', () => {
  const a: AuthorizationModel = {
    defaultAction: 'deny',
    rules: [
      { name: 'ns', action: 'allow', principals: [{ namespace: 'shop' }], methods: ['GET'] },
      { name: 'sa', action: 'allow', principals: [{ namespace: 'shop', serviceAccount: 'web' }] },
      { name: 'other', action: 'deny', principals: [{ namespace: 'other' }] },
      { name: 'path', action: 'deny', paths: [{ type: 'prefix', value: '/x' }] },
    ],
  };
  assert.deepEqual(rulesForCaller(a, { namespace: 'shop' }), {
    defaultAction: 'deny',
    rules: [
      { name: 'ns', action: 'allow', methods: ['GET'] },
      { name: 'path', action: 'deny', paths: [{ type: 'prefix', value: '/x' }] },
    ],
  });
  assert.deepEqual(rulesForCaller(a, { namespace: 'shop', serviceAccount: 'web' }).rules.map((r) => r.name), ['ns', 'sa', 'path']);
});

test('hcmSecurity without route-level policies is the listener-level filters alone', () => {
  const { model } = buildModel(inputs(svc, gateway, edgeRoutes, gwJwt));
  const p = model.securityPolicies?.[0];
  const s = hcmSecurity(p, model.routes.flatMap((r) => r.rules), model);
  assert.deepEqual(s.filters.map((f) => f.name), ['envoy.filters.http.jwt_authn']);
  assert.equal(model.routes.some((r) => r.rules.some((rule) => s.perRoute.has(rule))), false);
});

test('gateway: a RoutePolicy-rule policy replaces the Gateway-level one on exactly that rule\'s routes; the other rule keeps the Gateway JWT', () => {
  const { model, errors } = buildModel(inputs(svc, gateway, edgeRoutes, gwJwt, adminAuthz));
  assert.deepEqual(errors, []);
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  compiles(out);
  assert.deepEqual(filtersOf(byName(out, TypeUrl.Listener, '0.0.0.0_8080')).map((f) => [f.name, Object.keys(f.typed_config as Json).filter((k) => k !== '@type')]), [
    ['envoy.filters.http.jwt_authn', ['providers', 'rules']],
    ['envoy.filters.http.rbac', []],
    ['envoy.filters.http.router', []],
  ]);
  const routes = routesOf(byName(out, TypeUrl.RouteConfiguration, 'http.8080'));
  assert.deepEqual(
    routes.map((r) => [(r.match as Json).path_separated_prefix, r.typed_per_filter_config]),
    [
      [
        '/admin',
        {
          'envoy.filters.http.jwt_authn': any(perRouteJwt, { disabled: true }),
          'envoy.filters.http.rbac': any(rbacPerRoute, {
            rbac: { rules: { action: 'ALLOW', policies: { 'get-only': { permissions: [{ header: { name: ':method', string_match: { exact: 'GET' } } }], principals: [{ any: true }] } } } },
          }),
        },
      ],
      ['/api', undefined],
    ],
  );
});

test('gateway: a whole-RoutePolicy policy covers every rule; a rule-level one beats it on its rule; JWT requirements by requirement_map', () => {
  const wholeJwt = meta('whole', 'SecurityPolicy', {
    targetRefs: [{ kind: 'RoutePolicy', name: 'edge-routes' }],
    jwt: { providers: [{ name: 'team', localJWKS: { inline: localJwks } }], rules: [{ path: { type: 'Exact', value: '/api/ping' }, optional: true }, { path: { value: '/' } }] },
  });
  const { model } = buildModel(inputs(svc, gateway, edgeRoutes, wholeJwt, adminAuthz));
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  compiles(out);
  const jwtFilter = filtersOf(byName(out, TypeUrl.Listener, '0.0.0.0_8080'))[0] as Json;
  assert.deepEqual(jwtFilter.typed_config, {
    ...any('envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication'),
    providers: { 'shop/whole/team': { local_jwks: { inline_string: localJwks }, payload_in_metadata: 'jwt_payload' } },
    requirement_map: {
      'shop/whole#0': { requires_any: { requirements: [{ provider_name: 'shop/whole/team' }, { allow_missing: {} }] } },
      'shop/whole#1': { provider_name: 'shop/whole/team' },
    },
  });
  const routes = routesOf(byName(out, TypeUrl.RouteConfiguration, 'http.8080'));
  const jwtOf = (r: Json) => ((r.typed_per_filter_config as Json)['envoy.filters.http.jwt_authn'] as Json | undefined);
  assert.deepEqual(
    routes.map((r) => [r.match, jwtOf(r)]),
    [
      [{ path_separated_prefix: '/admin' }, any(perRouteJwt, { disabled: true })],
      [{ path: '/api/ping' }, any(perRouteJwt, { requirement_name: 'shop/whole#0' })],
      [{ path_separated_prefix: '/api' }, any(perRouteJwt, { requirement_name: 'shop/whole#1' })],
    ],
    'admin: its own (authorization-only) policy wins, so no JWT; /api/ping split off /api with the optional requirement',
  );
  assert.deepEqual(routes[1]?.route, routes[2]?.route, 'the narrower copy routes like the original');
});

test('a Gateway-level-only model is unchanged by the per-route machinery (no per-route config on any route)', () => {
  const { model } = buildModel(inputs(svc, gateway, edgeRoutes, gwJwt));
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  const routes = routesOf(byName(out, TypeUrl.RouteConfiguration, 'http.8080'));
  assert.deepEqual(routes.map((r) => r.typed_per_filter_config), [undefined, undefined]);
});

function eastWest(): MeshModel {
  const web = service(ns, 'web', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.6', selector: { app: 'web' } });
  const rp = meta('api-routes', 'RoutePolicy', {
    parentRefs: [{ group: '', kind: 'Service', name: 'api' }],
    rules: [
      { name: 'writes', matches: [{ path: { value: '/orders' }, method: 'POST' }], backendRefs: backend },
      { backendRefs: backend },
    ],
  });
  const sp = meta('writes-guard', 'SecurityPolicy', {
    targetRefs: [{ kind: 'RoutePolicy', name: 'api-routes', sectionName: 'writes' }],
    authorization: {
      defaultAction: 'Deny',
      rules: [
        { name: 'shop', action: 'Allow', from: { principals: [{ namespace: 'shop' }] } },
        { name: 'nobody', action: 'Deny', from: { principals: [{ namespace: 'other' }] } },
      ],
    },
  });
  const { model, errors } = buildModel(inputs(svc, web, rp, sp));
  assert.deepEqual(errors, []);
  return model;
}

test('sidecar outbound (both modes): the RoutePolicy rule\'s routes carry the policy, decided for this caller; other routes and inbound unaffected', () => {
  const model = eastWest();
  for (const [mode, rds, lds] of [
    ['sidecar-transparent', '80', '0.0.0.0_80'],
    ['sidecar-explicit', 'explicit_outbound', 'explicit_outbound'],
  ] as const) {
    const out = translate(model, roleFromFlag(mode, { namespace: 'shop', labels: { app: 'web' } }));
    compiles(out);
    assert.deepEqual(filtersOf(byName(out, TypeUrl.Listener, lds)).map((f) => f.name), ['envoy.filters.http.rbac', 'envoy.filters.http.router'], mode);
    const vh = (byName(out, TypeUrl.RouteConfiguration, rds).virtual_hosts as Json[]).find((v) => (v.name as string).startsWith('api.'));
    const routes = (vh?.routes as Json[]) ?? [];
    assert.deepEqual(
      routes.map((r) => r.typed_per_filter_config),
      [{ 'envoy.filters.http.rbac': any(rbacPerRoute, { rbac: { rules: { action: 'ALLOW', policies: { shop: { permissions: [{ any: true }], principals: [{ any: true }] } } } } }) }, undefined],
      `${mode}: caller in shop is allowed statically; the deny rule for namespace other is dropped`,
    );
  }
  const other = translate(model, roleFromFlag('sidecar-explicit', { namespace: 'other', labels: { app: 'x' } }));
  const vh = (byName(other, TypeUrl.RouteConfiguration, 'explicit_outbound').virtual_hosts as Json[]).find((v) => (v.name as string).startsWith('api.'));
  const cfg = ((vh?.routes as Json[])[0]?.typed_per_filter_config as Json)['envoy.filters.http.rbac'] as Json;
  assert.deepEqual(cfg, any(rbacPerRoute, { rbac: { rules: { action: 'ALLOW', policies: {} } } }), 'a caller from namespace other matches no Allow rule: denied');
  const inbound = translate(model, roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'api' } }));
  const vin = byName(inbound, TypeUrl.Listener, 'virtualInbound');
  assert.equal(JSON.stringify(vin).includes('envoy.filters.http.rbac'), false, 'the callee\'s inbound is not where route-level policies apply');
});

test('the implicit default gateway ignores RoutePolicies with Service parents and route-level policies', () => {
  const model = eastWest();
  const out = translate(model, roleFromFlag('gateway'));
  const rc = byName(out, TypeUrl.RouteConfiguration, 'http.8080');
  const api = (rc.virtual_hosts as Json[]).find((v) => v.name === 'api.shop.svc.cluster.local') as Json;
  assert.deepEqual(api.routes, [{ match: { prefix: '/' }, route: { cluster: 'outbound|80||api.shop.svc.cluster.local' } }]);
  assert.deepEqual(filtersOf(byName(out, TypeUrl.Listener, '0.0.0.0_8080')).map((f) => f.name), ['envoy.filters.http.router']);
});

test('one policy targeting both the Gateway and a RoutePolicy rule: providers keep their names, the rule\'s routes name its requirement', () => {
  const both = meta('both', 'SecurityPolicy', {
    targetRefs: [{ kind: 'Gateway', name: 'edge' }, { kind: 'RoutePolicy', name: 'edge-routes', sectionName: 'api' }],
    jwt: { providers: [{ name: 'corp', localJWKS: { inline: localJwks } }] },
  });
  const { model, errors } = buildModel(inputs(svc, gateway, edgeRoutes, both, adminAuthz));
  assert.deepEqual(errors, []);
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  compiles(out);
  const jwtFilter = filtersOf(byName(out, TypeUrl.Listener, '0.0.0.0_8080'))[0] as Json;
  assert.deepEqual(jwtFilter.typed_config, {
    ...any('envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication'),
    providers: { corp: { local_jwks: { inline_string: localJwks }, payload_in_metadata: 'jwt_payload' } },
    rules: [{ match: { prefix: '/' }, requires: { provider_name: 'corp' } }],
    requirement_map: { 'shop/both': { provider_name: 'corp' } },
  });
  const routes = routesOf(byName(out, TypeUrl.RouteConfiguration, 'http.8080'));
  assert.deepEqual(
    routes.map((r) => [(r.match as Json).path_separated_prefix, ((r.typed_per_filter_config as Json)['envoy.filters.http.jwt_authn'] as Json).requirement_name ?? 'disabled']),
    [
      ['/admin', 'disabled'],
      ['/api', 'shop/both'],
    ],
  );
});

test('HTTPS: route-level policies apply per SNI chain; a chain without such routes keeps the listener-level filters only', () => {
  const tls = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'cert', namespace: ns }, data: { 'tls.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64'), 'tls.key': Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n').toString('base64') } };
  const https = meta('edge', 'Gateway', {
    listeners: [
      { name: 'shop', port: 8443, protocol: 'HTTPS', hostnames: ['shop.example.com'], tls: { certificateRefs: [{ name: 'cert' }] } },
      { name: 'docs', port: 8443, protocol: 'HTTPS', hostnames: ['docs.example.com'], tls: { certificateRefs: [{ name: 'cert' }] } },
    ],
  });
  const shopRoutes = meta('edge-routes', 'RoutePolicy', { parentRefs: [{ name: 'edge', sectionName: 'shop' }], rules: [{ name: 'admin', matches: [{ path: { value: '/admin' } }], backendRefs: backend }] });
  const docsRoutes = meta('docs', 'RoutePolicy', { parentRefs: [{ name: 'edge', sectionName: 'docs' }], rules: [{ backendRefs: backend }] });
  const { model } = buildModel(inputs(svc, tls, https, shopRoutes, docsRoutes, adminAuthz));
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  const l = byName(out, TypeUrl.Listener, '0.0.0.0_8443');
  const chains = l.filter_chains as Json[];
  const names = (c: Json) => ((((c.filters as Json[])[0]?.typed_config as Json).http_filters as Json[]).map((f) => f.name));
  assert.deepEqual(chains.map((c) => [c.name, names(c)]), [
    ['shop', ['envoy.filters.http.rbac', 'envoy.filters.http.router']],
    ['docs', ['envoy.filters.http.router']],
  ]);
});
