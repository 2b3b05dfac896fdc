/**
 * End to end with a real proxyless gRPC client: @grpc/grpc-js-xds resolves
 * xds:///echo through Tower (LDS → RDS → CDS → EDS over ADS) and makes RPCs to
 * small gRPC servers on loopback; when endpoints change, RPCs follow.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { converge, echoBackend } from '../fixtures/grpc-echo';
import { TypeUrl } from '../../src/envoy/type-urls';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';


test('grpc-js-xds client resolves xds:///echo via Tower and follows endpoint changes', async () => {
  const backends = await Promise.all(['s1', 's2', 's3'].map((n) => echoBackend(n)));
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
