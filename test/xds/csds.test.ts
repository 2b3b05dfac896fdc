/** CSDS over real gRPC calls: per-client, per-resource status, filtered by node_matchers. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { messageType } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { SotwClient, resourceName } from '../fixtures/xds-client';
import { badListener, table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';

const svc = '/envoy.service.status.v3.ClientStatusDiscoveryService';
const reqT = messageType('envoy.service.status.v3.ClientStatusRequest');
const respT = messageType('envoy.service.status.v3.ClientStatusResponse');
const identity = (b: Buffer) => b;

interface Generic { type_url: string; name: string; version_info: string; config_status: string; client_status: string; xds_config?: { type_url: string; value: Uint8Array }; error_state?: { details: string; version_info: string } }
interface Decoded { config: { node: { id: string }; generic_xds_configs: Generic[] }[] }

function decode(b: Buffer): Decoded {
  return respT.toObject(respT.decode(b), { enums: String, defaults: false, arrays: true }) as unknown as Decoded;
}

function fetch(client: grpc.Client, req: Record<string, unknown>): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(`${svc}/FetchClientStatus`, identity, identity, Buffer.from(reqT.encode(reqT.fromObject(req)).finish()),
      (err, res) => (err ? reject(err) : resolve(decode(res!))));
  });
}

test('CSDS reports SYNCED/ACKED, NOT_SENT/REQUESTED, ERROR/NACKED with error_state, STALE; node_matchers filter', async () => {
  const { server, port } = await startServer();
  const a = new SotwClient(port, { node: { id: 'envoy-a', cluster: 'gw' } });
  const b = new SotwClient(port, { node: { id: 'grpc-b' } });
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const t = table().cluster('c1').cla('c1', ['10.0.0.1:80']).apiListener('good', 'r');
    publish(server, t.build());
    a.subscribe(TypeUrl.Cluster);
    a.ack(await a.expect(TypeUrl.Cluster));
    a.subscribe(TypeUrl.ClusterLoadAssignment, ['c1', 'missing']);
    a.ack(await a.expect(TypeUrl.ClusterLoadAssignment));
    a.subscribe(TypeUrl.Listener);
    const good = await a.expect(TypeUrl.Listener);
    a.ack(good);
    publish(server, t.add(badListener('bad')).build());
    a.nack(await a.expect(TypeUrl.Listener), 'Listener bad: missing address', good.version_info);
    b.subscribe(TypeUrl.Cluster);
    await b.expect(TypeUrl.Cluster); // not ACKed: STALE
    await a.barrier();

    const all = await fetch(client, {});
    assert.deepEqual(all.config.map((c) => c.node.id).sort(), ['envoy-a', 'grpc-b']);

    const only = await fetch(client, { node_matchers: [{ node_id: { exact: 'envoy-a' } }] });
    assert.equal(only.config.length, 1);
    const byKey = new Map(only.config[0].generic_xds_configs.map((g) => [`${g.type_url.split('.').pop()}/${g.name}`, g]));
    const c1 = byKey.get('Cluster/c1')!;
    assert.equal(c1.config_status, 'SYNCED');
    assert.equal(c1.client_status, 'ACKED');
    assert.equal(resourceName(c1.xds_config!), 'c1');
    assert.equal(byKey.get('ClusterLoadAssignment/c1')!.client_status, 'ACKED');
    const missing = byKey.get('ClusterLoadAssignment/missing')!;
    assert.equal(missing.config_status, 'NOT_SENT');
    assert.equal(missing.client_status, 'REQUESTED');
    const bad = byKey.get('Listener/bad')!;
    assert.equal(bad.config_status, 'ERROR');
    assert.equal(bad.client_status, 'NACKED');
    assert.equal(bad.error_state!.details, 'Listener bad: missing address');
    assert.ok(bad.error_state!.version_info);
    assert.equal(byKey.get('Listener/good')!.config_status, 'SYNCED');

    const prefix = await fetch(client, { node_matchers: [{ node_id: { prefix: 'grpc-' } }], exclude_resource_contents: true });
    assert.equal(prefix.config.length, 1);
    const stale = prefix.config[0].generic_xds_configs[0];
    assert.equal(stale.config_status, 'STALE');
    assert.equal(stale.xds_config, undefined, 'contents excluded');

    // StreamClientStatus answers each request on the stream.
    const call = client.makeBidiStreamRequest(`${svc}/StreamClientStatus`, identity, identity);
    call.on('error', () => undefined);
    const got = new Promise<Decoded>((resolve) => call.once('data', (d: Buffer) => resolve(decode(d))));
    call.write(Buffer.from(reqT.encode(reqT.fromObject({ node_matchers: [{ node_id: { suffix: '-b' } }] })).finish()));
    assert.deepEqual((await got).config.map((c) => c.node.id), ['grpc-b']);
    call.end();
    call.cancel();
  } finally {
    a.close();
    b.close();
    client.close();
    await server.close();
  }
});
