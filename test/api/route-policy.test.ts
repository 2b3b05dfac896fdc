import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RoutePolicy } from '../../src/api/route-policy';
import { assertIssue, assertParses } from './assert-issue';
import { meshRoutePolicySample, routePolicySample } from './samples';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary fields

test('a realistic north-south RoutePolicy parses, with defaults', () => {
  const r = assertParses(RoutePolicy, routePolicySample());
  assert.equal(r.spec.parentRefs[0].kind, 'Gateway');
  assert.equal(r.spec.rules[0].backendRefs?.[0].kind, 'Service');
  assert.equal(r.spec.rules[2].matches?.[0].headers?.[0].type, 'RegularExpression');
  assert.equal(r.spec.rules[0].matches?.[1].headers?.[0].type, 'Exact');
  assert.equal(r.spec.rules[3].backendRefs?.[0].weight, 1);
  const redirect = r.spec.rules[1].filters?.[0].requestRedirect;
  assert.equal(redirect?.statusCode, 301);
  const fault = r.spec.rules[0].filters?.find((f) => f.type === 'FaultInjection')?.faultInjection;
  assert.equal(fault?.abort?.percent, 0.1);
});

test('a GAMMA RoutePolicy on a Service parses; one zero weight is fine', () => {
  const r = assertParses(RoutePolicy, meshRoutePolicySample());
  assert.equal(r.spec.parentRefs[0].kind, 'Service');
  assert.deepEqual(r.spec.rules[0].backendRefs?.map((b) => b.weight), [1, 0]);
});

test('path matches default to PathPrefix "/"', () => {
  const o: Obj = meshRoutePolicySample();
  o.spec.rules[0].matches = [{ path: {} }];
  const r = assertParses(RoutePolicy, o);
  assert.deepEqual(r.spec.rules[0].matches?.[0].path, { type: 'PathPrefix', value: '/' });
});

test('invalid or non-RE2 regexes are rejected at their path', () => {
  const cases: [string, (o: Obj) => void, string][] = [
    ['backreference', (o) => (o.spec.rules[2].matches[0].path.value = '^/(a+)/\\1$'), 'spec.rules[2].matches[0].path.value'],
    ['lookahead', (o) => (o.spec.rules[2].matches[0].headers[0].value = '^(?=admin).*'), 'spec.rules[2].matches[0].headers[0].value'],
    ['unbalanced', (o) => (o.spec.rules[2].matches[1].queryParams[0].value = '(1|true'), 'spec.rules[2].matches[1].queryParams[0].value'],
  ];
  for (const [what, mutate, path] of cases) {
    const o: Obj = routePolicySample();
    mutate(o);
    assertIssue(RoutePolicy, o, path, /invalid RE2 regex/);
    assert.ok(what);
  }
  const long: Obj = routePolicySample();
  long.spec.rules[2].matches[0].path.value = '^/' + 'a'.repeat(1030);
  assertIssue(RoutePolicy, long, 'spec.rules[2].matches[0].path.value', /1024/);
  // The same text is fine when it is not a regex.
  const exact: Obj = routePolicySample();
  exact.spec.rules[0].matches[1].headers[0].value = '(?=admin)';
  assertParses(RoutePolicy, exact);
});

test('Exact and PathPrefix values must be absolute paths', () => {
  const o: Obj = routePolicySample();
  o.spec.rules[1].matches[0].path.value = 'old';
  assertIssue(RoutePolicy, o, 'spec.rules[1].matches[0].path.value', /must start with "\/"/);
  const q: Obj = routePolicySample();
  q.spec.rules[1].matches[0].path.value = '/old?x=1';
  assertIssue(RoutePolicy, q, 'spec.rules[1].matches[0].path.value', /"\?"/);
});

test('weights: not all zero, bounded 0..1000000', () => {
  const o: Obj = meshRoutePolicySample();
  o.spec.rules[0].backendRefs[0].weight = 0;
  assertIssue(RoutePolicy, o, 'spec.rules[0].backendRefs', /weights must not all be 0/);
  const big: Obj = meshRoutePolicySample();
  big.spec.rules[0].backendRefs[0].weight = 1_000_001;
  assertIssue(RoutePolicy, big, 'spec.rules[0].backendRefs[0].weight', /1000000/);
  const neg: Obj = meshRoutePolicySample();
  neg.spec.rules[0].backendRefs[0].weight = -1;
  assertIssue(RoutePolicy, neg, 'spec.rules[0].backendRefs[0].weight', /0/);
  const max: Obj = meshRoutePolicySample();
  max.spec.rules[0].backendRefs[0].weight = 1_000_000;
  assertParses(RoutePolicy, max);
});

test('parentRefs: Gateway and Service consistency', () => {
  const mixed: Obj = routePolicySample();
  mixed.spec.parentRefs.push({ group: '', kind: 'Service', name: 'web' });
  assertIssue(RoutePolicy, mixed, 'spec.parentRefs', /all be Gateways or all be Services/);
  const group: Obj = meshRoutePolicySample();
  group.spec.parentRefs[0].group = 'tower.dev';
  assertIssue(RoutePolicy, group, 'spec.parentRefs[0].group', /must be "" \(or omitted\) for kind Service/);
  const gw: Obj = routePolicySample();
  gw.spec.parentRefs[0].group = '';
  assertIssue(RoutePolicy, gw, 'spec.parentRefs[0].group', /must be "tower.dev"/);
  const section: Obj = meshRoutePolicySample();
  section.spec.parentRefs[0].sectionName = 'http';
  assertIssue(RoutePolicy, section, 'spec.parentRefs[0].sectionName', /use port/);
  const hosts: Obj = meshRoutePolicySample();
  hosts.spec.hostnames = ['payments.example.com'];
  assertIssue(RoutePolicy, hosts, 'spec.hostnames', /must be empty when parentRefs are Services/);
  const dup: Obj = routePolicySample();
  dup.spec.parentRefs.push({ ...dup.spec.parentRefs[0] });
  assertIssue(RoutePolicy, dup, 'spec.parentRefs[1]', /duplicate parentRef/);
  const kind: Obj = routePolicySample();
  kind.spec.parentRefs[0].kind = 'HTTPRoute';
  assertIssue(RoutePolicy, kind, 'spec.parentRefs[0].kind', /Gateway|Service/);
});

test('rule names are unique', () => {
  const o: Obj = routePolicySample();
  o.spec.rules[1].name = 'api';
  assertIssue(RoutePolicy, o, 'spec.rules[1]', /duplicate rule name "api"/);
});

test('filters: type names the one member that is set', () => {
  const missing: Obj = routePolicySample();
  missing.spec.rules[0].filters[0] = { type: 'RequestHeaderModifier' };
  assertIssue(RoutePolicy, missing, 'spec.rules[0].filters[0].requestHeaderModifier', /must be set when type is RequestHeaderModifier/);
  const extra: Obj = routePolicySample();
  extra.spec.rules[0].filters[0].cors = { allowOrigins: ['*'] };
  assertIssue(RoutePolicy, extra, 'spec.rules[0].filters[0].cors', /must not be set when type is RequestHeaderModifier/);
  const twice: Obj = routePolicySample();
  twice.spec.rules[0].filters.push(twice.spec.rules[0].filters[0]);
  assertIssue(RoutePolicy, twice, 'spec.rules[0].filters[7].type', /appears more than once/);
  const mirrors: Obj = routePolicySample();
  mirrors.spec.rules[0].filters.push({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'other', port: 80 } } });
  assert.equal(assertParses(RoutePolicy, mirrors).spec.rules[0].filters?.[7].requestMirror?.percent, 100);
});

test('redirect excludes backendRefs and URLRewrite; ReplacePrefixMatch needs PathPrefix matches', () => {
  const withBackends: Obj = routePolicySample();
  withBackends.spec.rules[1].backendRefs = [{ name: 'web', port: 80 }];
  assertIssue(RoutePolicy, withBackends, 'spec.rules[1].backendRefs', /RequestRedirect/);
  const both: Obj = routePolicySample();
  both.spec.rules[1].filters.push({ type: 'URLRewrite', urlRewrite: { hostname: 'x.example.com' } });
  assertIssue(RoutePolicy, both, 'spec.rules[1].filters', /cannot be used together/);
  const prefix: Obj = routePolicySample();
  prefix.spec.rules[1].filters[0].requestRedirect.path = { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' };
  assertIssue(RoutePolicy, prefix, 'spec.rules[1].matches', /PathPrefix/);
  const status: Obj = routePolicySample();
  status.spec.rules[1].filters[0].requestRedirect.statusCode = 304;
  assertIssue(RoutePolicy, status, 'spec.rules[1].filters[0].requestRedirect.statusCode', /./);
});

test('CORS, fault injection and rate limit bounds', () => {
  const cred: Obj = routePolicySample();
  cred.spec.rules[0].filters[4].cors.allowOrigins = ['*'];
  assertIssue(RoutePolicy, cred, 'spec.rules[0].filters[4].cors.allowOrigins', /not "\*"/);
  const origin: Obj = routePolicySample();
  origin.spec.rules[0].filters[4].cors.allowOrigins = ['shop.example.com'];
  assertIssue(RoutePolicy, origin, 'spec.rules[0].filters[4].cors.allowOrigins[0]', /scheme:\/\/host/);
  const pct: Obj = routePolicySample();
  pct.spec.rules[0].filters[5].faultInjection.delay.percent = 100.5;
  assertIssue(RoutePolicy, pct, 'spec.rules[0].filters[5].faultInjection.delay.percent', /100/);
  const abort: Obj = routePolicySample();
  abort.spec.rules[0].filters[5].faultInjection.abort.grpcStatus = 14;
  assertIssue(RoutePolicy, abort, 'spec.rules[0].filters[5].faultInjection.abort', /exactly one of httpStatus, grpcStatus/);
  const delay: Obj = routePolicySample();
  delay.spec.rules[0].filters[5].faultInjection.delay.fixedDelay = '100us';
  assertIssue(RoutePolicy, delay, 'spec.rules[0].filters[5].faultInjection.delay.fixedDelay', /must be a duration/);
  const rl: Obj = routePolicySample();
  rl.spec.rules[0].filters[6].localRateLimit.requests = 0;
  assertIssue(RoutePolicy, rl, 'spec.rules[0].filters[6].localRateLimit.requests', /1/);
  const unit: Obj = routePolicySample();
  unit.spec.rules[0].filters[6].localRateLimit.unit = 'Day';
  assertIssue(RoutePolicy, unit, 'spec.rules[0].filters[6].localRateLimit.unit', /Second/);
});

test('timeouts and retries', () => {
  const dur: Obj = routePolicySample();
  dur.spec.rules[0].timeouts.request = '10 s';
  assertIssue(RoutePolicy, dur, 'spec.rules[0].timeouts.request', /must be a duration/);
  const longer: Obj = routePolicySample();
  longer.spec.rules[0].timeouts.backendRequest = '11s';
  assertIssue(RoutePolicy, longer, 'spec.rules[0].timeouts.backendRequest', /not be longer than timeouts.request/);
  const both: Obj = routePolicySample();
  both.spec.rules[0].retry.perTryTimeout = '1s';
  assertIssue(RoutePolicy, both, 'spec.rules[0].retry.perTryTimeout', /not be set together/);
  const on: Obj = routePolicySample();
  on.spec.rules[0].retry.retryOn = ['5xx', 'teapot'];
  assertIssue(RoutePolicy, on, 'spec.rules[0].retry.retryOn[1]', /5xx/);
  const codes: Obj = routePolicySample();
  codes.spec.rules[0].retry.retryOn = ['5xx'];
  assertIssue(RoutePolicy, codes, 'spec.rules[0].retry.retryOn', /retriable-status-codes/);
  const noCodes: Obj = routePolicySample();
  delete noCodes.spec.rules[0].retry.retriableStatusCodes;
  assertIssue(RoutePolicy, noCodes, 'spec.rules[0].retry.retriableStatusCodes', /must list codes/);
  const attempts: Obj = routePolicySample();
  attempts.spec.rules[0].retry.attempts = 11;
  assertIssue(RoutePolicy, attempts, 'spec.rules[0].retry.attempts', /10/);
  const backoff: Obj = routePolicySample();
  backoff.spec.rules[0].retry.backoff.maxInterval = '10ms';
  assertIssue(RoutePolicy, backoff, 'spec.rules[0].retry.backoff.maxInterval', /shorter than baseInterval/);
  const status: Obj = routePolicySample();
  status.spec.rules[0].retry.retriableStatusCodes = [600];
  assertIssue(RoutePolicy, status, 'spec.rules[0].retry.retriableStatusCodes[0]', /599/);
});

test('unknown fields and list bounds', () => {
  const o: Obj = routePolicySample();
  o.spec.rules[0].matches[0].path.kind = 'x';
  assertIssue(RoutePolicy, o, 'spec.rules[0].matches[0].path.kind', /unknown field/);
  const many: Obj = routePolicySample();
  many.spec.rules[3].backendRefs = Array.from({ length: 17 }, (_, i) => ({ name: `web-${i}`, port: 80 }));
  assertIssue(RoutePolicy, many, 'spec.rules[3].backendRefs', /16/);
  const sixteen: Obj = routePolicySample();
  sixteen.spec.rules[3].backendRefs = Array.from({ length: 16 }, (_, i) => ({ name: `web-${i}`, port: 80 }));
  assertParses(RoutePolicy, sixteen);
  const dupHeader: Obj = routePolicySample();
  dupHeader.spec.rules[0].matches[1].headers.push({ name: 'X-Canary', value: 'yes' });
  assertIssue(RoutePolicy, dupHeader, 'spec.rules[0].matches[1].headers[1]', /duplicate header name/);
  const noRules: Obj = routePolicySample();
  noRules.spec.rules = [];
  assertIssue(RoutePolicy, noRules, 'spec.rules', /./);
  const longName: Obj = routePolicySample();
  longName.spec.rules[0].name = 'a'.repeat(64);
  assertIssue(RoutePolicy, longName, 'spec.rules[0].name', /63/);
});
