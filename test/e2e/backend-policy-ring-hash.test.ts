/**
 * BackendPolicy RingHash end to end with a real proxyless client: YAML in a
 * folder → Tower → @grpc/grpc-js-xds (gRFC A42 ring_hash with a header hash
 * policy) → RPCs to four loopback gRPC pods of one Service. With the policy,
 * every RPC carrying the same x-user value lands on the same pod and
 * different values spread over several pods; deleting the policy brings
 * round robin back (one user's RPCs visit every pod again).
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { call, converge, echoBackend, outcomeText, type EchoBackend } from '../fixtures/grpc-echo';
import type { Tower } from '../../src/app/start-tower';
import { registerGrpcXds, serviceYaml, startFolderTower } from '../fixtures/tower-e2e';

const pods = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const policy = `apiVersion: tower.dev/v1alpha1
kind: BackendPolicy
metadata: { name: echo-affinity, namespace: shop }
spec:
  targetRefs: [{ kind: Service, name: echo }]
  loadBalancer: { type: RingHash, consistentHash: { type: Header, header: { name: x-user } } }
`;

let dir = '';
let policyFile = '';
let client: grpc.Client | undefined;
let tower: Tower | undefined;
const backends: EchoBackend[] = [];
let nacks: string[] = [];

const asUser = (user: string): grpc.Metadata => {
  const m = new grpc.Metadata();
  m.set('x-user', user);
  return m;
};

/** The pods answering `n` RPCs of one user, in order. */
async function podsFor(c: grpc.Client, user: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(outcomeText(await call(c, asUser(user))));
  return out;
}

before(async () => {
  const first = await echoBackend('pod-0', pods[0], 0);
  backends.push(first);
  for (let i = 1; i < pods.length; i++) backends.push(await echoBackend(`pod-${i}`, pods[i], first.port));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-backend-policy-'));
  policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(path.join(dir, 'services.yaml'), serviceYaml('echo', first.port, pods));
  const started = await startFolderTower(dir);
  tower = started.tower;
  nacks = started.nacks;
  registerGrpcXds(tower.xdsPort, 'backend-policy-ring-hash');
  client = new grpc.Client('xds:///echo.shop.svc.cluster.local:9000', grpc.credentials.createInsecure());
  // No policy: round robin over the four pods.
  await converge(client, 8, (s) => new Set(s).size === pods.length, 'round robin over every pod');
});

after(async () => {
  client?.close();
  await tower?.close();
  for (const b of backends) b.server.forceShutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('RingHash on a header: one user sticks to one pod, users spread over several; removing the policy restores round robin', async (t) => {
  const c = client!;
  const users = Array.from({ length: 24 }, (_, i) => `user-${i}`);
  const t0 = Date.now();
  fs.writeFileSync(policyFile, policy);
  // Converged once three users each see a single pod over 8 RPCs (round robin would show all four to each).
  for (let round = 0; ; round++) {
    const sticky = await Promise.all(['user-a', 'user-b', 'user-c'].map(async (u) => new Set(await podsFor(c, u, 8)).size === 1));
    if (sticky.every(Boolean)) break;
    assert.ok(round < 300, 'ring hash did not take effect');
    await new Promise((r) => setTimeout(r, 50));
  }
  t.diagnostic(`ring hash in effect after ${Date.now() - t0} ms`);
  const podOf = new Map<string, string>();
  for (const u of users) {
    const seen = await podsFor(c, u, 10);
    assert.equal(new Set(seen).size, 1, `${u} landed on several pods: ${seen.join(', ')}`);
    assert.match(seen[0] ?? '', /^pod-\d$/, `${u}: ${seen[0]}`);
    podOf.set(u, seen[0] as string);
  }
  // Asked again later, each user still lands on the same pod.
  for (const u of users) assert.deepEqual(await podsFor(c, u, 3), [podOf.get(u), podOf.get(u), podOf.get(u)]);
  const used = new Set(podOf.values());
  t.diagnostic(`24 users over pods: ${[...used].sort().join(', ')}`);
  // With 4 pods on a 1024+ entry ring, 24 users all hashing to at most one pod has probability far below 1e-9.
  assert.ok(used.size >= 2, `24 users all landed on ${[...used].join(', ')}`);

  const t1 = Date.now();
  fs.rmSync(policyFile);
  // Round robin cycles through the four ready pods: RPC i and i+4 hit the same pod, any four in a row are distinct.
  // (A ring hash without hash policy picks at random: matching this by chance over 12 RPCs has probability ~1e-6.)
  const cyclic = (s: string[]): boolean => new Set(s.slice(0, 4)).size === pods.length && s.every((p, i) => i < 4 || p === s[i - 4]);
  for (let round = 0; ; round++) {
    if (cyclic(await podsFor(c, 'user-a', 12))) break;
    assert.ok(round < 300, 'round robin did not come back');
    await new Promise((r) => setTimeout(r, 50));
  }
  t.diagnostic(`round robin back after ${Date.now() - t1} ms`);
  const again = await podsFor(c, 'user-a', 16);
  assert.ok(cyclic(again), `without the policy one user's RPCs cycle over every pod: ${again.join(', ')}`);
  assert.deepEqual(nacks, []);
});
