/** RoutePolicies through the incremental pipeline: a GAMMA policy re-translates the proxyless and sidecar routes of its Service, and its removal restores the catch-all. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { messageType } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { roleFromFlag } from '../../src/model/roles';
import { MeshTranslator } from '../../src/pipeline/mesh-translator';
import type { ResourceTable } from '../../src/xds/resource';
import { service, slice } from '../model/fixtures';

function routeJson(t: ResourceTable, name: string): string {
  const r = t.get(TypeUrl.RouteConfiguration)?.get(name);
  assert.ok(r, `route configuration ${name}`);
  const type = messageType('envoy.config.route.v3.RouteConfiguration');
  return JSON.stringify(type.toObject(type.decode(r.body), { enums: String, longs: Number, defaults: false }));
}

function listenerFilters(t: ResourceTable, name: string): string {
  const r = t.get(TypeUrl.Listener)?.get(name);
  assert.ok(r, `listener ${name}`);
  return Buffer.from(r.body).toString('latin1');
}

test('a RoutePolicy with a Service parent reaches proxyless and sidecar views, and deleting it restores the default route', () => {
  const mt = new MeshTranslator();
  const changes = ['a', 'b'].map((n, i) => ({ type: 'upsert' as const, object: service('shop', n, [{ name: 'grpc', port: 9090 }], { clusterIP: `10.96.0.${i + 1}` }) }));
  mt.update([...changes, { type: 'upsert', object: slice('shop', 'a-1', 'a', [{ name: 'grpc', port: 9090 }], [{ ip: '10.1.0.1' }]) }]);
  const proxyless = mt.addView(roleFromFlag('proxyless', { namespace: 'shop' }));
  const sidecar = mt.addView(roleFromFlag('sidecar-transparent', { namespace: 'shop' }));
  const rds = 'a.shop.svc.cluster.local:9090';
  assert.doesNotMatch(routeJson(proxyless.table, rds), /weighted_clusters/);
  const policy = {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name: 'split', namespace: 'shop' },
    spec: {
      parentRefs: [{ kind: 'Service', group: '', name: 'a' }],
      rules: [{ filters: [{ type: 'FaultInjection', faultInjection: { abort: { grpcStatus: 14, percent: 50 } } }], backendRefs: [{ name: 'a', port: 9090, weight: 80 }, { name: 'b', port: 9090, weight: 20 }] }],
    },
  };
  const r = mt.update([{ type: 'upsert', object: policy }]);
  assert.deepEqual([...r.delta.services], ['shop/a']);
  const p = mt.addView(roleFromFlag('proxyless', { namespace: 'shop' }));
  assert.deepEqual(p.errors, []);
  const routes = routeJson(p.table, rds);
  assert.match(routes, /"weighted_clusters":\{"clusters":\[\{"name":"outbound\|9090\|\|a.shop.svc.cluster.local","weight":\{"value":80\}\},\{"name":"outbound\|9090\|\|b.shop.svc.cluster.local","weight":\{"value":20\}\}\]/);
  assert.match(routes, /envoy.filters.http.fault/);
  assert.match(listenerFilters(p.table, rds), /envoy.filters.http.fault/, 'the api_listener HCM gets the fault filter');
  const s = mt.addView(roleFromFlag('sidecar-transparent', { namespace: 'shop' }));
  assert.match(routeJson(s.table, '9090'), /"weight":\{"value":20\}/);
  mt.update([{ type: 'delete', kind: 'RoutePolicy', namespace: 'shop', name: 'split' }]);
  const after = mt.addView(roleFromFlag('proxyless', { namespace: 'shop' }));
  assert.doesNotMatch(routeJson(after.table, rds), /weighted_clusters|fault/);
  assert.doesNotMatch(listenerFilters(after.table, rds), /envoy.filters.http.fault/);
  void sidecar;
});
