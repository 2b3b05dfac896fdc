/** State-of-the-world protocol rules (shared/xds-protocol.md), each over a real ADS stream on loopback. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { SotwClient } from '../fixtures/xds-client';
import { badListener, table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';

async function withServer(fn: (s: Awaited<ReturnType<typeof startServer>>, clients: SotwClient[]) => Promise<void>): Promise<void> {
  const s = await startServer();
  const clients: SotwClient[] = [];
  try { await fn(s, clients); } finally { for (const c of clients) c.close(); await s.server.close(); }
}

test('stale nonce: a request not answering the latest response is ignored (subscription unchanged)', () => withServer(async ({ server, port }, cs) => {
  const c = new SotwClient(port); cs.push(c);
  const b = table().cluster('a');
  publish(server, b.build());
  c.subscribe(TypeUrl.ClusterLoadAssignment, ['a']);
  const r1 = await c.expect(TypeUrl.ClusterLoadAssignment);
  c.ack(r1);
  publish(server, b.cla('a', ['10.0.0.1:80']).build());
  const r2 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r2.names, ['a']);
  // A request carrying the old nonce, asking for other names: stale, ignored.
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names: ['zzz'], response_nonce: r1.nonce, version_info: r1.version_info });
  // A bogus nonce: also ignored.
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names: ['yyy'], response_nonce: 'bogus', version_info: '' });
  assert.deepEqual(await c.barrier(), []);
  assert.deepEqual(server.clients()[0].types[TypeUrl.ClusterLoadAssignment].subscribed, ['a']);
  assert.equal(server.clients()[0].types[TypeUrl.ClusterLoadAssignment].ackedVersion, r1.version_info, 'stale requests ACK nothing');
  c.ack(r2, ['a']);
  assert.deepEqual(await c.barrier(), []);
  assert.equal(server.clients()[0].types[TypeUrl.ClusterLoadAssignment].ackedVersion, r2.version_info);
}));

test('NACK exactly when error_detail is set; the NACKed version is never re-sent; the next good version goes out', () => withServer(async ({ server, port }, cs) => {
  const c = new SotwClient(port); cs.push(c);
  const nacks: string[] = [];
  server.on('nack', (e) => nacks.push(`${e.typeUrl} ${e.version} ${e.errorDetail.message} ${e.resources.map((r) => r.name).join(',')}`));
  const b = table().apiListener('good', 'r');
  publish(server, b.build());
  c.subscribe(TypeUrl.Listener);
  const good = await c.expect(TypeUrl.Listener);
  // An ACK whose version_info is NOT the sent version (Envoy PR 14841): still an ACK, never inferred as NACK.
  c.send({ type_url: TypeUrl.Listener, version_info: 'something-else', response_nonce: good.nonce, resource_names: [] });
  assert.deepEqual(await c.barrier(), []);
  assert.equal(server.clients()[0].types[TypeUrl.Listener].ackedVersion, good.version_info);
  assert.equal(server.clients()[0].types[TypeUrl.Listener].lastNack, undefined);

  publish(server, b.add(badListener('bad')).build());
  const bad = await c.expect(TypeUrl.Listener);
  assert.deepEqual(bad.names.sort(), ['bad', 'good']);
  c.nack(bad, 'Listener bad: no address', good.version_info);
  assert.deepEqual(await c.barrier(), [], 'no re-send of the NACKed version');
  assert.equal(nacks.length, 1);
  assert.match(nacks[0], /Listener bad: no address bad,good|Listener bad: no address good,bad/);
  const st = server.clients()[0].types[TypeUrl.Listener];
  assert.equal(st.ackedVersion, good.version_info, 'bookkeeping keeps the last good version');
  assert.equal(st.lastNack?.version, bad.version_info);
  assert.equal(st.lastNack?.message, 'Listener bad: no address');

  // The same content published again: nothing is sent.
  publish(server, b.build());
  assert.deepEqual(await c.barrier(), []);
  // A fixed config goes out.
  publish(server, b.remove(TypeUrl.Listener, 'bad').apiListener('good2', 'r').build());
  const fixed = await c.expect(TypeUrl.Listener);
  assert.deepEqual(fixed.names.sort(), ['good', 'good2']);
  c.ack(fixed);
  assert.deepEqual(await c.barrier(), []);
  assert.equal(server.clients()[0].types[TypeUrl.Listener].ackedVersion, fixed.version_info);
  assert.equal(nacks.length, 1);
}));

test('LDS/CDS wildcard: explicit "*" or empty first request; after names, an empty list unsubscribes all', () => withServer(async ({ server, port }, cs) => {
  publish(server, table().cluster('a').cluster('b').apiListener('l1', 'r').apiListener('l2', 'r').build());
  const c = new SotwClient(port); cs.push(c);
  c.subscribe(TypeUrl.Cluster, ['*']);
  const cds = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(cds.names.sort(), ['a', 'b']);
  c.ack(cds);
  c.subscribe(TypeUrl.Listener, ['l1']);
  const l1 = await c.expect(TypeUrl.Listener);
  assert.deepEqual(l1.names, ['l1']);
  c.ack(l1);
  c.send({ type_url: TypeUrl.Listener, resource_names: [], response_nonce: l1.nonce, version_info: l1.version_info });
  const none = await c.expect(TypeUrl.Listener);
  assert.deepEqual(none.names, [], 'empty list after names = unsubscribe all');
  c.ack(none, []);
  assert.deepEqual(server.clients()[0].types[TypeUrl.Listener].subscribed, []);
  // EDS is never wildcard: an empty first request subscribes to nothing.
  c.subscribe(TypeUrl.ClusterLoadAssignment, []);
  const eds = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(eds.names, []);
}));

test('names requested before they exist are sent when they appear; newly requested names are always sent', () => withServer(async ({ server, port }, cs) => {
  const b = table().cla('a', ['10.0.0.1:80']);
  publish(server, b.build());
  const c = new SotwClient(port); cs.push(c);
  c.subscribe(TypeUrl.ClusterLoadAssignment, ['a', 'later']);
  const r1 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r1.names, ['a']);
  c.ack(r1);
  publish(server, b.cla('later', ['10.0.0.2:80']).build());
  const r2 = await c.expect(TypeUrl.ClusterLoadAssignment);
  // EDS is a named type: a publish sends only what changed for the client (Envoy keeps 'a').
  assert.deepEqual(r2.names, ['later']);
  c.ack(r2);
  // Drop 'later', then ask for it again: it is sent again although the stream had it.
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names: ['a'], response_nonce: r2.nonce, version_info: r2.version_info });
  const r3 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r3.names, ['a']);
  c.ack(r3);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names: ['a', 'later'], response_nonce: r3.nonce, version_info: r3.version_info });
  const r4 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r4.names.sort(), ['a', 'later']);
  c.ack(r4);
  // Unsubscribing everything (named type): empty response, nothing further.
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names: [], response_nonce: r4.nonce, version_info: r4.version_info });
  const r5 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.deepEqual(r5.names, []);
  c.ack(r5, []);
  publish(server, b.cla('a', ['10.0.0.3:80']).build());
  assert.deepEqual(await c.barrier(), [], 'unsubscribed names are not pushed');
}));

test('no response when nothing changed for the client; unrelated changes do not reach named subscribers', () => withServer(async ({ server, port }, cs) => {
  const b = table().cluster('a').cla('a', ['10.0.0.1:80']).cla('other', ['10.0.0.9:80']);
  publish(server, b.build());
  const c = new SotwClient(port); cs.push(c);
  let pushes = 0;
  server.on('push', (e) => { if (e.typeUrl !== TypeUrl.Secret) pushes++; });
  c.subscribe(TypeUrl.Cluster);
  c.ack(await c.expect(TypeUrl.Cluster));
  c.subscribe(TypeUrl.ClusterLoadAssignment, ['a']);
  c.ack(await c.expect(TypeUrl.ClusterLoadAssignment));
  assert.deepEqual(await c.barrier(), []);
  assert.equal(pushes, 2);
  publish(server, table().cluster('a').cla('a', ['10.0.0.1:80']).cla('other', ['10.0.0.9:80']).build()); // same content, new objects
  publish(server, b.cla('other', ['10.0.0.10:80']).build(), 'default', true); // only an unsubscribed CLA changed
  assert.deepEqual(await c.barrier(), []);
  assert.equal(pushes, 2);
}));

test('CDS changes are followed by a fresh EDS response (Envoy warms clusters only on a new ClusterLoadAssignment)', () => withServer(async ({ server, port }, cs) => {
  const b = table().cluster('a').cla('a', ['10.0.0.1:80']);
  publish(server, b.build());
  const c = new SotwClient(port); cs.push(c);
  c.subscribe(TypeUrl.Cluster);
  c.ack(await c.expect(TypeUrl.Cluster));
  c.subscribe(TypeUrl.ClusterLoadAssignment, ['a']);
  const e1 = await c.expect(TypeUrl.ClusterLoadAssignment);
  c.ack(e1);
  publish(server, b.cluster('a', { connectTimeoutS: 5 }).build());
  c.ack(await c.expect(TypeUrl.Cluster));
  const e2 = await c.expect(TypeUrl.ClusterLoadAssignment);
  assert.equal(e2.version_info, e1.version_info, 'unchanged endpoints, sent again');
  c.ack(e2);
  assert.deepEqual(await c.barrier(), []);
}));

test('per-type service (CDS) accepts an empty type_url and serves only its type; Fetch is not required for streams', () => withServer(async ({ server, port }, cs) => {
  publish(server, table().cluster('a').build());
  const c = new SotwClient(port, { service: 'CDS' }); cs.push(c);
  c.send({ resource_names: [] });
  const r = await c.expect(TypeUrl.Cluster);
  assert.deepEqual(r.names, ['a']);
  assert.equal(server.clients()[0].service, 'CDS');
  c.send({ type_url: TypeUrl.Listener, resource_names: [], response_nonce: r.nonce });
  const st = await c.ended();
  assert.equal(st.code, 3);
  assert.match(st.details, /CDS stream serves only .*Cluster.*Listener/);
}));

test('reconnect: a new stream reporting its last accepted version is answered, with the latest state', () => withServer(async ({ server, port }, cs) => {
  const b = table().cluster('a');
  publish(server, b.build());
  const c1 = new SotwClient(port, { node: { id: 'envoy' } }); cs.push(c1);
  c1.subscribe(TypeUrl.Cluster);
  const r1 = await c1.expect(TypeUrl.Cluster);
  c1.ack(r1);
  c1.close();
  // Same content: the new stream still gets its response (nonces are per stream).
  const c2 = new SotwClient(port, { node: { id: 'envoy' } }); cs.push(c2);
  c2.subscribe(TypeUrl.Cluster, [], '', r1.version_info);
  const r2 = await c2.expect(TypeUrl.Cluster);
  assert.equal(r2.version_info, r1.version_info);
  assert.notEqual(r2.nonce, r1.nonce);
  c2.ack(r2);
  c2.close();
  // Changed while disconnected: no lost update.
  publish(server, b.cluster('b').build());
  const c3 = new SotwClient(port, { node: { id: 'envoy' } }); cs.push(c3);
  c3.subscribe(TypeUrl.Cluster, [], '', r1.version_info);
  assert.deepEqual((await c3.expect(TypeUrl.Cluster)).names.sort(), ['a', 'b']);
}));

test('FetchClusters (unary) returns the current state of the world for the node', () => withServer(async ({ server, port }) => {
  publish(server, table().cluster('a').cluster('b').build());
  const grpc = await import('@grpc/grpc-js');
  const { messageType } = await import('../../src/envoy/proto-root');
  const reqT = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const respT = messageType('envoy.service.discovery.v3.DiscoveryResponse');
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const id = (x: Buffer) => x;
  const call = (req: Record<string, unknown>) => new Promise<Buffer>((resolve, reject) => client.makeUnaryRequest(
    '/envoy.service.cluster.v3.ClusterDiscoveryService/FetchClusters', id, id,
    Buffer.from(reqT.encode(reqT.fromObject(req)).finish()), (e, r) => (e ? reject(e) : resolve(r!))));
  try {
    const res = respT.decode(await call({ node: { id: 'f' }, resource_names: ['b'] })) as unknown as { resources: unknown[]; type_url: string };
    assert.equal(res.type_url, TypeUrl.Cluster);
    assert.equal(res.resources.length, 1);
    await assert.rejects(call({ resource_names: [] }), /must carry node/);
  } finally {
    client.close();
  }
}));

test('endpoint flapping: endpoint-only updates push EDS alone, each one, and the client ends on the last state', () => withServer(async ({ server, port }, cs) => {
  const b = table().cluster('a').cla('a', ['10.0.0.1:80']);
  publish(server, b.build());
  const c = new SotwClient(port); cs.push(c);
  const types: string[] = [];
  server.on('push', (e) => { if (e.typeUrl !== TypeUrl.Secret) types.push(e.typeUrl); });
  c.subscribe(TypeUrl.Cluster);
  c.ack(await c.expect(TypeUrl.Cluster));
  c.subscribe(TypeUrl.ClusterLoadAssignment, ['a']);
  c.ack(await c.expect(TypeUrl.ClusterLoadAssignment));
  types.length = 0;
  let last;
  for (let i = 0; i < 6; i++) {
    publish(server, b.cla('a', i % 2 ? ['10.0.0.1:80'] : ['10.0.0.1:80', '10.0.0.2:80']).build(), 'default', true);
    last = await c.expect(TypeUrl.ClusterLoadAssignment);
    c.ack(last);
  }
  assert.deepEqual(await c.barrier(), []);
  assert.deepEqual(types, Array(6).fill(TypeUrl.ClusterLoadAssignment));
  assert.equal(server.clients()[0].types[TypeUrl.ClusterLoadAssignment].ackedVersion, last!.version_info);
}));
