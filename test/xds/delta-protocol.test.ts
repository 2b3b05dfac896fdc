/** Delta (incremental) xDS rules over real ADS delta streams. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { DeltaClient } from '../fixtures/xds-client';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { assertUnique } from './helpers';

async function withServer(fn: (s: Awaited<ReturnType<typeof startServer>>, clients: DeltaClient[]) => Promise<void>): Promise<void> {
  const s = await startServer();
  const clients: DeltaClient[] = [];
  try { await fn(s, clients); } finally { for (const c of clients) c.close(); await s.server.close(); }
}

/** Barrier for delta streams: re-subscribing an existing secret always answers with it. */
async function barrier(c: DeltaClient): Promise<string[]> {
  c.send({ type_url: TypeUrl.Secret, resource_names_subscribe: ['barrier'] });
  const seen: string[] = [];
  for (;;) {
    const r = await c.next();
    if (r.type_url === TypeUrl.Secret) { c.ack(r); return seen; }
    seen.push(`${r.type_url.split('.').pop()} +${r.names.join(',')} -${r.removed.join(',')}`);
  }
}

test('delta wildcard CDS: only changed resources are sent, vanished ones in removed_resources, identical content never re-sent', () => withServer(async ({ server, port }, cs) => {
  const b = table().secret('barrier').cluster('a').cluster('b');
  publish(server, b.build());
  const c = new DeltaClient(port); cs.push(c);
  c.send({ type_url: TypeUrl.Cluster });
  const r1 = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r1.names.sort(), ['a', 'b']);
  assertUnique(r1.names);
  const versions = Object.fromEntries(r1.resources.map((r) => [r.name, r.version]));
  assert.equal(versions.a, b.build().get(TypeUrl.Cluster)!.get('a')!.version, 'per-resource versions come from content');
  c.ack(r1);
  publish(server, b.cluster('b', { connectTimeoutS: 9 }).cluster('c').build());
  const r2 = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r2.names.sort(), ['b', 'c']);
  assert.deepEqual(r2.removed, []);
  c.ack(r2);
  publish(server, b.remove(TypeUrl.Cluster, 'a').build());
  const r3 = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r3.names, []);
  assert.deepEqual(r3.removed, ['a']);
  c.ack(r3);
  publish(server, table().secret('barrier').cluster('b', { connectTimeoutS: 9 }).cluster('c').build());
  assert.deepEqual(await barrier(c), [], 'identical content (new objects) is not re-sent');
  assert.equal(server.clients()[0].variant, 'delta');
}));

test('delta named EDS: subscribe, unsubscribe (superfluous ones ignored), re-subscribe always re-sends', () => withServer(async ({ server, port }, cs) => {
  const b = table().secret('barrier').cla('a', ['10.0.0.1:80']).cla('b', ['10.0.0.2:80']);
  publish(server, b.build());
  const c = new DeltaClient(port); cs.push(c);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['a', 'missing'] });
  const r1 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r1.names, ['a']);
  assert.deepEqual(r1.removed, ['missing'], 'a subscribed name that does not exist is answered in removed_resources, so the client stops waiting for it');
  c.ack(r1);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['b'], resource_names_unsubscribe: ['nope'], response_nonce: r1.nonce });
  const r2 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r2.names, ['b']);
  assert.deepEqual(r2.removed, [], 'told once: missing is not repeated');
  c.ack(r2);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['ghost'], response_nonce: r2.nonce });
  const rg = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual([rg.names, rg.removed], [[], ['ghost']], 'a response holding only the news that a resource does not exist');
  c.ack(rg);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_unsubscribe: ['ghost'], response_nonce: rg.nonce });
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_unsubscribe: ['a', 'a', 'nope'], response_nonce: r2.nonce });
  assert.deepEqual(await barrier(c), [], 'unsubscribing needs no response');
  publish(server, b.cla('a', ['10.0.0.9:80']).cla('missing', ['10.0.0.3:80']).build());
  const r3 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r3.names, ['missing'], 'a name requested before it existed arrives; the unsubscribed one does not');
  c.ack(r3);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['b'], response_nonce: r3.nonce });
  const r4 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r4.names, ['b'], 'a name subscribed again is sent again, unchanged');
  c.ack(r4);
  assert.deepEqual(server.clients()[0].types[TypeUrl.ClusterLoadAssignment].subscribed, ['b', 'missing']);
}));

test('delta: wildcard plus explicit X, unsubscribing X keeps X (still covered by the wildcard)', () => withServer(async ({ server, port }, cs) => {
  const b = table().secret('barrier').cluster('x').cluster('y');
  publish(server, b.build());
  const c = new DeltaClient(port); cs.push(c);
  c.send({ type_url: TypeUrl.Cluster, resource_names_subscribe: ['*', 'x'] });
  const r1 = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r1.names.sort(), ['x', 'y']);
  c.ack(r1);
  c.send({ type_url: TypeUrl.Cluster, resource_names_unsubscribe: ['x'], response_nonce: r1.nonce });
  assert.deepEqual(await barrier(c), [], 'no removal for x');
  publish(server, b.cluster('x', { connectTimeoutS: 7 }).build());
  const r2 = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r2.names, ['x'], 'x still updated through the wildcard');
  c.ack(r2);
}));

test('delta reconnect with initial_resource_versions: only what differs, removed_resources for what vanished', () => withServer(async ({ server, port }, cs) => {
  const t = table().secret('barrier').cluster('same').cluster('changed', { connectTimeoutS: 3 }).build();
  publish(server, t);
  const sameV = t.get(TypeUrl.Cluster)!.get('same')!.version;
  const c = new DeltaClient(port); cs.push(c);
  c.send({ type_url: TypeUrl.Cluster, initial_resource_versions: { same: sameV, changed: 'old-version', gone: 'v0' } });
  const r = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r.names, ['changed']);
  assert.deepEqual(r.removed, ['gone']);
  c.ack(r);
  assert.deepEqual(await barrier(c), []);
}));

test('delta: subscription changes apply even with a stale nonce; ACK/NACK pair only with the latest nonce', () => withServer(async ({ server, port }, cs) => {
  const b = table().secret('barrier').cla('a', ['10.0.0.1:80']).cla('b', ['10.0.0.2:80']);
  publish(server, b.build());
  const c = new DeltaClient(port); cs.push(c);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['a'] });
  const r1 = await c.expect(TypeUrl.ClusterLoadAssignment);
  c.ack(r1);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['b'], response_nonce: 'stale-nonce' });
  const r2 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r2.names, ['b']);
  // A NACK with a stale nonce does not count; the real one does.
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, response_nonce: r1.nonce, error_detail: { code: 3, message: 'old' } });
  assert.deepEqual(await barrier(c), []);
  assert.equal(server.clients()[0].types[TypeUrl.ClusterLoadAssignment].lastNack, undefined);
  c.nack(r2, 'endpoint b rejected');
  assert.deepEqual(await barrier(c), [], 'the NACKed resources are not re-sent');
  const st = server.clients()[0].types[TypeUrl.ClusterLoadAssignment];
  assert.equal(st.lastNack?.message, 'endpoint b rejected');
  // system_version_info is not sent (informational only); the status keeps r1's version as ACKed, r2's as NACKed.
  assert.equal(r1.system_version_info, '');
  assert.equal(st.lastNack?.nonce, r2.nonce);
  assert.ok(st.ackedVersion && st.ackedVersion !== st.lastNack?.version, 'the ACKed version stays apart from the NACKed one');
  publish(server, b.cla('b', ['10.0.0.3:80']).build());
  const r3 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r3.names, ['b'], 'the next version goes out');
  c.ack(r3);
}));

test('delta ADS keeps make-before-break: removed clusters are announced only after routes moved', () => withServer(async ({ server, port }, cs) => {
  publish(server, table().cluster('a').apiListener('l', 'r').route('r', 'a').build());
  const c = new DeltaClient(port); cs.push(c);
  c.send({ type_url: TypeUrl.Cluster });
  c.send({ type_url: TypeUrl.Listener });
  c.send({ type_url: TypeUrl.RouteConfiguration, resource_names_subscribe: ['r'] });
  const log: string[] = [];
  const step = async () => { const r = await c.next(); log.push(`${r.type_url.split('.').pop()} +${r.names.join(',')} -${r.removed.join(',')}`); c.ack(r); };
  for (let i = 0; i < 3; i++) await step();
  assert.deepEqual(log, ['Cluster +a -', 'Listener +l -', 'RouteConfiguration +r -']);
  log.length = 0;
  publish(server, table().cluster('b').apiListener('l', 'r').route('r', 'b').build());
  for (let i = 0; i < 3; i++) await step();
  assert.deepEqual(log, ['Cluster +b -', 'RouteConfiguration +r -', 'Cluster + -a']);
}));
