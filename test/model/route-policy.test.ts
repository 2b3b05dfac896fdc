/** RoutePolicy → model routes: parents, matches, filters, durations, conflicts, missing backends, incremental deltas. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildModel, ModelBuilder } from '../../src/model/model-builder';
import { inputs, service } from './fixtures';

function policy(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind: 'RoutePolicy', metadata: { name, namespace: 'shop', ...meta }, spec };
}

const svcs = [service('shop', 'v1', [{ name: 'http', port: 80 }]), service('shop', 'v2', [{ name: 'http', port: 80 }])];

test('a RoutePolicy becomes a route with its parents, matches, filters and timeouts in milliseconds', () => {
  const { model, errors } = buildModel(
    inputs(
      ...svcs,
      policy('p', {
        parentRefs: [{ kind: 'Service', group: '', name: 'v1', port: 80 }],
        rules: [
          {
            matches: [{ path: { type: 'RegularExpression', value: '^/x$' }, headers: [{ name: 'x-a', value: '1' }], method: 'GET' }],
            filters: [
              { type: 'FaultInjection', faultInjection: { delay: { fixedDelay: '1500ms' } } },
              { type: 'LocalRateLimit', localRateLimit: { requests: 10, unit: 'Minute' } },
              { type: 'RequestMirror', requestMirror: { backendRef: { name: 'v2', port: 80 }, percent: 5 } },
            ],
            timeouts: { request: '2s', backendRequest: '500ms' },
            retry: { attempts: 2 },
            backendRefs: [{ name: 'v2', port: 80, weight: 3 }],
          },
        ],
      }),
    ),
  );
  assert.deepEqual(errors, []);
  const r = model.routes.find((x) => x.key === 'routepolicy/shop/p');
  assert.ok(r);
  assert.deepEqual(r.parents, [{ kind: 'service', service: { namespace: 'shop', name: 'v1' }, port: 80 }]);
  assert.deepEqual(r.rules[0], {
    index: 0,
    matches: [{ path: { type: 'regex', value: '^/x$' }, headers: [{ name: 'x-a', type: 'exact', value: '1' }], method: 'GET' }],
    backends: [{ namespace: 'shop', name: 'v2', port: 80, weight: 3 }],
    filters: {
      fault: { delay: { fixedDelayMs: 1500, percent: 100 } },
      rateLimit: { requests: 10, fillIntervalMs: 60_000, burst: 0 },
      mirrors: [{ backend: { namespace: 'shop', name: 'v2', port: 80, weight: 1 }, percent: 5, filterIndex: 2 }],
    },
    timeoutMs: 2000,
    perTryTimeoutMs: 500,
    retry: { attempts: 2, retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'] },
  });
});

test('conflicting RoutePolicies: the oldest wins, then namespace/name; the loser gets an error naming the winner', () => {
  const spec = (be: string) => ({ parentRefs: [{ name: 'gw' }], hostnames: ['a.example.com'], rules: [{ matches: [{ path: { value: '/x' } }, { path: { value: '/y' } }], backendRefs: [{ name: be, port: 80 }] }] });
  const gw = { apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'shop' }, spec: { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] } };
  const newer = policy('a-newer', { ...spec('v2'), rules: [{ matches: [{ path: { value: '/x' } }], backendRefs: [{ name: 'v2', port: 80 }] }] }, { creationTimestamp: '2026-02-01T00:00:00Z' });
  const older = policy('z-older', spec('v1'), { creationTimestamp: '2026-01-01T00:00:00Z' });
  const { model, errors } = buildModel(inputs(...svcs, gw, newer, older));
  assert.deepEqual(errors.map((e) => [e.code, e.source.name, e.path]), [['route-conflict', 'a-newer', 'spec.rules[0].matches[0]']]);
  assert.match(errors[0]?.message ?? '', /RoutePolicy shop\/z-older already routes this match/);
  const loser = model.routes.find((r) => r.key === 'routepolicy/shop/a-newer');
  assert.deepEqual(loser?.rules[0]?.matches, []);
  // same age (no timestamps): namespace/name decides
  const tie = buildModel(inputs(...svcs, gw, policy('b', spec('v2')), policy('a', spec('v1'))));
  assert.deepEqual(tie.errors.map((e) => [e.source.name, e.path]), [['b', 'spec.rules[0].matches[0]'], ['b', 'spec.rules[0].matches[1]']]);
  // different hosts do not conflict
  const other = buildModel(inputs(...svcs, gw, policy('b', { ...spec('v2'), hostnames: ['b.example.com'] }), policy('a', spec('v1'))));
  assert.deepEqual(other.errors, []);
});

test('a backend naming a missing Service is reported with its field path; a missing Service parent too', () => {
  const { errors } = buildModel(
    inputs(
      ...svcs,
      policy('p', { parentRefs: [{ kind: 'Service', group: '', name: 'nope' }], rules: [{ backendRefs: [{ name: 'v1', port: 80 }, { name: 'ghost', port: 80 }] }, { backendRefs: [{ name: 'ghost', port: 80 }] }] }),
    ),
  );
  assert.deepEqual(errors.map((e) => [e.code, e.path]), [
    ['missing-backend', 'spec.rules[0].backendRefs[1]'],
    ['missing-backend', 'spec.rules[1].backendRefs[0]'],
    ['invalid-route', 'spec.parentRefs[0]'],
  ]);
  assert.match(errors[1]?.message ?? '', /no backend left: the rule answers 500/);
});

test('incremental: a RoutePolicy with a Service parent reports that Service changed (new object), and so does a backend Service change', () => {
  const b = new ModelBuilder();
  b.apply(inputs(...svcs).map((i) => ({ type: 'upsert' as const, object: i.object })));
  const before = b.model().services['shop/v1'];
  const p = policy('p', { parentRefs: [{ kind: 'Service', group: '', name: 'v1' }], rules: [{ backendRefs: [{ name: 'v2', port: 80 }] }] });
  const d1 = b.apply([{ type: 'upsert', object: p }]);
  assert.deepEqual([...d1.services], ['shop/v1']);
  assert.equal(d1.meshWide, true);
  assert.notEqual(b.model().services['shop/v1'], before);
  const d2 = b.apply([{ type: 'upsert', object: service('shop', 'v2', [{ name: 'http', port: 80 }, { name: 'h2', port: 81 }]) }]);
  assert.deepEqual([...d2.services].sort(), ['shop/v1', 'shop/v2']);
  const d3 = b.apply([{ type: 'delete', kind: 'RoutePolicy', namespace: 'shop', name: 'p' }]);
  assert.deepEqual([...d3.services], ['shop/v1']);
  assert.equal(b.model().routes.some((r) => r.key === 'routepolicy/shop/p'), false);
});
