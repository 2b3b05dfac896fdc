/**
 * ProgrammedTracker on a real XdsServer and raw ADS clients: a type pending
 * its ACK makes only the objects of that type pending (per-type precision,
 * no per-resource bookkeeping), a NACK is blamed on the resource that changed,
 * a tracker started late learns streams from their next push, and no
 * bookkeeping outlives a stream.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProgrammedTracker, type ObjectProgress } from '../../src/app/programmed-tracker';
import { TypeUrl } from '../../src/envoy/type-urls';
import { makeResource, tableOf, type Resource, type SourceRef } from '../../src/xds/resource';
import { apiListener, cla, cluster, route } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { SotwClient } from '../fixtures/xds-client';
import { until } from './status-fixture';

const svc: SourceRef = { kind: 'Service', namespace: 'shop', name: 'web' };
const bp: SourceRef = { kind: 'BackendPolicy', namespace: 'shop', name: 'web-policy' };
const rp: SourceRef = { kind: 'RoutePolicy', namespace: 'shop', name: 'good' };
const from = (r: Resource, ...sources: SourceRef[]): Resource => makeResource(r.typeUrl, r.name, r.body, sources);

function shopTable(endpoint: string, routeDomains = ['*']) {
  return tableOf([
    from(cluster('web'), svc, bp),
    from(cla('web', [endpoint]), svc),
    from(apiListener('l1', 'r1'), rp),
    from(route('r1', 'web', routeDomains), rp),
  ]);
}

const counts = (p: Map<string, ObjectProgress>, key: string): string => {
  const r = p.get(key)?.byRole.get('gateway');
  return r ? `${r.programmed}/${r.total}` : 'unused';
};

/** Walks CDS → EDS → LDS → RDS, ACKing each (RDS NACKed with `nackRds` when given). */
async function sync(c: SotwClient, nackRds?: string): Promise<void> {
  c.subscribe(TypeUrl.Cluster);
  c.ack(await c.expect(TypeUrl.Cluster));
  c.subscribe(TypeUrl.ClusterLoadAssignment, ['web']);
  c.ack(await c.expect(TypeUrl.ClusterLoadAssignment));
  c.subscribe(TypeUrl.Listener);
  c.ack(await c.expect(TypeUrl.Listener));
  c.subscribe(TypeUrl.RouteConfiguration, ['r1']);
  const rds = await c.expect(TypeUrl.RouteConfiguration);
  if (nackRds === undefined) c.ack(rds);
  else c.nack(rds, nackRds);
}

test('tracker: pending per type until the ACK, NACK blame, late start, no bookkeeping after disconnect', async () => {
  const { server, port } = await startServer();
  let changes = 0;
  const tracker = new ProgrammedTracker({ xds: server, roleOf: () => 'gateway', onChange: () => { changes++; } });
  let late: ProgrammedTracker | undefined;
  const a = new SotwClient(port, { node: { id: 'gw-a', cluster: 'edge' } });
  const b = new SotwClient(port, { node: { id: 'gw-b', cluster: 'edge' } });
  try {
    publish(server, shopTable('10.0.0.1:80'));
    // Pushed, not yet ACKed: pending.
    a.subscribe(TypeUrl.Cluster);
    const cds = await a.expect(TypeUrl.Cluster);
    assert.equal(counts(tracker.progress(), 'Service/shop/web'), '0/1');
    assert.equal(counts(tracker.progress(), 'RoutePolicy/shop/good'), 'unused', 'no listener subscribed yet');
    a.ack(cds);
    await until(() => counts(tracker.progress(), 'BackendPolicy/shop/web-policy'), (s) => s === '1/1', 'CDS ACK');
    a.subscribe(TypeUrl.ClusterLoadAssignment, ['web']);
    a.ack(await a.expect(TypeUrl.ClusterLoadAssignment));
    a.subscribe(TypeUrl.Listener);
    a.ack(await a.expect(TypeUrl.Listener));
    a.subscribe(TypeUrl.RouteConfiguration, ['r1']);
    a.ack(await a.expect(TypeUrl.RouteConfiguration));
    await until(() => counts(tracker.progress(), 'RoutePolicy/shop/good'), (s) => s === '1/1', 'RDS ACK');
    assert.equal(counts(tracker.progress(), 'Service/shop/web'), '1/1');
    assert.ok(changes > 0, 'onChange called');

    // New endpoints: the pushed ClusterLoadAssignment makes the Service pending; route and cluster objects stay programmed.
    publish(server, shopTable('10.0.0.2:80'));
    const eds = await a.expect(TypeUrl.ClusterLoadAssignment);
    const p = tracker.progress();
    assert.deepEqual(['Service/shop/web', 'RoutePolicy/shop/good', 'BackendPolicy/shop/web-policy'].map((k) => counts(p, k)), ['0/1', '1/1', '1/1']);
    a.ack(eds);
    await until(() => counts(tracker.progress(), 'Service/shop/web'), (s) => s === '1/1', 'EDS ACK');

    // A tracker started now learns of gw-a at its next push and ACK.
    late = new ProgrammedTracker({ xds: server, roleOf: () => 'gateway' });
    assert.equal(late.size(), 0);

    // gw-b NACKs the route table without naming it: blamed on what changed (the whole RDS response, its first).
    await sync(b, 'route table is not acceptable');
    const rejected = await until(() => tracker.progress().get('RoutePolicy/shop/good'), (x) => (x?.rejections.length ?? 0) > 0, 'NACK recorded');
    assert.deepEqual(rejected?.rejections.map((r) => [r.nodeId, r.type, r.resource, r.message]), [['gw-b', 'RouteConfiguration', 'r1', 'route table is not acceptable']]);
    assert.equal(counts(tracker.progress(), 'RoutePolicy/shop/good'), '1/2');
    assert.equal(counts(tracker.progress(), 'BackendPolicy/shop/web-policy'), '2/2', 'clusters ACKed by both');
    assert.equal(tracker.progress().get('Service/shop/web')?.rejections.length, 0);

    // A route change both get: gw-a ACKs, the NACK of gw-b stays until it ACKs a later version.
    publish(server, shopTable('10.0.0.2:80', ['shop.example.com']));
    const rdsA = await a.expect(TypeUrl.RouteConfiguration);
    const rdsB = await b.expect(TypeUrl.RouteConfiguration);
    assert.equal(counts(tracker.progress(), 'RoutePolicy/shop/good'), '0/2', 'gw-a pending, gw-b rejected');
    a.ack(rdsA);
    await until(() => counts(tracker.progress(), 'RoutePolicy/shop/good'), (s) => s === '1/2', 'gw-a ACK');
    assert.equal(tracker.progress().get('RoutePolicy/shop/good')?.rejections.length, 1);
    b.ack(rdsB);
    await until(() => tracker.progress().get('RoutePolicy/shop/good'), (x) => x?.rejections.length === 0 && counts(tracker.progress(), 'RoutePolicy/shop/good') === '2/2', 'gw-b ACK clears the NACK');
    assert.equal(late.size(), 2, 'the late tracker learned both streams from their pushes');
    assert.equal(counts(late.progress(), 'RoutePolicy/shop/good'), '2/2');

    a.close();
    b.close();
    await until(() => [tracker.size(), late!.size()], (s) => s[0] === 0 && s[1] === 0, 'bookkeeping dropped on disconnect');
    assert.equal(tracker.progress().size, 0);
  } finally {
    a.close();
    b.close();
    tracker.close();
    late?.close();
    await server.close();
  }
});

test('tracker: a NACK of a complete type is blamed on the resources that differ from the last ACK; its other objects are pending', async () => {
  const { server, port } = await startServer();
  const tracker = new ProgrammedTracker({ xds: server, roleOf: () => 'gateway' });
  const api: SourceRef = { kind: 'Service', namespace: 'shop', name: 'api' };
  const c = new SotwClient(port, { node: { id: 'gw-a', cluster: 'edge' } });
  try {
    publish(server, tableOf([from(cluster('web'), svc), from(cluster('api'), api)]));
    c.subscribe(TypeUrl.Cluster);
    c.ack(await c.expect(TypeUrl.Cluster));
    await until(() => counts(tracker.progress(), 'Service/shop/api'), (s) => s === '1/1', 'CDS ACK');
    publish(server, tableOf([from(cluster('web', { connectTimeoutS: 2 }), svc), from(cluster('api'), api)]));
    const cds = await c.expect(TypeUrl.Cluster);
    assert.deepEqual(cds.names.sort(), ['api', 'web'], 'complete response');
    c.nack(cds, 'cluster rejected');
    const p = await until(() => tracker.progress(), (x) => (x.get('Service/shop/web')?.rejections.length ?? 0) > 0, 'NACK recorded');
    assert.deepEqual(p.get('Service/shop/web')?.rejections.map((r) => [r.type, r.resource]), [['Cluster', 'web']]);
    assert.equal(p.get('Service/shop/api')?.rejections.length, 0, 'api was not changed: not blamed');
    // Per-type precision: the whole Cluster type is not synced, so api counts as pending too (conservative).
    assert.deepEqual([counts(p, 'Service/shop/web'), counts(p, 'Service/shop/api')], ['0/1', '0/1']);
  } finally {
    c.close();
    tracker.close();
    await server.close();
  }
});
