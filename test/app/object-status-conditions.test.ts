/**
 * objectConditions and statusBody on their own: the cases the end-to-end
 * status tests do not reach (missing parents, resources Tower could not
 * build, several roles, policies with a conflicting target).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { objectConditions, statusBody } from '../../src/app/object-status';
import type { ObjectProgress } from '../../src/app/programmed-tracker';
import type { ModelError } from '../../src/model/types';
import type { KubeObject } from '../../src/sources/kinds';

const route = (parents: number): KubeObject => ({
  apiVersion: 'tower.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name: 'r', namespace: 'shop', generation: 3 },
  spec: { parentRefs: Array.from({ length: parents }, (_, i) => ({ kind: 'Gateway', name: `gw-${i}` })), rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a' } }] }] },
});
const source = { kind: 'RoutePolicy', namespace: 'shop', name: 'r' };
const noParent = (i: number): ModelError => ({ code: 'invalid-route', source, path: `spec.parentRefs[${i}]`, message: `gateway shop/gw-${i} does not exist` });
const summary = (cs: { type: string; status: string; reason: string }[]) => cs.map((c) => `${c.type}=${c.status}/${c.reason}`);

test('a RoutePolicy whose parents are all missing is not accepted; one missing parent out of two is noted and that parent says so', () => {
  const all = objectConditions({ kind: 'RoutePolicy', object: route(1), invalid: undefined, modelErrors: [noParent(0)], translationErrors: [], progress: undefined });
  assert.deepEqual(summary(all), ['Accepted=False/NoMatchingParent', 'ResolvedRefs=True/ResolvedRefs', 'Programmed=False/Pending']);
  assert.ok(all.every((c) => c.observedGeneration === 3));

  const some = objectConditions({ kind: 'RoutePolicy', object: route(2), invalid: undefined, modelErrors: [noParent(1)], translationErrors: [], progress: undefined });
  assert.equal(some[0]?.status, 'True');
  assert.equal(some[0]?.message, 'RoutePolicy accepted; spec.parentRefs[1]: gateway shop/gw-1 does not exist');
  const body = statusBody('RoutePolicy', route(2), some, [noParent(1)], 'tower.dev/controller');
  assert.deepEqual(body.parents?.map((p) => [p.parentRef, p.conditions[0]?.status, p.conditions[0]?.reason]), [
    [{ kind: 'Gateway', name: 'gw-0', namespace: 'shop' }, 'True', 'Accepted'],
    [{ kind: 'Gateway', name: 'gw-1', namespace: 'shop' }, 'False', 'NoMatchingParent'],
  ]);
});

test('Programmed: Invalid when Tower could not build a resource; counts per role; rejections first', () => {
  const invalid = objectConditions({
    kind: 'RoutePolicy',
    object: route(1),
    invalid: undefined,
    modelErrors: [],
    translationErrors: [{ typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'http.8080', reason: 'invalid', sources: [source], errors: [{ path: 'virtual_hosts[0].routes[0]', message: 'bad' }], servingLastGood: true }],
    progress: undefined,
  });
  assert.deepEqual(invalid[2], {
    type: 'Programmed',
    status: 'False',
    reason: 'Invalid',
    message: 'Tower could not build RouteConfiguration http.8080 [invalid]: virtual_hosts[0].routes[0]: bad (its last good version is still served)',
    observedGeneration: 3,
  });

  const progress: ObjectProgress = { byRole: new Map([['sidecar', { total: 3, programmed: 3 }], ['gateway', { total: 2, programmed: 2 }], ['proxyless', { total: 1, programmed: 1 }]]), rejections: [] };
  const ok = objectConditions({ kind: 'RoutePolicy', object: route(1), invalid: undefined, modelErrors: [], translationErrors: [], progress });
  assert.equal(ok[2]?.message, 'programmed on 2 of 2 gateway proxies, 1 of 1 proxyless gRPC clients, 3 of 3 sidecar proxies');
  assert.equal(ok[2]?.status, 'True');

  progress.byRole.get('sidecar')!.programmed = 2;
  progress.rejections.push({ nodeId: 'pod-1', role: 'sidecar', type: 'Cluster', resource: 'outbound|80||web', message: 'bad cluster', at: new Date(0) });
  const rejected = objectConditions({ kind: 'RoutePolicy', object: route(1), invalid: undefined, modelErrors: [], translationErrors: [], progress });
  assert.equal(rejected[2]?.reason, 'Rejected');
  assert.equal(rejected[2]?.message, 'sidecar proxy pod-1 rejected Cluster outbound|80||web: bad cluster; programmed on 2 of 2 gateway proxies, 1 of 1 proxyless gRPC clients, 2 of 3 sidecar proxies');
});

test('a policy with one conflicting target of two: Accepted with Conflicted, and that ancestor is not accepted', () => {
  const policy: KubeObject = {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: 'p', namespace: 'shop' },
    spec: { targetRefs: [{ kind: 'Gateway', group: 'tower.dev', name: 'edge', sectionName: 'https' }, { kind: 'Service', group: '', name: 'web' }, { kind: 'RoutePolicy', name: 'r' }] },
  };
  const conflict: ModelError = { code: 'policy-conflict', source: { kind: 'SecurityPolicy', namespace: 'shop', name: 'p' }, path: 'spec.targetRefs[1]', message: 'SecurityPolicy shop/older already applies to service shop/web; this target is ignored' };
  const cs = objectConditions({ kind: 'SecurityPolicy', object: policy, invalid: undefined, modelErrors: [conflict], translationErrors: [], progress: undefined });
  assert.deepEqual(summary(cs), ['Accepted=True/Accepted', 'Conflicted=True/Conflicted', 'ResolvedRefs=True/ResolvedRefs', 'Programmed=False/Pending']);
  assert.match(cs[1]!.message, /SecurityPolicy shop\/older already applies/);
  const body = statusBody('SecurityPolicy', policy, cs, [conflict], 'tower.dev/controller');
  assert.deepEqual(body.ancestors?.map((a) => [a.ancestorRef, a.conditions[0]?.reason]), [
    [{ group: 'tower.dev', kind: 'Gateway', namespace: 'shop', name: 'edge', sectionName: 'https' }, 'Accepted'],
    [{ group: '', kind: 'Service', namespace: 'shop', name: 'web' }, 'Conflicted'],
  ]);
});
