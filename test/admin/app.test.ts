/**
 * The whole composition: a folder of manifests → file source → store →
 * translators → xDS server → a raw ADS client, observed through the admin
 * server. A file change reaches the client as a new push.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { parseAllDocuments } from 'yaml';
import { defaultKindRegistry, type KubeObject } from '../../src/sources/kinds';
import type { Source, SourceListener } from '../../src/sources/source';
import { startTower } from '../../src/app/start-tower';
import { parseServeConfig } from '../../src/config/serve-config';
import { messageType } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createLogger } from '../../src/observability/logger';
import { SotwClient, testNode, type SotwResponse } from '../fixtures/xds-client';
import { get, sample } from './http-get';

const Cluster = messageType('envoy.config.cluster.v3.Cluster');
const clusterNames = (r: SotwResponse): string[] => r.resources.map((a) => (Cluster.decode(a.value) as unknown as { name: string }).name);

function service(name: string, ip: string): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec:
  ports: [{ name: http, port: 8080 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-1
  namespace: shop
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
endpoints: [{ addresses: [${ip}], conditions: { ready: true } }]
ports: [{ name: http, port: 8080 }]
`;
}

test('startTower serves a folder to an ADS client and follows file changes', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-app-'));
  fs.writeFileSync(path.join(dir, 'cart.yaml'), service('cart', '10.1.0.1'));
  const config = parseServeConfig(['--files', dir, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  const tower = await startTower(config, { logger: createLogger({ level: 'silent' }) });
  let client: SotwClient | undefined;
  t.after(async () => {
    client?.close();
    await tower.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => tower.readiness.onReady(resolve));
  assert.equal((await get(tower.adminPort, '/readyz')).status, 200);

  client = new SotwClient(tower.xdsPort, { node: testNode('app-1') });
  client.send({ type_url: TypeUrl.Cluster });
  const first = await client.next();
  assert.equal(first.type_url, TypeUrl.Cluster);
  const names = clusterNames(first);
  assert.ok(names.some((n) => n.includes('cart.shop')), names.join(', '));
  client.ack(first);

  const clients = (await get(tower.adminPort, '/debug/clients')).json().clients;
  assert.equal(clients.length, 1);
  const view = clients[0].view as string;
  const dump = (await get(tower.adminPort, '/debug/config_dump?node=app-1')).json();
  const dumped = dump.configs[0].dynamic_active_clusters.map((c: any) => c.cluster);
  assert.deepEqual(dumped.map((c: any) => c.name), [...names].sort());
  assert.ok(dumped.every((c: any) => c['@type'] === TypeUrl.Cluster));

  // A new file: the client is pushed a CDS response that includes the new service.
  fs.writeFileSync(path.join(dir, 'pay.yaml'), service('pay', '10.1.0.2'));
  let next = await client.next();
  while (!clusterNames(next).some((n) => n.includes('pay.shop'))) {
    client.ack(next);
    next = await client.next();
  }
  assert.notEqual(next.version_info, first.version_info);
  client.ack(next);

  const m = (await get(tower.adminPort, '/metrics')).text;
  assert.equal(sample(m, `tower_config_resources{view="${view}",type="CDS"}`), clusterNames(next).length);
  assert.ok((sample(m, 'tower_xds_pushes_total{type="CDS"}') ?? 0) >= 2);
  assert.equal(sample(m, 'tower_ready'), 1);
});

test('a client connecting before the initial sync waits for it, then gets the full configuration', async (t) => {
  // A source the test drives: objects arrive only when the test says so.
  let emit: SourceListener = () => {};
  const source: Source = {
    name: 'test-source',
    start: async (listener) => {
      emit = listener;
    },
    stop: async () => {},
  };
  const config = parseServeConfig(['--files', os.tmpdir(), '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1'], {});
  const tower = await startTower(config, { logger: createLogger({ level: 'silent' }), source });
  let client: SotwClient | undefined;
  t.after(async () => {
    client?.close();
    await tower.close();
  });
  const waiting = await get(tower.adminPort, '/readyz');
  assert.equal(waiting.status, 503);
  assert.deepEqual(waiting.json(), { ready: false, reason: 'initial sync of test-source' });

  client = new SotwClient(tower.xdsPort, { node: testNode('early-1') });
  const connected = once(tower.xds, 'connect');
  client.send({ type_url: TypeUrl.Cluster });
  await connected;
  const before = (await get(tower.adminPort, '/debug/syncz')).json().clients[0];
  assert.equal(before.types.CDS?.sent_version ?? null, null, 'nothing is sent before the initial sync');
  assert.equal((await get(tower.adminPort, '/debug/config_dump?node=early-1')).status, 404);

  const kinds = defaultKindRegistry();
  for (const doc of parseAllDocuments(service('cart', '10.1.0.1'))) {
    const object = doc.toJS() as KubeObject;
    const kind = kinds.get(object.apiVersion, object.kind)!;
    emit({ type: 'upsert', key: `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object, kind, origin: { source: 'cluster', cluster: 'test' } });
  }
  emit({ type: 'synced', source: 'test-source' });
  const r = await client.next();
  assert.ok(clusterNames(r).some((n) => n.includes('cart.shop')));
  assert.equal((await get(tower.adminPort, '/readyz')).status, 200);
});
