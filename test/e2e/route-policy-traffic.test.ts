/**
 * RoutePolicy end to end with a real proxyless client: YAML in a folder →
 * Tower (file source, model, proxyless translator, xDS server) →
 * @grpc/grpc-js-xds → RPCs to loopback gRPC servers. A RoutePolicy whose
 * parent is the Service echo (GAMMA) replaces its catch-all route:
 *  - weighted backends: 100/0 → 80/20 → 0/100 between echo-v1 and echo-v2,
 *    by rewriting the policy file, and the RPC distribution follows;
 *  - a header match (metadata x-canary: true) sends those RPCs to echo-v2.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { call, converge, echoBackend, outcomeText, who, type EchoBackend } from '../fixtures/grpc-echo';
import type { Tower } from '../../src/app/start-tower';
import { registerGrpcXds, serviceYaml, startFolderTower } from '../fixtures/tower-e2e';

const service = (name: string, port: number, ip: string): string => serviceYaml(name, port, [ip]);

const policyHead = `apiVersion: tower.dev/v1alpha1
kind: RoutePolicy
metadata: { name: echo-routes, namespace: shop }
spec:
  parentRefs: [{ kind: Service, group: "", name: echo, port: 9000 }]
  rules:
`;
const weights = (v1: number, v2: number): string => `${policyHead}    - backendRefs:
        - { name: echo-v1, port: 9000, weight: ${v1} }
        - { name: echo-v2, port: 9000, weight: ${v2} }
`;
const headerMatch = `${policyHead}    - matches: [{ headers: [{ name: x-canary, value: "true" }] }]
      backendRefs: [{ name: echo-v2, port: 9000 }]
    - backendRefs: [{ name: echo-v1, port: 9000 }]
`;

let dir = '';
let policyFile = '';
let client: grpc.Client | undefined;
let tower: Tower | undefined;
const backends: EchoBackend[] = [];
let nacks: string[] = [];

before(async () => {
  // Three pods on distinct loopback addresses sharing one port: echo's own, echo-v1's, echo-v2's.
  const base = await echoBackend('echo-pod', '127.0.0.2', 0);
  backends.push(base, await echoBackend('v1-pod', '127.0.0.3', base.port), await echoBackend('v2-pod', '127.0.0.4', base.port));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-route-policy-'));
  policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(
    path.join(dir, 'services.yaml'),
    [service('echo', base.port, '127.0.0.2'), service('echo-v1', base.port, '127.0.0.3'), service('echo-v2', base.port, '127.0.0.4')].join('---\n'),
  );
  const started = await startFolderTower(dir);
  tower = started.tower;
  nacks = started.nacks;
  registerGrpcXds(tower.xdsPort, 'route-policy-traffic');
  client = new grpc.Client('xds:///echo.shop.svc.cluster.local:9000', grpc.credentials.createInsecure());
  // No policy yet: the Service's own endpoints answer.
  await converge(client, 4, (s) => s.every((x) => x === 'echo-pod'), 'echo-pod (no RoutePolicy)');
});

// Known grpc-js-xds 1.14.1 behaviour: PriorityLoadBalancer.destroy() does not clear a pending 10 s
// failover timer, so when a route change drops a cluster whose child was reconnecting, the process
// may stay up to 10 s after everything here is closed (the timer then fires once and nothing is left).
after(async () => {
  client?.close();
  await tower?.close();
  for (const b of backends) b.server.forceShutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** How many of `n` sequential RPCs each backend answered (errors counted under their text). */
async function distribution(c: grpc.Client, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const o = outcomeText(await call(c));
    seen.set(o, (seen.get(o) ?? 0) + 1);
  }
  return seen;
}

test('weighted backends: 100/0 → 80/20 → 0/100 moves real RPCs', async (t) => {
  const c = client!;
  fs.writeFileSync(policyFile, weights(100, 0));
  await converge(c, 8, (s) => s.every((x) => x === 'v1-pod'), 'all v1-pod (100/0)');
  const all1 = await distribution(c, 50);
  assert.deepEqual([...all1], [['v1-pod', 50]], '100/0 sends everything to echo-v1');

  fs.writeFileSync(policyFile, weights(80, 20));
  // The client only reaches v2-pod once it has the 80/20 route (P(no v2 in a round of 30) = 0.8^30 ≈ 0.1 %; rounds repeat).
  await converge(c, 30, (s) => s.includes('v2-pod'), 'v2-pod appears (80/20)');
  const n = 400;
  const split = await distribution(c, n);
  const v1 = split.get('v1-pod') ?? 0;
  const v2 = split.get('v2-pod') ?? 0;
  assert.equal(v1 + v2, n, `every RPC answered by v1 or v2: ${JSON.stringify([...split])}`);
  t.diagnostic(`80/20 over ${n} RPCs: v1 ${v1}, v2 ${v2}`);
  // v2 ~ Binomial(400, 0.2): mean 80, sd 8. Bounds 32..128 (8 %..32 %) are 6 sd away; the exact
  // tails are P(X ≤ 32) ≈ 2.8e-11 and P(X ≥ 128) ≈ 1.0e-8, so a false failure has probability < 1e-7
  // (10 %..30 %, i.e. 40..120, would give ≈ 1.3e-6: too tight).
  assert.ok(v2 >= 32 && v2 <= 128, `v2 share ${v2}/${n} outside 8 %..32 % for weights 80/20`);

  fs.writeFileSync(policyFile, weights(0, 100));
  await converge(c, 8, (s) => s.every((x) => x === 'v2-pod'), 'all v2-pod (0/100)');
  const all2 = await distribution(c, 50);
  assert.deepEqual([...all2], [['v2-pod', 50]], '0/100 sends everything to echo-v2');
  assert.deepEqual(nacks, []);
});

test('header match: metadata x-canary: true goes to echo-v2, the rest to echo-v1', async () => {
  const c = client!;
  fs.writeFileSync(policyFile, headerMatch);
  const canary = new grpc.Metadata();
  canary.set('x-canary', 'true');
  const other = new grpc.Metadata();
  other.set('x-canary', 'false');
  // Converged when plain RPCs reach v1 and canary ones reach v2 (the previous policy sent everything to v2).
  for (let round = 0; ; round++) {
    const plain = await who(c).catch((e: Error) => `error: ${e.message}`);
    const flagged = outcomeText(await call(c, canary));
    if (plain === 'v1-pod' && flagged === 'v2-pod') break;
    assert.ok(round < 300, `header routing did not converge; last: plain ${plain}, canary ${flagged}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 20; i++) {
    assert.equal(outcomeText(await call(c, canary)), 'v2-pod', 'x-canary: true → echo-v2');
    assert.equal(outcomeText(await call(c, other)), 'v1-pod', 'x-canary: false → echo-v1');
    assert.equal(outcomeText(await call(c)), 'v1-pod', 'no x-canary → echo-v1');
  }
  assert.deepEqual(nacks, []);
});
