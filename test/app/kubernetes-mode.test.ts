/**
 * Two Towers in Kubernetes mode against the test API server (HTTPS, through
 * @kubernetes/client-node with a kubeconfig file): both serve xDS from the
 * cluster's objects, exactly one holds the Lease `tower` in Tower's namespace,
 * and only that one writes the Gateways' status conditions (once). A Secret
 * created later resolves a Gateway's certificate reference; closing the
 * leader hands the Lease to the other replica.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { towerKinds } from '../../src/api/kinds';
import { startTower, type Tower } from '../../src/app/start-tower';
import { parseServeConfig } from '../../src/config/serve-config';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createLogger } from '../../src/observability/logger';
import { SotwClient } from '../fixtures/xds-client';
import { kubeConfigFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';

const str = (s: string) => ({ stringValue: s });
const gatewayNode = (id: string) => ({ id, cluster: 'edge', metadata: { fields: { TOWER_ROLE: str('gateway'), TOWER_GATEWAY: str('shop/public') } } });
const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Cond { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime?: string }

async function until(pred: () => boolean, what: string, state?: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${state ? `: ${state()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let api: KubeApiServer;
let dir: string;
const towers: Tower[] = [];
const clients: SotwClient[] = [];

before(async () => {
  api = await KubeApiServer.start();
  for (const k of towerKinds) api.registerResource({ group: k.group, version: k.version, plural: k.plural, kind: k.kind, namespaced: true, statusSubresource: true });
  api.put('tower.dev/v1alpha1', 'Gateway', {
    metadata: { name: 'public', namespace: 'shop' },
    spec: { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP', hostnames: ['shop.example.com'] }] },
  });
  api.put('tower.dev/v1alpha1', 'Gateway', {
    metadata: { name: 'secure', namespace: 'shop' },
    spec: { listeners: [{ name: 'https', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'secure-cert' }] } }] },
  });
  api.put('v1', 'Service', { metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 8080 }] } });
  api.put('discovery.k8s.io/v1', 'EndpointSlice', {
    metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 8080 }],
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-kube-'));
  fs.writeFileSync(path.join(dir, 'kubeconfig'), kubeConfigFor(api.url).exportConfig());
});

after(async () => {
  for (const c of clients) c.close();
  for (const t of towers) await t.close();
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startReplica(name: string): Promise<Tower> {
  const config = parseServeConfig(['--kubeconfig', path.join(dir, 'kubeconfig'), '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  const tower = await startTower(config, {
    logger: createLogger({ level: 'silent' }),
    env: { POD_NAME: name, POD_NAMESPACE: 'tower-system' },
    leaderElection: { leaseDurationMs: 10_000, renewDeadlineMs: 8000, retryPeriodMs: 200 },
    statusDelayMs: 20,
  });
  towers.push(tower);
  return tower;
}

const conditions = (name: string): Cond[] => ((api.get('tower.dev/v1alpha1', 'Gateway', 'shop', name) as { status?: { conditions?: Cond[] } } | undefined)?.status?.conditions ?? []);
const cond = (name: string, type: string): Cond | undefined => conditions(name).find((c) => c.type === type);
const statusPatches = (name: string): number => api.requests.filter((r) => r.startsWith(`PATCH /apis/tower.dev/v1alpha1/namespaces/shop/gateways/${name}/status`)).length;

test('two replicas serve xDS, one leads on the Lease and writes Gateway status once', async () => {
  const a = await startReplica('tower-a');
  const b = await startReplica('tower-b');

  // Both serve the Gateway from the cluster, leader or not.
  for (const [i, t] of [a, b].entries()) {
    await new Promise<void>((resolve) => t.readiness.onReady(resolve));
    const c = new SotwClient(t.xdsPort, { node: gatewayNode(`gw-${i}`) });
    clients.push(c);
    c.subscribe(TypeUrl.Listener);
    const lds = await c.expect(TypeUrl.Listener);
    assert.deepEqual(lds.names, ['0.0.0.0_8080'], `replica ${i}`);
    c.ack(lds);
  }

  // Exactly one leader, the holder of tower-system/tower.
  await until(() => (a.leadership()?.isLeader ?? false) || (b.leadership()?.isLeader ?? false), 'a leader');
  const leader = a.leadership()!.isLeader ? a : b;
  const follower = leader === a ? b : a;
  assert.equal(follower.leadership()!.isLeader, false);
  assert.equal(leader.leadership()!.lease, 'tower-system/tower');
  const lease = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'tower') as { spec?: { holderIdentity?: string } } | undefined;
  assert.equal(lease?.spec?.holderIdentity, leader.leadership()!.identity);

  // The leader writes the conditions; they are visible through the API. Programmed counts the
  // proxies connected to the leader that ACKed the Gateway's listener.
  await until(() => cond('public', 'Programmed')?.status === 'True' && cond('secure', 'ResolvedRefs') !== undefined, 'gateway status', () => JSON.stringify(conditions('public')));
  const generation = (api.get('tower.dev/v1alpha1', 'Gateway', 'shop', 'public') as { metadata: { generation?: number } }).metadata.generation;
  assert.equal(cond('public', 'Programmed')?.message, 'programmed on 1 of 1 gateway proxies');
  assert.deepEqual(
    conditions('public').filter((c) => c.type !== 'Programmed').map(({ lastTransitionTime, ...c }) => (assert.ok(lastTransitionTime), c)),
    [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Gateway accepted', ...(generation !== undefined ? { observedGeneration: generation } : {}) },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved', ...(generation !== undefined ? { observedGeneration: generation } : {}) },
    ],
  );
  assert.equal(cond('secure', 'Accepted')?.status, 'True');
  assert.deepEqual(
    { status: cond('secure', 'ResolvedRefs')?.status, reason: cond('secure', 'ResolvedRefs')?.reason, message: cond('secure', 'ResolvedRefs')?.message },
    { status: 'False', reason: 'InvalidCertificateRef', message: 'Secret shop/secure-cert not found' },
  );
  // Both replicas computed it, only the leader wrote (once per change), and the write coming back through the watch changes nothing.
  await a.status.idle();
  await b.status.idle();
  const written = { public: statusPatches('public'), secure: statusPatches('secure') };
  assert.ok(written.public >= 1, `public written ${written.public} times`);
  assert.equal(written.secure, 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual({ public: statusPatches('public'), secure: statusPatches('secure') }, written);

  // The missing Secret appears: both replicas read it (it is referenced), the leader resolves the reference.
  const firstTransition = cond('secure', 'Accepted')?.lastTransitionTime;
  api.put('v1', 'Secret', {
    metadata: { name: 'secure-cert', namespace: 'shop' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pem('CERTIFICATE', 'test certificate')), 'tls.key': b64(pem('PRIVATE KEY', 'test key')) },
  });
  await until(() => cond('secure', 'ResolvedRefs')?.status === 'True', 'ResolvedRefs=True');
  assert.equal(cond('secure', 'Accepted')?.lastTransitionTime, firstTransition, 'unchanged conditions keep their transition time');
  assert.equal(statusPatches('secure'), written.secure + 1);
  const tlsClient = new SotwClient(follower.xdsPort, { node: { ...gatewayNode('gw-secure'), metadata: { fields: { TOWER_ROLE: str('gateway'), TOWER_GATEWAY: str('shop/secure') } } } });
  clients.push(tlsClient);
  tlsClient.subscribe(TypeUrl.Secret, ['shop/secure-cert']);
  assert.deepEqual((await tlsClient.expect(TypeUrl.Secret)).names, ['shop/secure-cert'], 'the follower serves the Secret too');

  // The leader leaves: it releases the Lease and the other replica takes over.
  await leader.close();
  await until(() => follower.leadership()!.isLeader, 'the follower to lead');
  const after = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'tower') as { spec?: { holderIdentity?: string } } | undefined;
  assert.equal(after?.spec?.holderIdentity, follower.leadership()!.identity);
});
