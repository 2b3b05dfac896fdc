/** RoutePolicy builders (route match, action, retries, fault, CORS, rate limit, header mutation) against literal expected objects; each also compiles. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileResource } from '../../src/envoy/compile';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildModel } from '../../src/model/model-builder';
import type { RouteRuleModel } from '../../src/model/types';
import { corsPolicy, originMatch } from '../../translators/cors-policy';
import { durationJson, fractionalPercent } from '../../translators/duration';
import { faultPerRoute } from '../../translators/fault';
import { headerMutation } from '../../translators/header-mutation';
import { localRateLimitPerRoute } from '../../translators/local-rate-limit';
import { ruleAction } from '../../translators/route-action';
import { httpFiltersForRoutes, routeConfiguration, routesForRules, virtualHost } from '../../translators/route-configuration';
import { routeMatch } from '../../translators/route-match';
import { grpcRetryPolicy, retryPolicy } from '../../translators/retry-policy';
import { clusterSpecifier } from '../../translators/weighted-clusters';
import { inputs, service } from '../model/fixtures';

const { model } = buildModel(inputs(service('shop', 'v1', [{ name: 'http', port: 80 }]), service('shop', 'v2', [{ name: 'http', port: 80 }])));
const c1 = 'outbound|80||v1.shop.svc.cluster.local';
const c2 = 'outbound|80||v2.shop.svc.cluster.local';
const b = (name: string, weight = 1) => ({ namespace: 'shop', name, port: 80, weight });

function assertCompiles(routes: readonly unknown[]): void {
  const json = routeConfiguration('t', [virtualHost('t', ['*'], routes as never[])]);
  const r = compileResource(TypeUrl.RouteConfiguration, 't', json);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
}

test('durations and percentages', () => {
  assert.equal(durationJson(2500), '2.500s');
  assert.equal(durationJson(10_000), '10s');
  assert.deepEqual(fractionalPercent(5), { numerator: 5, denominator: 'HUNDRED' });
  assert.deepEqual(fractionalPercent(0.5), { numerator: 5000, denominator: 'MILLION' });
});

test('routeMatch: path kinds, headers (lower-cased), method as :method, query parameters', () => {
  assert.deepEqual(routeMatch({ path: { type: 'exact', value: '/a' } }), { path: '/a' });
  assert.deepEqual(routeMatch({ path: { type: 'regex', value: '^/v[0-9]+$' } }), { safe_regex: { regex: '^/v[0-9]+$' } });
  assert.deepEqual(
    routeMatch({ path: { type: 'prefix', value: '/api' }, headers: [{ name: 'X-Canary', type: 'exact', value: 'true' }, { name: 'x-user', type: 'regex', value: '^t.*' }], queryParams: [{ name: 'q', type: 'exact', value: '1' }], method: 'POST' }),
    {
      path_separated_prefix: '/api',
      headers: [
        { name: 'x-canary', string_match: { exact: 'true' } },
        { name: 'x-user', string_match: { safe_regex: { regex: '^t.*' } } },
        { name: ':method', string_match: { exact: 'POST' } },
      ],
      query_parameters: [{ name: 'q', string_match: { exact: '1' } }],
    },
  );
});

test('a PathPrefix matches whole path elements: path_separated_prefix for Envoy, a full-match regex for gRPC', () => {
  const prefix = (value: string) => ({ path: { type: 'prefix' as const, value } });
  assert.deepEqual(routeMatch(prefix('/')), { prefix: '/' });
  assert.deepEqual(routeMatch(prefix('/api/')), { path_separated_prefix: '/api' }, 'a trailing slash is ignored, as in the Gateway API');
  assert.deepEqual(routeMatch(prefix('/pkg.Svc'), 'proxyless'), { safe_regex: { regex: '/pkg\\.Svc(/.*)?' } });
  assert.deepEqual(routeMatch(prefix('/'), 'proxyless'), { prefix: '/' });
  const re = new RegExp(`^(?:${(routeMatch(prefix('/pkg.Svc/'), 'proxyless').safe_regex as { regex: string }).regex})$`);
  assert.deepEqual(['/pkg.Svc', '/pkg.Svc/Get', '/pkg.SvcX/Get', '/pkgxSvc/Get'].map((p) => re.test(p)), [true, true, false, false]);
  assertCompiles([{ match: routeMatch(prefix('/api')), direct_response: { status: 200 } }, { match: routeMatch(prefix('/a.b'), 'proxyless'), direct_response: { status: 200 } }]);
});

test('clusterSpecifier: one cluster or weighted clusters', () => {
  assert.deepEqual(clusterSpecifier([{ name: 'a', weight: 3 }]), { cluster: 'a' });
  assert.deepEqual(clusterSpecifier([{ name: 'a', weight: 95 }, { name: 'b', weight: 5 }]), { weighted_clusters: { clusters: [{ name: 'a', weight: 95 }, { name: 'b', weight: 5 }] } });
});

test('retryPolicy (Envoy) and grpcRetryPolicy (gRPC conditions only)', () => {
  const retry = { attempts: 3, retryOn: ['5xx', 'unavailable', 'retriable-status-codes'], retriableStatusCodes: [503], backoff: { baseIntervalMs: 100, maxIntervalMs: 1000 } };
  assert.deepEqual(retryPolicy(retry, 2500), {
    retry_on: '5xx,unavailable,retriable-status-codes',
    num_retries: 3,
    per_try_timeout: '2.500s',
    retry_back_off: { base_interval: '0.100s', max_interval: '1s' },
    retriable_status_codes: [503],
  });
  assert.deepEqual(retryPolicy(undefined, 1000), { retry_on: 'connect-failure', num_retries: 0, per_try_timeout: '1s' });
  assert.equal(retryPolicy(undefined, undefined), undefined);
  assert.deepEqual(grpcRetryPolicy(retry), { retry_on: 'unavailable', num_retries: 3, retry_back_off: { base_interval: '0.100s', max_interval: '1s' } });
  assert.equal(grpcRetryPolicy({ attempts: 2, retryOn: ['5xx'] }), undefined);
});

test('headerMutation: set overwrites, add appends, remove', () => {
  assert.deepEqual(headerMutation({ set: [{ name: 'a', value: '1' }], add: [{ name: 'b', value: '2' }], remove: ['c'] }, 'response'), {
    response_headers_to_add: [
      { header: { key: 'a', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'b', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ],
    response_headers_to_remove: ['c'],
  });
  assert.deepEqual(headerMutation(undefined, 'request'), {});
});

test('faultPerRoute, corsPolicy, localRateLimitPerRoute', () => {
  assert.deepEqual(faultPerRoute({ delay: { fixedDelayMs: 1500, percent: 10 }, abort: { grpcStatus: 14, percent: 25 } }), {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
    delay: { fixed_delay: '1.500s', percentage: { numerator: 10, denominator: 'HUNDRED' } },
    abort: { grpc_status: 14, percentage: { numerator: 25, denominator: 'HUNDRED' } },
  });
  assert.deepEqual(originMatch('https://*.example.org'), { safe_regex: { regex: 'https://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.example\\.org' } });
  assert.deepEqual(corsPolicy({ allowOrigins: ['https://a.example.com', '*'], allowMethods: ['GET', 'POST'], maxAgeSeconds: 600, allowCredentials: false }), {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
    allow_origin_string_match: [{ exact: 'https://a.example.com' }, { safe_regex: { regex: '.*' } }],
    allow_methods: 'GET,POST',
    max_age: '600',
    allow_credentials: false,
  });
  const all = { numerator: 100, denominator: 'HUNDRED' };
  assert.deepEqual(localRateLimitPerRoute({ requests: 100, fillIntervalMs: 1000, burst: 20 }), {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    stat_prefix: 'http_local_rate_limiter',
    token_bucket: { max_tokens: 120, tokens_per_fill: 100, fill_interval: '1s' },
    filter_enabled: { runtime_key: 'local_rate_limit_enabled', default_value: all },
    filter_enforced: { runtime_key: 'local_rate_limit_enforced', default_value: all },
  });
});

const rich: RouteRuleModel = {
  index: 0,
  matches: [{ path: { type: 'prefix', value: '/api' } }],
  backends: [b('v1', 95), b('v2', 5), b('ghost', 10)],
  timeoutMs: 3000,
  retry: { attempts: 2, retryOn: ['5xx', 'unavailable'] },
  filters: {
    rewrite: { hostname: 'api.internal', path: { type: 'prefix', value: '/v2' } },
    mirrors: [{ backend: b('v2'), percent: 5 }],
    requestHeaders: { remove: ['x-debug'] },
    fault: { abort: { httpStatus: 503, percent: 1 } },
    cors: { allowOrigins: ['*'] },
  },
};

test('ruleAction (Envoy): weighted clusters without the missing backend, timeout, retries, rewrite, mirror, headers, per-filter config', () => {
  const a = ruleAction(rich, model, 'envoy');
  assert.deepEqual(a, {
    route: {
      weighted_clusters: { clusters: [{ name: c1, weight: 95 }, { name: c2, weight: 5 }] },
      timeout: '3s',
      retry_policy: { retry_on: '5xx,unavailable', num_retries: 2 },
      prefix_rewrite: '/v2',
      host_rewrite_literal: 'api.internal',
      request_mirror_policies: [{ cluster: c2, runtime_fraction: { default_value: { numerator: 5, denominator: 'HUNDRED' } } }],
    },
    request_headers_to_remove: ['x-debug'],
    typed_per_filter_config: {
      'envoy.filters.http.fault': faultPerRoute({ abort: { httpStatus: 503, percent: 1 } }),
      'envoy.filters.http.cors': corsPolicy({ allowOrigins: ['*'] }),
    },
  });
  assertCompiles([{ match: { prefix: '/api' }, ...a }]);
});

test('ruleAction (proxyless): only cluster specifier, max_stream_duration, gRPC retries and fault', () => {
  assert.deepEqual(ruleAction(rich, model, 'proxyless'), {
    route: {
      weighted_clusters: { clusters: [{ name: c1, weight: 95 }, { name: c2, weight: 5 }] },
      max_stream_duration: { max_stream_duration: '3s' },
      retry_policy: { retry_on: 'unavailable', num_retries: 2 },
    },
    typed_per_filter_config: { 'envoy.filters.http.fault': faultPerRoute({ abort: { httpStatus: 503, percent: 1 } }) },
  });
  const redirect: RouteRuleModel = { matches: [{ path: { type: 'exact', value: '/old' } }], backends: [], filters: { redirect: { hostname: 'n.example.com', path: { type: 'prefix', value: '/new' }, statusCode: 308 } } };
  assert.equal(ruleAction(redirect, model, 'proxyless'), undefined);
  assert.deepEqual(ruleAction(redirect, model, 'envoy'), { redirect: { host_redirect: 'n.example.com', prefix_rewrite: '/new', response_code: 'PERMANENT_REDIRECT' } });
  const dead: RouteRuleModel = { matches: [{ path: { type: 'prefix', value: '/' } }], backends: [b('ghost')] };
  assert.deepEqual(ruleAction(dead, model, 'envoy'), { direct_response: { status: 500 } });
  assert.equal(ruleAction(dead, model, 'proxyless'), undefined);
});

test('routesForRules orders exact, regex, longer prefix, method, more headers; httpFiltersForRoutes lists the filters routes use', () => {
  const rules: RouteRuleModel[] = [
    { matches: [{ path: { type: 'prefix', value: '/' } }, { path: { type: 'prefix', value: '/a' }, headers: [{ name: 'x', type: 'exact', value: '1' }] }], backends: [b('v1')] },
    { matches: [{ path: { type: 'prefix', value: '/a' }, method: 'GET' }, { path: { type: 'regex', value: '^/r$' } }, { path: { type: 'exact', value: '/e' } }, { path: { type: 'prefix', value: '/a' }, queryParams: [{ name: 'q', type: 'exact', value: '1' }] }], backends: [b('v2')], filters: { rateLimit: { requests: 1, fillIntervalMs: 1000, burst: 0 }, fault: { delay: { fixedDelayMs: 1, percent: 1 } } } },
  ];
  const routes = routesForRules(rules, model);
  assert.deepEqual(routes.map((r) => r.match), [
    { path: '/e' },
    { safe_regex: { regex: '^/r$' } },
    { path_separated_prefix: '/a', headers: [{ name: ':method', string_match: { exact: 'GET' } }] },
    { path_separated_prefix: '/a', headers: [{ name: 'x', string_match: { exact: '1' } }] },
    { path_separated_prefix: '/a', query_parameters: [{ name: 'q', string_match: { exact: '1' } }] },
    { prefix: '/' },
  ]);
  assertCompiles(routes);
  const proxyless = routesForRules(rules, model, 'proxyless');
  assert.equal(proxyless.some((r) => 'query_parameters' in (r.match as object)), false, 'gRPC requests carry no query: such matches are left out');
  assert.deepEqual(httpFiltersForRoutes([virtualHost('v', ['*'], routes)]).map((f) => f.name), ['envoy.filters.http.fault', 'envoy.filters.http.local_ratelimit']);
  assert.deepEqual(httpFiltersForRoutes([virtualHost('v', ['*'], proxyless)]).map((f) => f.name), ['envoy.filters.http.fault']);
});
