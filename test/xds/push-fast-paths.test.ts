/**
 * The churn fast paths keep protocol behaviour: SotW requests whose names are
 * byte-identical to the previous ones skip decoding (and still update nothing),
 * changed names are still applied; change hints give the same diff as a full
 * table walk (and are ignored when they do not start from the table set
 * before); named types' versions derived in O(changed) equal full computation.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Resource, ResourceTable } from '../../src/xds/resource';
import { deriveTypeVersion, typeVersion } from '../../src/xds/type-version';
import { viewChanges, viewChangesFromHints } from '../../src/xds/view-changes';
import { canonicalNames, sameNames } from '../../src/xds/names-key';
import { scanSotwRequest, decodeSotwRequest } from '../../src/xds/wire';
import { messageType } from '../../src/envoy/proto-root';
import { SotwClient } from '../fixtures/xds-client';
import { cla, table } from '../fixtures/resources';
import { startServer } from '../fixtures/server';

const CLA = TypeUrl.ClusterLoadAssignment;

function encodeReq(obj: Record<string, unknown>): Buffer {
  const t = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
}

test('scanSotwRequest reads the same fields as the full decoder and keeps names as raw bytes', () => {
  const names = Array.from({ length: 50 }, (_, i) => `outbound|80||svc-${i}.default.svc.cluster.local`);
  const buf = encodeReq({ version_info: 'v1', node: { id: 'n1', cluster: 'c' }, resource_names: names, type_url: CLA, response_nonce: 'x-1', error_detail: { code: 3, message: 'bad' } });
  const full = decodeSotwRequest(buf);
  const s = scanSotwRequest(buf);
  assert.equal(s.versionInfo, full.versionInfo);
  assert.equal(s.typeUrl, full.typeUrl);
  assert.equal(s.responseNonce, full.responseNonce);
  assert.deepEqual(s.errorDetail, full.errorDetail);
  assert.equal(s.node?.id, 'n1');
  assert.equal(s.namesCount, 50);
  assert.deepEqual(s.names(), full.resourceNames);
  const again = scanSotwRequest(encodeReq({ resource_names: names, type_url: CLA, response_nonce: 'x-2' }));
  const held = canonicalNames(s.namesRaw);
  assert.ok(sameNames(held, again.namesRaw), 'same names, same bytes, whatever the other fields');
  assert.equal(canonicalNames(again.namesRaw), held, 'one shared copy per distinct name list');
  assert.ok(!sameNames(held, scanSotwRequest(encodeReq({ resource_names: names.slice(1), type_url: CLA })).namesRaw));
  assert.throws(() => scanSotwRequest(Buffer.from([0x1a, 0x05, 0x61])), /index out of range/, 'truncated names are malformed');
  const badUtf8 = scanSotwRequest(Buffer.from([0x1a, 0x02, 0xc3, 0x28]));
  assert.throws(() => badUtf8.names(), /utf|UTF|invalid/i, 'invalid UTF-8 in names is caught when decoded');
});

test('SotW: repeated names in ACKs do not re-send; a changed name list is applied; invalid UTF-8 names fail the stream', async () => {
  const { server, port } = await startServer();
  const c = new SotwClient(port, { node: { id: 'fast' } });
  const bad = new SotwClient(port, { node: { id: 'bad' } });
  try {
    const b = table().secret('barrier');
    for (let i = 0; i < 30; i++) b.cluster(`s${i}`).cla(`s${i}`, [`10.0.0.${i + 1}:80`]);
    server.setView('default', b.build());
    server.flush();
    const names = Array.from({ length: 30 }, (_, i) => `s${i}`);
    c.subscribe(CLA, names);
    const r1 = await c.expect(CLA);
    assert.equal(r1.names.length, 30);
    c.ack(r1); // same bytes as the subscription: nothing owed
    assert.deepEqual(await c.barrier(), []);
    c.ack(r1); // stale nonce now? no: still the latest CLA nonce; same names again, nothing owed
    assert.deepEqual(await c.barrier(), []);
    // Same names, different order: a new byte string but the same subscription, so nothing is owed.
    c.ack(r1, [...names].reverse());
    assert.deepEqual(await c.barrier(), []);
    // A new name is sent even though the rest repeats.
    b.cla('s30', ['10.0.1.1:80']);
    server.setView('default', b.build());
    server.flush();
    c.ack(r1, [...names, 's30']);
    const r2 = await c.expect(CLA);
    assert.ok(r2.names.includes('s30'), 'the newly subscribed name is sent');
    c.ack(r2);
    assert.deepEqual(await c.barrier(), []);
    const sub = server.clients().find((x) => x.node.id === 'fast')!.types[CLA].subscribed;
    assert.equal((sub as string[]).length, 31);

    bad.subscribe(CLA, ['s1']);
    bad.ack(await bad.expect(CLA));
    const r = messageType('envoy.service.discovery.v3.DiscoveryRequest');
    const head = Buffer.from(r.encode(r.fromObject({ type_url: CLA })).finish());
    bad.sendRaw(Buffer.concat([head, Buffer.from([0x1a, 0x02, 0xc3, 0x28])]));
    const st = await bad.ended();
    assert.equal(st.code, 3);
    assert.match(st.details, /resource_names/);
  } finally {
    c.close();
    bad.close();
    await server.close();
  }
});

function randomTables(seed: number): { a: ResourceTable; b: ResourceTable; changed: { typeUrl: string; name: string }[]; removed: { typeUrl: string; name: string }[] } {
  let x = seed;
  const rnd = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
  const before = new Map<string, Resource>();
  for (let i = 0; i < 60; i++) before.set(`c${i}`, cla(`c${i}`, [`10.0.0.${i % 250}:80`]));
  const after = new Map(before);
  const changed: { typeUrl: string; name: string }[] = [];
  const removed: { typeUrl: string; name: string }[] = [];
  for (let k = 0; k < 12; k++) {
    const i = rnd(70);
    const op = rnd(3);
    if (op === 0 && after.has(`c${i}`)) { after.delete(`c${i}`); removed.push({ typeUrl: CLA, name: `c${i}` }); }
    else if (op === 1) { after.set(`c${i}`, cla(`c${i}`, [`10.9.${k}.${i % 250}:80`])); changed.push({ typeUrl: CLA, name: `c${i}` }); }
    else { const r = before.get(`c${i}`); if (r) { after.set(`c${i}`, cla(`c${i}`, [`10.0.0.${i % 250}:80`])); changed.push({ typeUrl: CLA, name: `c${i}` }); } } // same content, new object
  }
  return { a: new Map([[CLA, before]]), b: new Map([[CLA, after]]), changed, removed };
}

test('change hints give the same change set as a full walk, and derived versions equal full ones', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const { a, b, changed, removed } = randomTables(seed);
    const full = viewChanges(a, b);
    const hinted = viewChangesFromHints(a, b, [{ changed, removed }]);
    const norm = (d: ReturnType<typeof viewChanges>) => [...d.byType].map(([t, c]) => [t, [...c.changed].sort(), [...c.removed].sort()]);
    assert.deepEqual(norm(hinted), norm(full), `seed ${seed}`);
    const before = a.get(CLA)!;
    const after = b.get(CLA)!;
    typeVersion(before);
    const tc = full.byType.get(CLA);
    if (tc) deriveTypeVersion(before, after, tc);
    const derived = typeVersion(after);
    assert.equal(derived, typeVersion(new Map(after)), `seed ${seed}: derived version equals the full computation`);
    assert.equal(derived === typeVersion(before), !tc, 'the version moves exactly when content changed');
  }
});

test('setView: hints from a table other than the one set before are ignored (the tables are diffed)', async () => {
  const { server, port } = await startServer();
  const c = new SotwClient(port, { node: { id: 'h' } });
  try {
    const b = table().secret('barrier').cluster('x').cla('x', ['10.0.0.1:80']).cluster('y').cla('y', ['10.0.0.2:80']);
    const t1 = b.build();
    server.setView('default', t1);
    server.flush();
    c.subscribe(CLA, ['x', 'y']);
    c.ack(await c.expect(CLA));
    const t2 = b.cla('x', ['10.0.0.9:80']).build();
    // Wrong base (not t1) and incomplete hints: must be ignored, so y's change below is still found.
    const t3 = b.cla('y', ['10.0.0.8:80']).build();
    server.setView('default', t3, { endpointsOnly: true, changes: { since: t2, changed: [{ typeUrl: CLA, name: 'y' }], removed: [] } });
    server.flush();
    const r = await c.expect(CLA);
    assert.deepEqual([...r.names].sort(), ['x', 'y'], 'both changes reach the client although the hints named only y');
    c.ack(r);
    // Correct hints from the table set before.
    const t4 = b.cla('x', ['10.0.0.7:80']).build();
    server.setView('default', t4, { endpointsOnly: true, changes: { since: t3, changed: [{ typeUrl: CLA, name: 'x' }], removed: [] } });
    server.flush();
    const r4 = await c.expect(CLA);
    assert.deepEqual(r4.names, ['x']);
    assert.notEqual(r4.version_info, r.version_info);
    c.ack(r4);
    assert.deepEqual(await c.barrier(), []);
  } finally {
    c.close();
    await server.close();
  }
});

test('control_plane goes only in the first response of a stream; nonces are short', async () => {
  const { server, port } = await startServer({ controlPlaneId: 'tower-test' });
  const c = new SotwClient(port, { node: { id: 'cp' } });
  try {
    server.setView('default', table().cluster('x').cla('x', ['10.0.0.1:80']).build());
    server.flush();
    const resp = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    c.subscribe(TypeUrl.Cluster);
    const r1 = await c.expect(TypeUrl.Cluster);
    c.ack(r1);
    c.subscribe(CLA, ['x']);
    const r2 = await c.expect(CLA);
    c.ack(r2);
    const m1 = resp.decode(r1.raw) as unknown as { control_plane?: { identifier?: string } };
    const m2 = resp.decode(r2.raw) as unknown as { control_plane?: { identifier?: string } };
    assert.equal(m1.control_plane?.identifier, 'tower-test');
    assert.equal(m2.control_plane ?? undefined, undefined, "later responses omit it");
    assert.notEqual(r1.nonce, r2.nonce);
    assert.ok(r2.nonce.length <= 4, `short nonce, got ${r2.nonce}`);
  } finally {
    c.close();
    await server.close();
  }
});
