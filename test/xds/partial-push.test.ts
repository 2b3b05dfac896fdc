/**
 * Only what changed goes out: SotW named types (EDS/RDS/SDS) carry just the
 * changed resources of a publish, delta carries just the changed resource, and
 * the CDS-then-EDS warming rule re-sends CLAs only for new or changed clusters.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { DeltaClient, SotwClient } from '../fixtures/xds-client';
import { table, type TableBuilder } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { assertUnique } from './helpers';

const N = 40;
const names = Array.from({ length: N }, (_, i) => `svc-${i}`);

function mesh(): TableBuilder {
  const b = table().secret('barrier');
  for (const [i, n] of names.entries()) b.cluster(n).cla(n, [`10.0.${i}.1:80`]);
  return b;
}

test('SotW EDS: a change sends only the changed CLA to a client subscribed to many; others get nothing', async () => {
  const { server, port } = await startServer();
  const many = new SotwClient(port, { node: { id: 'many' } });
  const few = new SotwClient(port, { node: { id: 'few' } });
  const pushes: string[] = [];
  server.on('push', (e) => { if (e.typeUrl === TypeUrl.ClusterLoadAssignment) pushes.push(`${e.nodeId} ${e.resources}`); });
  try {
    const b = mesh();
    publish(server, b.build());
    many.subscribe(TypeUrl.ClusterLoadAssignment, names);
    const full = await many.expect(TypeUrl.ClusterLoadAssignment);
    assert.deepEqual([...full.names].sort(), [...names].sort(), 'the initial response has every subscribed CLA');
    assertUnique(full.names);
    many.ack(full);
    few.subscribe(TypeUrl.ClusterLoadAssignment, ['svc-0', 'svc-1']);
    few.ack(await few.expect(TypeUrl.ClusterLoadAssignment));
    pushes.length = 0;

    publish(server, b.cla('svc-7', ['10.9.9.9:80']).build(), 'default', true);
    const r = await many.expect(TypeUrl.ClusterLoadAssignment);
    assert.deepEqual(r.names, ['svc-7'], 'only the changed CLA');
    assert.notEqual(r.version_info, full.version_info, 'the type version moves with the view');
    many.ack(r);
    assert.deepEqual(await many.barrier(), []);
    assert.deepEqual(await few.barrier(), [], 'a client not subscribed to svc-7 gets nothing');
    assert.deepEqual(pushes, ['many 1']);
    assert.equal(server.clients().find((c) => c.node.id === 'many')!.types[TypeUrl.ClusterLoadAssignment].ackedVersion, r.version_info);

    // Two changes while the client has a response in flight collapse into one response holding both.
    publish(server, b.cla('svc-3', ['10.9.9.3:80']).build(), 'default', true);
    const r3 = await many.expect(TypeUrl.ClusterLoadAssignment);
    publish(server, b.cla('svc-4', ['10.9.9.4:80']).cla('svc-3', ['10.9.9.33:80']).build(), 'default', true);
    assert.deepEqual(await many.barrier(), [], 'nothing while a response awaits its ACK');
    many.ack(r3);
    const r4 = await many.expect(TypeUrl.ClusterLoadAssignment);
    assert.deepEqual([...r4.names].sort(), ['svc-3', 'svc-4']);
    many.ack(r4);

    // A NACKed partial response is not re-sent; the next change goes out alone.
    publish(server, b.cla('svc-5', ['10.9.9.5:80']).build(), 'default', true);
    const bad = await many.expect(TypeUrl.ClusterLoadAssignment);
    many.nack(bad, 'rejected svc-5', r4.version_info);
    assert.deepEqual(await many.barrier(), [], 'no re-send after a NACK');
    publish(server, b.cla('svc-6', ['10.9.9.6:80']).build(), 'default', true);
    const next = await many.expect(TypeUrl.ClusterLoadAssignment);
    assert.deepEqual(next.names, ['svc-6']);
    many.ack(next);
  } finally {
    many.close();
    few.close();
    await server.close();
  }
});

test('delta: a change sends only the changed resource (wildcard CDS and named EDS subscribed to many)', async () => {
  const { server, port } = await startServer();
  const c = new DeltaClient(port);
  try {
    const b = mesh();
    publish(server, b.build());
    c.send({ type_url: TypeUrl.Cluster });
    const cds = await c.expect(TypeUrl.Cluster);
    assert.equal(cds.names.length, N);
    c.ack(cds);
    c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: names });
    const eds = await c.expect(TypeUrl.ClusterLoadAssignment);
    assert.equal(eds.names.length, N);
    c.ack(eds);

    publish(server, b.cla('svc-11', ['10.8.8.8:80']).build(), 'default', true);
    const e2 = await c.expect(TypeUrl.ClusterLoadAssignment);
    assert.deepEqual(e2.names, ['svc-11']);
    assert.deepEqual(e2.removed, []);
    c.ack(e2);

    publish(server, b.cluster('svc-12', { connectTimeoutS: 7 }).remove(TypeUrl.Cluster, 'svc-13').build());
    const c2 = await c.expect(TypeUrl.Cluster);
    assert.deepEqual(c2.names, ['svc-12'], 'only the changed cluster');
    assert.deepEqual(c2.removed, ['svc-13']);
    c.ack(c2);
  } finally {
    c.close();
    await server.close();
  }
});

test('CDS then EDS: after a CDS change, EDS re-sends only the CLAs of new or changed clusters', async () => {
  const { server, port } = await startServer();
  const c = new SotwClient(port);
  try {
    const b = mesh().cluster('named', { serviceName: 'named-svc' }).cla('named-svc', ['10.7.7.7:80']);
    publish(server, b.build());
    c.subscribe(TypeUrl.Cluster);
    c.ack(await c.expect(TypeUrl.Cluster));
    c.subscribe(TypeUrl.ClusterLoadAssignment, [...names, 'named-svc']);
    const e1 = await c.expect(TypeUrl.ClusterLoadAssignment);
    assert.equal(e1.names.length, N + 1);
    c.ack(e1);

    // svc-2 changes (its CLA does not); 'named' (CLA named by eds service_name) changes too.
    publish(server, b.cluster('svc-2', { connectTimeoutS: 3 }).cluster('named', { serviceName: 'named-svc', connectTimeoutS: 4 }).build());
    const cds = await c.expect(TypeUrl.Cluster);
    assert.equal(cds.names.length, N + 1, 'CDS responses stay complete');
    c.ack(cds);
    const e2 = await c.expect(TypeUrl.ClusterLoadAssignment);
    assert.deepEqual([...e2.names].sort(), ['named-svc', 'svc-2'], 'a fresh CLA only for the changed clusters');
    assert.equal(e2.version_info, e1.version_info, 'endpoints unchanged: same EDS version');
    c.ack(e2);
    assert.deepEqual(await c.barrier(), []);

    // Removing a cluster owes no CLA.
    publish(server, b.remove(TypeUrl.Cluster, 'svc-9').build());
    c.ack(await c.expect(TypeUrl.Cluster));
    assert.deepEqual(await c.barrier(), []);
  } finally {
    c.close();
    await server.close();
  }
});
