/** The incremental pipeline (MeshTranslator): what changes, what stays identical, last good, dangling. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { roleFromFlag } from '../../src/model/roles';
import type { CompileFn } from '../../src/pipeline/compiler';
import { defaultCompiler } from '../../src/pipeline/default-compiler';
import { MeshTranslator } from '../../src/pipeline/mesh-translator';
import type { ResourceTable } from '../../src/xds/resource';
import { service, slice } from '../model/fixtures';

const roles = [
  roleFromFlag('gateway'),
  roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 's1' } }),
  roleFromFlag('sidecar-explicit', { namespace: 'shop' }),
  roleFromFlag('proxyless', { namespace: 'shop' }),
];

function mesh(n: number): MeshTranslator {
  const mt = new MeshTranslator();
  const changes = [];
  for (let i = 0; i < n; i++) {
    changes.push({ type: 'upsert' as const, object: service('shop', `s${i}`, [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc', port: 9090 }], { clusterIP: `10.96.0.${i + 1}`, selector: { app: `s${i}` } }) });
    changes.push({ type: 'upsert' as const, object: slice('shop', `s${i}-a`, `s${i}`, [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }], [{ ip: `10.1.${i}.1`, zone: 'a' }, { ip: `10.1.${i}.2`, zone: 'b' }]) });
  }
  mt.update(changes);
  return mt;
}

function snapshot(t: ResourceTable | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [typeUrl, byName] of t ?? []) for (const [name, r] of byName) out.set(`${typeUrl} ${name}`, r);
  return out;
}

test('an EndpointSlice change yields exactly the changed ClusterLoadAssignment per view; every other Resource is the same object', () => {
  const mt = mesh(5);
  const before = new Map<string, { snap: Map<string, unknown>; table: ResourceTable }>();
  for (const role of roles) {
    const v = mt.addView(role);
    assert.deepEqual(v.errors, [], v.viewKey);
    assert.ok((v.table.get(TypeUrl.Listener)?.size ?? 0) > 0, v.viewKey);
    before.set(v.viewKey, { snap: snapshot(v.table), table: v.table });
  }
  const r = mt.update([{ type: 'upsert', object: slice('shop', 's2-a', 's2', [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }], [{ ip: '10.1.2.1', zone: 'a' }, { ip: '10.1.2.9', zone: 'b' }]) }]);
  assert.deepEqual([...r.delta.endpoints], ['shop/s2']);
  assert.equal(r.views.length, roles.length);
  const cla80 = 'outbound|80||s2.shop.svc.cluster.local';
  const cla9090 = 'outbound|9090||s2.shop.svc.cluster.local';
  for (const u of r.views) {
    assert.deepEqual(u.changed.map((c) => `${c.typeUrl} ${c.name}`).sort(), [`${TypeUrl.ClusterLoadAssignment} ${cla80}`, `${TypeUrl.ClusterLoadAssignment} ${cla9090}`], u.viewKey);
    assert.deepEqual(u.removed, []);
    const prev = before.get(u.viewKey);
    assert.ok(prev);
    const now = snapshot(u.table);
    assert.equal(now.size, prev.snap.size);
    for (const [k, res] of now) {
      if (k === `${TypeUrl.ClusterLoadAssignment} ${cla80}` || k === `${TypeUrl.ClusterLoadAssignment} ${cla9090}`) assert.notEqual(res, prev.snap.get(k), k);
      else assert.equal(res, prev.snap.get(k), `${u.viewKey}: ${k} should be the same object`);
    }
    // maps of other types are shared as they were
    for (const t of [TypeUrl.Cluster, TypeUrl.Listener, TypeUrl.RouteConfiguration]) assert.equal(u.table.get(t), prev.table.get(t), t);
  }
});

test('changing one slice of a service with one port changes exactly one resource of type CLA', () => {
  const mt = new MeshTranslator();
  mt.update([
    { type: 'upsert', object: service('shop', 'a', [{ name: 'http', port: 80 }]) },
    { type: 'upsert', object: service('shop', 'b', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.2' }) },
    { type: 'upsert', object: slice('shop', 'a-1', 'a', [{ name: 'http', port: 80 }], [{ ip: '10.0.0.1' }]) },
    { type: 'upsert', object: slice('shop', 'a-2', 'a', [{ name: 'http', port: 80 }], [{ ip: '10.0.0.2' }]) },
  ]);
  mt.addView(roleFromFlag('sidecar-explicit'));
  const r = mt.update([{ type: 'upsert', object: slice('shop', 'a-2', 'a', [{ name: 'http', port: 80 }], [{ ip: '10.0.0.2', ready: false, serving: true, terminating: true }]) }]);
  assert.equal(r.views.length, 1);
  assert.deepEqual(r.views[0]?.changed, [{ typeUrl: TypeUrl.ClusterLoadAssignment, name: 'outbound|80||a.shop.svc.cluster.local' }]);
  // no change at all → no view update
  const same = mt.update([{ type: 'upsert', object: slice('shop', 'a-2', 'a', [{ name: 'http', port: 80 }], [{ ip: '10.0.0.2', ready: false, serving: true, terminating: true }]) }]);
  assert.deepEqual(same.views, []);
});

test('a Service change touches only its clusters/CLAs and the route tables that list it; deletion removes them', () => {
  const mt = mesh(3);
  const v0 = mt.addView(roles[2]!); // sidecar explicit
  const snap0 = snapshot(v0.table);
  const r = mt.update([{ type: 'upsert', object: service('shop', 's1', [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc', port: 9090 }, { name: 'http-admin', port: 8081 }], { clusterIP: '10.96.0.2' }) }]);
  const u = r.views[0];
  assert.ok(u);
  assert.deepEqual(u.changed.map((c) => c.name).sort(), ['explicit_outbound', 'outbound|8081||s1.shop.svc.cluster.local', 'outbound|8081||s1.shop.svc.cluster.local']);
  for (const [k, res] of snapshot(u.table)) if (!k.includes('s1.shop') && !k.includes('explicit_outbound')) assert.equal(res, snap0.get(k), k);
  const d = mt.update([{ type: 'delete', kind: 'Service', namespace: 'shop', name: 's1' }]);
  assert.deepEqual(d.views[0]?.removed.map((c) => c.name).sort(), [
    'outbound|8081||s1.shop.svc.cluster.local', 'outbound|8081||s1.shop.svc.cluster.local',
    'outbound|80||s1.shop.svc.cluster.local', 'outbound|80||s1.shop.svc.cluster.local',
    'outbound|9090||s1.shop.svc.cluster.local', 'outbound|9090||s1.shop.svc.cluster.local',
  ]);
});

test('views share encoded resources: the same cluster is one Resource object in every view', () => {
  const mt = mesh(2);
  const tables = roles.map((r) => mt.addView(r).table);
  const name = 'outbound|80||s0.shop.svc.cluster.local';
  const first = tables[0]?.get(TypeUrl.Cluster)?.get(name);
  assert.ok(first);
  for (const t of tables) assert.equal(t.get(TypeUrl.Cluster)?.get(name), first);
});

test('a resource that fails to compile keeps its last good version; what references a never-good resource is dropped as dangling', () => {
  const failing = new Set<string>();
  const real = defaultCompiler();
  const compile: CompileFn = (typeUrl, name, json, sources) =>
    failing.has(name) ? { ok: false, typeUrl, name, sources: sources ?? [], errors: [{ path: 'name', message: 'injected failure' }] } : real.compile(typeUrl, name, json, sources);
  const mt = new MeshTranslator({ compiler: { compile, crossRefs: real.crossRefs } });
  mt.update([{ type: 'upsert', object: service('shop', 'a', [{ name: 'http', port: 80 }]) }]);
  const v = mt.addView(roleFromFlag('sidecar-explicit'));
  const goodCla = v.table.get(TypeUrl.ClusterLoadAssignment)?.get('outbound|80||a.shop.svc.cluster.local');
  assert.ok(goodCla);

  // 1. an EDS update that fails: last good stays, error says so
  failing.add('outbound|80||a.shop.svc.cluster.local');
  let r = mt.update([{ type: 'upsert', object: slice('shop', 'a-1', 'a', [{ name: 'http', port: 80 }], [{ ip: '10.0.0.1' }]) }]);
  let u = r.views[0];
  assert.ok(u);
  assert.equal(u.table.get(TypeUrl.ClusterLoadAssignment)?.get('outbound|80||a.shop.svc.cluster.local'), goodCla);
  assert.deepEqual(u.errors.map((e) => [e.reason, e.name, e.servingLastGood, e.sources.map((s) => s.name)]), [['invalid', 'outbound|80||a.shop.svc.cluster.local', true, ['a', 'a-1']]]);
  failing.clear();

  // 2. a new service whose cluster never compiles: the cluster is missing, so its route table is dropped, and the listener with it
  failing.add('outbound|80||b.shop.svc.cluster.local');
  r = mt.update([{ type: 'upsert', object: service('shop', 'b', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.2' }) }]);
  u = r.views[0];
  assert.ok(u);
  const reasons = u.errors.map((e) => `${e.reason} ${e.typeUrl.slice(e.typeUrl.lastIndexOf('.') + 1)} ${e.name}`).sort();
  assert.deepEqual(reasons, [
    'dangling Listener explicit_outbound',
    'dangling RouteConfiguration explicit_outbound',
    'invalid Cluster outbound|80||b.shop.svc.cluster.local',
    'invalid ClusterLoadAssignment outbound|80||a.shop.svc.cluster.local', // still failing from step 1, last good served
    'invalid ClusterLoadAssignment outbound|80||b.shop.svc.cluster.local', // same name, also injected
  ]);
  assert.equal(u.table.get(TypeUrl.RouteConfiguration)?.has('explicit_outbound') ?? false, false);
  assert.equal(u.table.get(TypeUrl.Listener)?.has('explicit_outbound') ?? false, false);
  assert.ok(u.table.get(TypeUrl.Cluster)?.has('outbound|80||a.shop.svc.cluster.local'));

  // 3. the fix arrives: everything is back and errors are gone
  failing.clear();
  r = mt.update([
    { type: 'upsert', object: service('shop', 'b', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.3' }) },
    { type: 'upsert', object: slice('shop', 'a-1', 'a', [{ name: 'http', port: 80 }], [{ ip: '10.0.0.7' }]) },
  ]);
  u = r.views[0];
  assert.deepEqual(u?.errors, []);
  assert.ok(u?.table.get(TypeUrl.Listener)?.has('explicit_outbound'));
  assert.ok(u?.table.get(TypeUrl.RouteConfiguration)?.has('explicit_outbound'));
});
