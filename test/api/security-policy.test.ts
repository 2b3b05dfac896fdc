import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { SecurityPolicy } from '../../src/api/security-policy';
import { assertIssue, assertParses } from './assert-issue';
import { securityPolicySample } from './samples';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary fields

test('"only the api service may call payments, only POST on /api/*" is expressible', () => {
  const s = assertParses(SecurityPolicy, {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: 'payments-only-api', namespace: 'shop' },
    spec: {
      targetRefs: [{ kind: 'Service', name: 'payments' }],
      authorization: {
        rules: [
          {
            action: 'Allow',
            from: { principals: [{ namespace: 'shop', serviceAccount: 'api' }] },
            to: { paths: [{ type: 'PathPrefix', value: '/api/' }], methods: ['POST'] },
          },
        ],
      },
    },
  });
  assert.equal(s.spec.authorization?.defaultAction, 'Deny');
  assert.deepEqual(s.spec.authorization?.rules?.[0].from?.principals, [{ namespace: 'shop', serviceAccount: 'api' }]);
});

test('a realistic SecurityPolicy with JWT parses', () => {
  const s = assertParses(SecurityPolicy, securityPolicySample());
  assert.equal(s.spec.jwt?.providers[0].remoteJWKS?.cacheDuration, '10m');
  assert.equal(s.spec.jwt?.rules?.[1].path.type, 'PathPrefix');
});

test('JWT providers: one JWKS source, https, valid inline JSON, unique names, rules name real providers', () => {
  const both: Obj = securityPolicySample();
  both.spec.jwt.providers[0].localJWKS = { inline: '{"keys":[]}' };
  assertIssue(SecurityPolicy, both, 'spec.jwt.providers[0]', /exactly one of localJWKS, remoteJWKS/);
  const http: Obj = securityPolicySample();
  http.spec.jwt.providers[0].remoteJWKS.uri = 'http://shop.eu.auth0.com/jwks.json';
  assertIssue(SecurityPolicy, http, 'spec.jwt.providers[0].remoteJWKS.uri', /https:\/\//);
  const json: Obj = securityPolicySample();
  json.spec.jwt.providers[1].localJWKS.inline = '{"kty":"RSA"}';
  assertIssue(SecurityPolicy, json, 'spec.jwt.providers[1].localJWKS.inline', /"keys"/);
  const dup: Obj = securityPolicySample();
  dup.spec.jwt.providers[1].name = 'auth0';
  assertIssue(SecurityPolicy, dup, 'spec.jwt.providers[1]', /duplicate provider name/);
  const ref: Obj = securityPolicySample();
  ref.spec.jwt.rules[1].providers = ['okta'];
  assertIssue(SecurityPolicy, ref, 'spec.jwt.rules[1].providers[0]', /no provider named "okta"/);
  const cache: Obj = securityPolicySample();
  cache.spec.jwt.providers[0].remoteJWKS.cacheDuration = '1d';
  assertIssue(SecurityPolicy, cache, 'spec.jwt.providers[0].remoteJWKS.cacheDuration', /must be a duration/);
  const regex: Obj = securityPolicySample();
  regex.spec.jwt.rules[0].path = { type: 'RegularExpression', value: '^/(?!public)' };
  assertIssue(SecurityPolicy, regex, 'spec.jwt.rules[0].path.value', /invalid RE2 regex/);
});

test('authorization rules are checked', () => {
  const action: Obj = securityPolicySample();
  action.spec.authorization.rules[0].action = 'Audit';
  assertIssue(SecurityPolicy, action, 'spec.authorization.rules[0].action', /Allow/);
  const empty: Obj = securityPolicySample();
  empty.spec.authorization.rules[0] = { action: 'Allow' };
  assertIssue(SecurityPolicy, empty, 'spec.authorization.rules[0]', /must set from or to/);
  const claims: Obj = securityPolicySample();
  delete claims.spec.jwt;
  assertIssue(SecurityPolicy, claims, 'spec.authorization.rules[1].from.jwtClaims', /needs spec.jwt/);
  const ns: Obj = securityPolicySample();
  ns.spec.authorization.rules[0].from.principals[0].namespace = 'Shop';
  assertIssue(SecurityPolicy, ns, 'spec.authorization.rules[0].from.principals[0].namespace', /DNS-1123/);
  const method: Obj = securityPolicySample();
  method.spec.authorization.rules[0].to.methods = ['POST', 'POST'];
  assertIssue(SecurityPolicy, method, 'spec.authorization.rules[0].to.methods[1]', /duplicate value "POST"/);
  const names: Obj = securityPolicySample();
  names.spec.authorization.rules[1].name = 'api-posts';
  assertIssue(SecurityPolicy, names, 'spec.authorization.rules[1]', /duplicate rule name/);
  const extra: Obj = securityPolicySample();
  extra.spec.authorization.rules[0].from.ipBlocks = ['10.0.0.0/8'];
  assertIssue(SecurityPolicy, extra, 'spec.authorization.rules[0].from.ipBlocks', /unknown field/);
  const many: Obj = securityPolicySample();
  many.spec.authorization.rules = Array.from({ length: 65 }, () => ({ action: 'Deny', to: { methods: ['DELETE'] } }));
  assertIssue(SecurityPolicy, many, 'spec.authorization.rules', /64/);
});

test('targets and the policy itself', () => {
  const none: Obj = securityPolicySample();
  delete none.spec.jwt;
  delete none.spec.authorization;
  assertIssue(SecurityPolicy, none, 'spec', /must set jwt or authorization/);
  const route: Obj = securityPolicySample();
  route.spec.targetRefs = [{ group: 'tower.dev', kind: 'RoutePolicy', name: 'shop', sectionName: 'api' }, { kind: 'Gateway', name: 'edge' }];
  assertParses(SecurityPolicy, route);
  const grp: Obj = securityPolicySample();
  grp.spec.targetRefs = [{ group: '', kind: 'RoutePolicy', name: 'shop' }];
  assertIssue(SecurityPolicy, grp, 'spec.targetRefs[0].group', /must be "tower.dev"/);
  const kind: Obj = securityPolicySample();
  kind.spec.targetRefs[0].kind = 'Secret';
  assertIssue(SecurityPolicy, kind, 'spec.targetRefs[0].kind', /Gateway/);
});
