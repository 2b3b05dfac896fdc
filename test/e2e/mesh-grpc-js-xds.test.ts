/**
 * Issue 3 end to end: Services and EndpointSlices in a folder → Tower (file
 * source, model, proxyless translators, validator, xDS server) → a real
 * @grpc/grpc-js-xds client making RPCs to gRPC servers on loopback. Editing
 * the EndpointSlice moves the traffic: a removed endpoint stops getting RPCs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { converge, echoBackend } from '../fixtures/grpc-echo';
import { registerGrpcXds, serviceYaml, startFolderTower } from '../fixtures/tower-e2e';
import { TypeUrl } from '../../src/envoy/type-urls';


const manifests = (port: number, ips: string[]) =>
  `${serviceYaml('echo', port, ips, (i) => `zone-${i % 2 ? 'b' : 'a'}`)}---
apiVersion: v1
kind: Service
metadata: { name: other, namespace: shop }
spec:
  ports: [{ name: grpc, port: 9000, appProtocol: grpc }]
`;

test('Services and EndpointSlices in, real RPCs out through grpc-js-xds; an edit moves traffic', async (t) => {
  // Three backends on distinct loopback addresses sharing one port, as pods behind one EndpointSlice port.
  const first = await echoBackend('pod-a', '127.0.0.2', 0);
  const others = await Promise.all([echoBackend('pod-b', '127.0.0.3', first.port), echoBackend('pod-c', '127.0.0.4', first.port)]);
  const backends = [first, ...others];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-e2e-'));
  const file = path.join(dir, 'echo.yaml');
  fs.writeFileSync(file, manifests(first.port, ['127.0.0.2', '127.0.0.3']));
  const { tower, nacks } = await startFolderTower(dir);
  let client: grpc.Client | undefined;
  t.after(async () => {
    client?.close();
    await tower.close();
    for (const b of backends) b.server.forceShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  registerGrpcXds(tower.xdsPort, 'proxyless-e2e');
  client = new grpc.Client('xds:///echo.shop.svc.cluster.local:9000', grpc.credentials.createInsecure());

  await converge(client, 8, (s) => s.includes('pod-a') && s.includes('pod-b') && s.every((x) => x === 'pod-a' || x === 'pod-b'), 'pod-a and pod-b');
  const me = tower.xds.clients().find((c) => c.node.id === 'proxyless-e2e');
  assert.ok(me, 'the proxyless client is connected');
  for (const type of [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment]) {
    assert.ok(me.types[type]?.ackedVersion, `${type} ACKed`);
  }

  // Remove pod-a and add pod-c: traffic follows the edited file.
  fs.writeFileSync(file, manifests(first.port, ['127.0.0.3', '127.0.0.4']));
  await converge(client, 8, (s) => s.includes('pod-c') && s.every((x) => x === 'pod-b' || x === 'pod-c'), 'pod-b and pod-c only');

  // A shorter target form resolves to the same service.
  const short = new grpc.Client('xds:///echo.shop:9000', grpc.credentials.createInsecure());
  try {
    await converge(short, 4, (s) => s.every((x) => x === 'pod-b' || x === 'pod-c'), 'short name');
  } finally {
    short.close();
  }
  assert.deepEqual(nacks, []);
});
