/**
 * The shop demo (examples/, what `npm start` serves) read through the real
 * file source and compiled for every role a demo client can have: the
 * gateway of shop/public, the transparent sidecars of api, payments and
 * frontend, and a proxyless gRPC client. No input, model or translation error
 * anywhere, and each feature the demo teaches is in the compiled config:
 * the 95/5 canary, retries, the checkout rate limit, CORS, JWT with the demo
 * issuer (and a token minted with the committed demo key verifies against
 * the JWKS the gateway gets), the BackendPolicies, and the RBAC rule
 * "only api may call payments" on payments' inbound listener.
 */
import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTower } from '../../src/app/start-tower';
import { readFolder } from '../../src/cli/dump';
import { defaultMtlsMode } from '../../src/config/mtls-settings';
import { parseServeConfig } from '../../src/config/serve-config';
import { defaultMeshConfig } from '../../src/model/model-builder';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createLogger } from '../../src/observability/logger';
import { SotwClient, decodeAny, testNode } from '../fixtures/xds-client';
import type { InputObject } from '../../src/model/inputs';
import { roleFromFlag, type ClientRole } from '../../src/model/roles';
import { dumpConfig } from '../../src/pipeline/dump-config';

const examples = path.join(__dirname, '..', '..', '..', 'examples');

// Envoy JSON is walked loosely: the dump is plain JSON whose shape the assertions check.
type Json = { [k: string]: any }; // any: boundary, untyped Envoy JSON from the dump

let objects: InputObject[] = [];
let inputErrors: string[] = [];

before(async () => {
  ({ objects, errors: inputErrors } = await readFolder(examples));
});

const roles: Record<string, ClientRole> = {
  gateway: roleFromFlag('gateway=shop/public', { nodeId: 'gateway-0.tower' }),
  'sidecar api': roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'api' }, serviceAccount: 'api', nodeId: 'api-0.shop' }),
  'sidecar payments': roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'payments' }, serviceAccount: 'payments', nodeId: 'payments-0.shop' }),
  'sidecar frontend': roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'frontend' }, serviceAccount: 'frontend', nodeId: 'frontend-0.shop' }),
  proxyless: roleFromFlag('proxyless', { namespace: 'shop', nodeId: 'grpc-client.shop' }),
};

function resources(role: string): Record<string, Json[]> {
  // As `tower serve` and `tower dump` run it: mesh mTLS in its default mode (identity certificates are placeholders here).
  const dump = dumpConfig(objects, roles[role]!, { config: { ...defaultMeshConfig, mtls: { mode: defaultMtlsMode } } });
  assert.deepEqual(dump.modelErrors, [], `${role}: model errors`);
  assert.deepEqual(dump.translationErrors, [], `${role}: translation errors`);
  return dump.resources as Record<string, Json[]>;
}

function byName(list: Json[] | undefined, name: string): Json {
  const r = list?.find((x) => x.name === name || x.cluster_name === name);
  assert.ok(r, `resource ${name} present (have ${list?.map((x) => x.name ?? x.cluster_name).join(', ')})`);
  return r;
}

function route(rc: Json, vhost: string, prefix: string): Json {
  const vh = (rc.virtual_hosts as Json[]).find((v) => v.name === vhost);
  assert.ok(vh, `virtual host ${vhost} in ${rc.name}`);
  const r = (vh.routes as Json[]).find((x) => (x.match.path_separated_prefix ?? x.match.prefix) === prefix);
  assert.ok(r, `route ${prefix} in ${rc.name}/${vhost}`);
  return r;
}

const fqdnCluster = (svc: string, port = 8080): string => `outbound|${port}||${svc}.shop.svc.cluster.local`;
const canary = [
  { name: fqdnCluster('api'), weight: 95 },
  { name: fqdnCluster('api-v2'), weight: 5 },
];

function httpFilters(listener: Json): Json[] {
  const hcm = (listener.filter_chains as Json[])[0]!.filters[0].typed_config;
  return hcm.http_filters as Json[];
}

test('examples/ is read without input errors and holds every demo kind', () => {
  assert.deepEqual(inputErrors, []);
  const kinds = new Set(objects.map((o) => (o.object as { kind: string }).kind));
  for (const k of ['Service', 'EndpointSlice', 'Secret', 'Gateway', 'RoutePolicy', 'BackendPolicy', 'SecurityPolicy']) assert.ok(kinds.has(k), k);
});

test('gateway shop/public: canary 95/5, retries and timeout on /api, rate limit and CORS on /api/checkout, frontend on /', () => {
  const r = resources('gateway');
  for (const rcName of ['http.8080', 'https.8443.https']) {
    const rc = byName(r.RDS, rcName);
    const api = route(rc, 'shop.example.com', '/api');
    assert.deepEqual(api.route.weighted_clusters.clusters, canary);
    assert.equal(api.route.timeout, '5s');
    assert.deepEqual(api.route.retry_policy, {
      retry_on: '5xx,reset,connect-failure',
      num_retries: 2,
      per_try_timeout: '2s',
      retry_back_off: { base_interval: '0.100s', max_interval: '1s' },
    });
    const checkout = route(rc, 'shop.example.com', '/api/checkout');
    assert.equal(checkout.route.cluster, fqdnCluster('api'), 'checkout stays on the stable api');
    const rl = checkout.typed_per_filter_config['envoy.filters.http.local_ratelimit'];
    assert.deepEqual(rl.token_bucket, { max_tokens: 30, tokens_per_fill: 20, fill_interval: '1s' });
    assert.deepEqual(checkout.typed_per_filter_config['envoy.filters.http.cors'].allow_origin_string_match, [{ exact: 'https://shop.example.com' }]);
    assert.equal(route(rc, 'shop.example.com', '/').route.cluster, fqdnCluster('frontend'));
  }
  // The API host (the *.shop.example.com chain on HTTPS) has the API routes but no storefront.
  const apiHost = byName(r.RDS, 'https.8443.https.1');
  assert.deepEqual(route(apiHost, 'api.shop.example.com', '/api').route.weighted_clusters.clusters, canary);
  assert.equal((apiHost.virtual_hosts as Json[]).find((v) => v.name === 'api.shop.example.com')!.routes.some((x: Json) => x.match.prefix === '/'), false);
});

test('gateway shop/public: jwt_authn with the demo issuer before the rate limit; a token minted with the demo key verifies', () => {
  const r = resources('gateway');
  for (const l of r.LDS!) {
    const names = httpFilters(l).map((f) => f.name);
    assert.deepEqual(names, ['envoy.filters.http.cors', 'envoy.filters.http.jwt_authn', 'envoy.filters.http.local_ratelimit', 'envoy.filters.http.router'], l.name);
  }
  const jwt = httpFilters(byName(r.LDS, '0.0.0.0_8080')).find((f) => f.name === 'envoy.filters.http.jwt_authn')!.typed_config;
  const provider = jwt.providers['shop-demo-issuer'];
  assert.equal(provider.issuer, 'https://auth.shop.example.com');
  assert.deepEqual(provider.audiences, ['shop-api']);
  assert.deepEqual(jwt.rules[0], { match: { prefix: '/api' }, requires: { provider_name: 'shop-demo-issuer' } });

  // The README's recipe: the committed demo private key signs tokens the inline JWKS accepts.
  const jwks = JSON.parse(provider.local_jwks.inline_string as string) as { keys: (crypto.JsonWebKey & { kid: string })[] };
  const token = execFileSync(process.execPath, [path.join(examples, 'tools', 'mint-demo-token.js'), '--sub', 'alice'], { encoding: 'utf8' }).trim();
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss: string; aud: string; sub: string; exp: number };
  assert.equal(header.alg, 'ES256');
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `JWKS has kid ${header.kid}`);
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key: crypto.createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  assert.equal(ok, true, 'signature verifies with the inline JWKS');
  assert.equal(claims.iss, provider.issuer);
  assert.ok(provider.audiences.includes(claims.aud));
  assert.equal(claims.sub, 'alice');
  assert.ok(claims.exp > Date.now() / 1000);
  // And the key file really is the private half of that JWK.
  const priv = crypto.createPrivateKey(fs.readFileSync(path.join(examples, 'shop', 'demo-jwt-key.pem')));
  assert.equal(crypto.createPublicKey(priv).export({ format: 'jwk' }).x, jwk.x);
});

test('BackendPolicies: circuit breaker and outlier detection on payments, least request on inventory', () => {
  for (const role of ['gateway', 'sidecar api']) {
    const r = resources(role);
    const payments = byName(r.CDS, fqdnCluster('payments', 9090));
    assert.deepEqual(payments.circuit_breakers.thresholds, [{ priority: 'DEFAULT', max_connections: 100, max_pending_requests: 50, max_requests: 200, max_retries: 3 }]);
    assert.equal(payments.outlier_detection.consecutive_5xx, 5);
    assert.equal(payments.outlier_detection.consecutive_gateway_failure, 3);
    assert.equal(payments.connect_timeout, '1s');
    assert.equal(byName(r.CDS, fqdnCluster('inventory')).lb_policy, 'LEAST_REQUEST');
  }
});

test('sidecar api: mesh canary to api-v2, retries to inventory, timeout to payments; no RBAC on its own inbound', () => {
  const r = resources('sidecar api');
  const rc8080 = byName(r.RDS, '8080');
  const toApi = route(rc8080, 'api.shop.svc.cluster.local:8080', '/');
  assert.deepEqual(toApi.route.weighted_clusters.clusters, canary);
  const toInventory = route(rc8080, 'inventory.shop.svc.cluster.local:8080', '/');
  assert.equal(toInventory.route.timeout, '2s');
  assert.equal(toInventory.route.retry_policy.num_retries, 3);
  assert.equal(toInventory.route.retry_policy.per_try_timeout, '0.500s');
  const toPayments = route(byName(r.RDS, '9090'), 'payments.shop.svc.cluster.local:9090', '/');
  assert.equal(toPayments.route.timeout, '3s');
  assert.deepEqual(toPayments.route.retry_policy, { retry_on: 'unavailable', num_retries: 1 });
  const inbound = byName(r.LDS, 'virtualInbound');
  const chain = (inbound.filter_chains as Json[]).find((c) => c.name === 'inbound|8080');
  assert.ok(chain, 'api has an inbound chain for its port');
  assert.deepEqual(chain.filters[0].typed_config.http_filters.map((f: Json) => f.name), ['envoy.filters.http.router']);
});

test('sidecar payments: inbound RBAC allows only spiffe://cluster.local/ns/shop/sa/api, POST on /payments.v1.Payments/', () => {
  const r = resources('sidecar payments');
  const inbound = byName(r.LDS, 'virtualInbound');
  const chain = (inbound.filter_chains as Json[]).find((c) => c.name === 'inbound|9090');
  assert.ok(chain, 'payments inbound chain on 9090');
  const filters = chain.filters[0].typed_config.http_filters as Json[];
  assert.deepEqual(filters.map((f) => f.name), ['envoy.filters.http.rbac', 'envoy.filters.http.router']);
  const rules = filters[0]!.typed_config.rules;
  assert.equal(rules.action, 'ALLOW');
  assert.deepEqual(Object.keys(rules.policies), ['api-charges']);
  const policy = rules.policies['api-charges'];
  assert.deepEqual(policy.principals, [{ authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/shop/sa/api' } } }]);
  assert.deepEqual(policy.permissions, [
    {
      and_rules: {
        rules: [{ or_rules: { rules: [{ url_path: { path: { exact: '/payments.v1.Payments' } } }, { url_path: { path: { prefix: '/payments.v1.Payments/' } } }] } }, { header: { name: ':method', string_match: { exact: 'POST' } } }],
      },
    },
  ]);
});

test('sidecar frontend: compiles cleanly and sees the mesh canary to api', () => {
  const r = resources('sidecar frontend');
  assert.deepEqual(route(byName(r.RDS, '8080'), 'api.shop.svc.cluster.local:8080', '/').route.weighted_clusters.clusters, canary);
  const inbound = byName(r.LDS, 'virtualInbound');
  assert.ok((inbound.filter_chains as Json[]).some((c) => c.name === 'inbound|8080'));
});

test('proxyless: the canary, gRPC timeouts and retries, and payments limits in gRPC terms', () => {
  const r = resources('proxyless');
  const api = route(byName(r.RDS, 'api.shop.svc.cluster.local:8080'), 'api.shop.svc.cluster.local:8080', '/');
  assert.deepEqual(api.route.weighted_clusters.clusters, canary);
  assert.deepEqual(api.route.max_stream_duration, { max_stream_duration: '5s' });
  const pay = route(byName(r.RDS, 'payments.shop.svc.cluster.local:9090'), 'payments.shop.svc.cluster.local:9090', '/');
  assert.deepEqual(pay.route.max_stream_duration, { max_stream_duration: '3s' });
  assert.deepEqual(pay.route.retry_policy, { retry_on: 'unavailable', num_retries: 1 });
  const cds = byName(r.CDS, fqdnCluster('payments', 9090));
  assert.equal(cds.circuit_breakers.thresholds[0].max_requests, 200);
  assert.ok(cds.outlier_detection, 'outlier detection (gRFC A50)');
  assert.ok(r.LDS!.some((l) => l.name === 'payments.shop.svc.cluster.local:9090'));
});

// What `npm start` does: the real app serving examples/ (ephemeral ports), its log captured.
const startupWarnings: string[] = [];

test('npm start: Tower serving examples/ gives the shop gateway its listeners and certificate over ADS', async (t) => {
  const config = parseServeConfig(['--files', examples, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1'], {});
  const destination = {
    write(line: string): void {
      const rec = JSON.parse(line) as { level: string; msg: string };
      if (rec.level === 'warn' || rec.level === 'error' || rec.level === 'fatal') startupWarnings.push(rec.msg);
    },
  };
  const tower = await startTower(config, { logger: createLogger({ level: 'info', destination }) });
  const gw = new SotwClient(tower.xdsPort, { node: testNode('gateway-0.tower', { TOWER_ROLE: 'gateway', TOWER_GATEWAY: 'shop/public' }) });
  t.after(async () => {
    gw.close();
    await tower.close();
  });
  await new Promise<void>((resolve) => tower.readiness.onReady(resolve));
  gw.subscribe(TypeUrl.Listener);
  const lds = await gw.expect(TypeUrl.Listener, 15_000);
  assert.deepEqual([...lds.names].sort(), ['0.0.0.0_8080', '0.0.0.0_8443']);
  gw.ack(lds);
  gw.subscribe(TypeUrl.Secret, ['shop/shop-demo-tls'], '', '');
  const sds = await gw.expect(TypeUrl.Secret, 15_000);
  assert.deepEqual(sds.names, ['shop/shop-demo-tls']);
  const secret = decodeAny(sds.resources[0]!) as { tls_certificate?: { certificate_chain?: unknown } };
  assert.ok(secret.tls_certificate?.certificate_chain, 'the demo certificate is served');
  gw.ack(sds);
});

test('npm start: no warning or error is logged while examples/ is loaded and served', () => {
  assert.deepEqual(startupWarnings, []);
});
