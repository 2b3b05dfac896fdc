/** SecurityPolicy → SecurityPolicyModel: targets (RoutePolicy ones included), JWT and authorization models, conflicts, missing targets, incremental deletes. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildModel, ModelBuilder } from '../../src/model/model-builder';
import { securityRouteTargetErrors } from '../../src/model/security-policy';
import { inputs, service } from './fixtures';

function sp(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind: 'SecurityPolicy', metadata: { name, namespace: 'shop', ...meta }, spec };
}
const svc = service('shop', 'payments', [{ name: 'http', port: 80 }]);

test('no SecurityPolicy: the model has no securityPolicies field (outputs without policies are unchanged)', () => {
  const { model } = buildModel(inputs(svc));
  assert.equal('securityPolicies' in model, false);
});

test('a SecurityPolicy becomes a model with its targets, JWT providers and rules, and authorization rules', () => {
  const { model, errors } = buildModel(
    inputs(
      svc,
      sp('p', {
        targetRefs: [{ kind: 'Gateway', name: 'edge', sectionName: 'https' }, { group: '', kind: 'Service', name: 'payments', sectionName: 'http' }],
        jwt: {
          providers: [{ name: 'auth0', issuer: 'https://i/', audiences: ['shop'], remoteJWKS: { uri: 'https://keys.example.com:8443/jwks.json', cacheDuration: '10m' }, claimToHeaders: [{ claim: 'sub', header: 'x-user' }] }],
          rules: [{ path: { type: 'Exact', value: '/healthz' }, optional: true }, { path: { value: '/api/' }, providers: ['auth0'] }],
        },
        authorization: {
          rules: [
            { name: 'api', action: 'Allow', from: { principals: [{ namespace: 'shop', serviceAccount: 'api' }], jwtClaims: [{ name: 'realm.roles', values: ['admin'] }] }, to: { methods: ['POST'], headers: [{ name: 'X-Tenant', values: ['a'] }] } },
            { action: 'Deny', to: { paths: [{ type: 'RegularExpression', value: '/admin/.*' }] } },
          ],
        },
      }),
    ),
  );
  assert.deepEqual(
    errors.map((e) => [e.code, e.path]),
    [
      ['missing-target', 'spec.targetRefs[0]'],
      ['unsupported-policy', 'spec.authorization.rules[0].from.principals'],
    ],
    'no Gateway edge in this model; payments has mTLS disabled (the builder default), so a principal rule can never match',
  );
  const [p] = model.securityPolicies ?? [];
  assert.ok(p);
  assert.deepEqual({ ...p, source: undefined }, {
    key: 'shop/p',
    targets: [
      { kind: 'gateway', gateway: { namespace: 'shop', name: 'edge' }, sectionName: 'https', index: 0 },
      { kind: 'service', service: { namespace: 'shop', name: 'payments' }, portName: 'http', index: 1 },
    ],
    jwt: {
      providers: [{ name: 'auth0', issuer: 'https://i/', audiences: ['shop'], remoteJwks: { uri: 'https://keys.example.com:8443/jwks.json', host: 'keys.example.com', port: 8443, cacheDurationMs: 600_000 }, claimToHeaders: [{ claim: 'sub', header: 'x-user' }] }],
      rules: [
        { path: { type: 'exact', value: '/healthz' }, optional: true },
        { path: { type: 'prefix', value: '/api/' }, providers: ['auth0'] },
      ],
    },
    authorization: {
      defaultAction: 'deny',
      rules: [
        { name: 'api', action: 'allow', principals: [{ namespace: 'shop', serviceAccount: 'api' }], jwtClaims: [{ name: 'realm.roles', values: ['admin'] }], methods: ['POST'], headers: [{ name: 'x-tenant', values: ['a'] }] },
        { name: 'rule-1', action: 'deny', paths: [{ type: 'regex', value: '/admin/.*' }] },
      ],
    },
    source: undefined,
  });
  assert.equal(p.source.kind, 'SecurityPolicy');
});

test('a missing targetRefs is an invalid-object error naming spec.targetRefs; a RoutePolicy target becomes a route target', () => {
  const { model, errors } = buildModel(
    inputs(
      svc,
      sp('none', { authorization: { defaultAction: 'Deny' } }),
      sp('route', { targetRefs: [{ kind: 'RoutePolicy', name: 'r' }, { kind: 'Service', name: 'payments' }], authorization: { defaultAction: 'Deny' } }),
    ),
  );
  assert.deepEqual(
    errors.map((e) => [e.code, e.source.name, e.path]),
    [
      ['invalid-object', 'none', 'spec.targetRefs'],
      ['missing-target', 'route', 'spec.targetRefs[0].name'],
    ],
    'RoutePolicy shop/r does not exist here: the route target is kept, and reported',
  );
  assert.deepEqual(model.securityPolicies?.map((p) => [p.key, p.targets.map((t) => t.kind), p.routeTargets]), [['shop/route', ['service'], [{ routePolicy: { namespace: 'shop', name: 'r' }, index: 0 }]]]);
});

function rp(name: string, rules: Record<string, unknown>[], meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind: 'RoutePolicy', metadata: { name, namespace: 'shop', ...meta }, spec: { parentRefs: [{ kind: 'Service', group: '', name: 'payments' }], rules } };
}

test('RoutePolicy targets: a missing RoutePolicy or rule name is a missing-target error naming the field; rule names reach the route model', () => {
  const { model } = buildModel(
    inputs(
      svc,
      rp('r', [{ name: 'refunds', matches: [{ path: { value: '/refunds' } }], backendRefs: [{ name: 'payments', port: 80 }] }, { backendRefs: [{ name: 'payments', port: 80 }] }]),
      sp('p', {
        targetRefs: [
          { kind: 'RoutePolicy', name: 'r', sectionName: 'refunds' },
          { kind: 'RoutePolicy', name: 'r', sectionName: 'nope' },
          { kind: 'RoutePolicy', name: 'foo' },
          { kind: 'RoutePolicy', name: 'r' },
        ],
        authorization: { defaultAction: 'Deny' },
      }),
    ),
  );
  assert.deepEqual(model.routes.find((r) => r.key === 'routepolicy/shop/r')?.rules.map((r) => r.name), ['refunds', undefined]);
  const errors = securityRouteTargetErrors(model);
  assert.deepEqual(
    errors.map((e) => [e.code, e.source.name, e.path, e.message]),
    [
      ['missing-target', 'p', 'spec.targetRefs[1].sectionName', 'RoutePolicy shop/r has no rule named "nope"'],
      ['missing-target', 'p', 'spec.targetRefs[2].name', 'RoutePolicy shop/foo not found; the policy applies nowhere there'],
    ],
  );
});

test('RoutePolicy targets conflict per RoutePolicy and per rule: the oldest keeps it; a rule target and a whole-RoutePolicy target coexist', () => {
  const auth = { authorization: { defaultAction: 'Deny' } };
  const { model, errors } = buildModel(
    inputs(
      svc,
      sp('old', { targetRefs: [{ kind: 'RoutePolicy', name: 'r' }], ...auth }, { creationTimestamp: '2026-01-01T00:00:00Z' }),
      sp('rule', { targetRefs: [{ kind: 'RoutePolicy', name: 'r', sectionName: 'a' }], ...auth }, { creationTimestamp: '2026-01-02T00:00:00Z' }),
      sp('young', { targetRefs: [{ kind: 'Service', name: 'payments' }, { kind: 'RoutePolicy', name: 'r' }], ...auth }, { creationTimestamp: '2026-01-03T00:00:00Z' }),
    ),
  );
  assert.deepEqual(errors.filter((e) => e.code === 'policy-conflict').map((e) => [e.source.name, e.path]), [['young', 'spec.targetRefs[1]']]);
  assert.deepEqual(
    model.securityPolicies?.map((p) => [p.key, p.targets.length, p.routeTargets?.map((t) => t.sectionName ?? '*')]),
    [
      ['shop/old', 0, ['*']],
      ['shop/rule', 0, ['a']],
      ['shop/young', 1, undefined],
    ],
  );
});

test('two policies on one Service: the oldest wins, the other target gets policy-conflict; deleting the winner lets the other apply', () => {
  const b = new ModelBuilder();
  const auth = { authorization: { defaultAction: 'Deny' } };
  const delta = b.apply(
    inputs(
      svc,
      sp('young', { targetRefs: [{ kind: 'RoutePolicy', name: 'r' }, { kind: 'Service', name: 'payments' }], ...auth }, { creationTimestamp: '2026-01-02T00:00:00Z' }),
      sp('old', { targetRefs: [{ kind: 'Service', name: 'payments' }, { kind: 'Gateway', name: 'edge' }], ...auth }, { creationTimestamp: '2026-01-01T00:00:00Z' }),
    ).map((o) => ({ type: 'upsert' as const, object: o.object })),
  );
  assert.equal(delta.meshWide, true);
  assert.deepEqual(b.model().securityPolicies?.map((p) => [p.key, p.targets.length, p.routeTargets?.length ?? 0]), [['shop/old', 2, 0], ['shop/young', 0, 1]], 'young keeps only its RoutePolicy target');
  const conflicts = b.errors().filter((e) => e.code === 'policy-conflict');
  assert.deepEqual(conflicts.map((e) => [e.source.name, e.path]), [['young', 'spec.targetRefs[1]']], 'the path indexes spec.targetRefs, RoutePolicy targets included');
  assert.match(conflicts[0]?.message ?? '', /shop\/old/);
  assert.equal(b.apply([{ type: 'delete', kind: 'SecurityPolicy', namespace: 'shop', name: 'old' }]).meshWide, true);
  assert.deepEqual(b.model().securityPolicies?.map((p) => p.key), ['shop/young']);
  assert.deepEqual(b.errors().map((e) => [e.code, e.path]), [['missing-target', 'spec.targetRefs[0].name']], 'its RoutePolicy target is kept, and reported: RoutePolicy r does not exist');
  assert.deepEqual(b.model().securityPolicies?.[0]?.routeTargets?.map((t) => t.routePolicy.name), ['r']);
  b.apply([{ type: 'delete', kind: 'SecurityPolicy', namespace: 'shop', name: 'young' }]);
  assert.equal(b.model().securityPolicies, undefined);
});

test('targets naming a missing Gateway, listener, Service or port are reported as missing-target', () => {
  const gw = { apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' }, spec: { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] } };
  const { errors } = buildModel(
    inputs(
      svc,
      gw,
      sp('p', {
        targetRefs: [
          { kind: 'Gateway', name: 'edge', sectionName: 'http' },
          { kind: 'Gateway', name: 'edge', sectionName: 'nope' },
          { kind: 'Gateway', name: 'gone' },
          { kind: 'Service', name: 'payments', sectionName: 'http' },
          { kind: 'Service', name: 'payments', sectionName: 'grpc' },
          { kind: 'Service', name: 'gone' },
        ],
        authorization: { defaultAction: 'Deny' },
      }),
    ),
  );
  assert.deepEqual(
    errors.map((e) => [e.code, e.path]),
    [
      ['missing-target', 'spec.targetRefs[1].sectionName'],
      ['missing-target', 'spec.targetRefs[2]'],
      ['missing-target', 'spec.targetRefs[4].sectionName'],
      ['missing-target', 'spec.targetRefs[5]'],
    ],
  );
});
