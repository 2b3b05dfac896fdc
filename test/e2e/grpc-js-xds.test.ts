/**
 * End to end with a real proxyless gRPC client: @grpc/grpc-js-xds resolves
 * xds:///echo through Tower (LDS → RDS → CDS → EDS over ADS) and makes RPCs to
 * small gRPC servers on loopback; when endpoints change, RPCs follow.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../../src/envoy/type-urls';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';

const identity = (b: Buffer): Buffer => b;
const method = '/tower.test.Echo/Who';

async function backend(name: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService({
    Who: { path: method, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  } as grpc.ServiceDefinition, {
    Who: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(name)),
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { server, port };
}

function who(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method, identity, identity, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err, res) => (err ? reject(err) : resolve(res!.toString())));
  });
}

/** Calls until `ok` holds for the answers of one round of `n` calls, with a bound on rounds. */
async function converge(client: grpc.Client, n: number, ok: (seen: string[]) => boolean, what: string): Promise<string[]> {
  let last: string[] = [];
  for (let round = 0; round < 200; round++) {
    last = [];
    for (let i = 0; i < n; i++) {
      try { last.push(await who(client)); } catch (e) { last.push(`error: ${(e as Error).message}`); }
    }
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`RPCs did not converge to ${what}; last round: ${last.join(', ')}`);
}

test('grpc-js-xds client resolves xds:///echo via Tower and follows endpoint changes', async () => {
  const backends = await Promise.all(['s1', 's2', 's3'].map(backend));
  const ep = (i: number) => `127.0.0.1:${backends[i].port}`;
  const { server, port } = await startServer({ selectView: (n) => (n.userAgentName.toLowerCase().includes('grpc') ? 'proxyless' : 'other') });
  const nacks: string[] = [];
  server.on('nack', (e) => nacks.push(`${e.typeUrl}: ${e.errorDetail.message}`));
  const base = () => table().apiListener('echo', 'echo-route').route('echo-route', 'echo-cluster').cluster('echo-cluster');
  publish(server, base().cla('echo-cluster', [ep(0)]).build(), 'proxyless');

  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: 'proxyless-1', cluster: 'test', locality: { region: 'r1', zone: 'z1' } },
  });
  // Loaded only now: grpc-js-xds reads the bootstrap from the environment.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('@grpc/grpc-js-xds') as { register: () => void }).register();
  const client = new grpc.Client('xds:///echo', grpc.credentials.createInsecure());
  try {
    await converge(client, 3, (s) => s.every((x) => x === 's1'), 'all s1');
    const st = server.clients();
    assert.equal(st.length, 1);
    assert.equal(st[0].node.id, 'proxyless-1');
    assert.equal(st[0].viewKey, 'proxyless');
    for (const t of [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment]) {
      assert.ok(st[0].types[t]?.ackedVersion, `${t} ACKed`);
    }

    publish(server, base().cla('echo-cluster', [ep(0), ep(1)]).build(), 'proxyless', true);
    await converge(client, 6, (s) => s.includes('s1') && s.includes('s2') && s.every((x) => x === 's1' || x === 's2'), 's1 and s2');

    publish(server, base().cla('echo-cluster', [ep(2)]).build(), 'proxyless', true);
    await converge(client, 6, (s) => s.every((x) => x === 's3'), 'only s3');

    // Move the route to a new cluster and drop the old one (the client subscribes CDS by name).
    publish(server, table().apiListener('echo', 'echo-route').route('echo-route', 'echo-v2').cluster('echo-v2').cla('echo-v2', [ep(1)]).build(), 'proxyless');
    await converge(client, 6, (s) => s.every((x) => x === 's2'), 'only s2 via the new cluster');
    assert.deepEqual(nacks, []);
  } finally {
    client.close();
    await server.close();
    for (const b of backends) b.server.forceShutdown();
  }
});
