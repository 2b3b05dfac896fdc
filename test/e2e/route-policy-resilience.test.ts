/**
 * RoutePolicy retries and fault injection end to end with a real proxyless
 * client: YAML in a folder → Tower → @grpc/grpc-js-xds → loopback gRPC
 * servers. RoutePolicies whose parents are Services (GAMMA) replace their
 * catch-all routes:
 *  - retry {attempts: 3, retryOn: [unavailable]} hides a backend that fails
 *    every other RPC with UNAVAILABLE; without it the failures are visible;
 *  - a FaultInjection abort (grpcStatus 14, 100 %) fails every RPC in the
 *    client without reaching the backend; removing it restores success.
 * grpc-js-xds 1.14 enables retries (GRPC_XDS_EXPERIMENTAL_ENABLE_RETRY) and
 * fault injection (GRPC_XDS_EXPERIMENTAL_FAULT_INJECTION) by default.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { call, converge, flakyBackend, outcomeText, type FlakyBackend, type Outcome } from '../fixtures/grpc-echo';
import type { Tower } from '../../src/app/start-tower';
import { registerGrpcXds, serviceYaml, startFolderTower } from '../fixtures/tower-e2e';

const service = (name: string, port: number, ip: string): string => serviceYaml(name, port, [ip]);

/** A RoutePolicy on Service `svc` with one rule to itself; `extra` is YAML for the rule (indented 6). */
const policy = (svc: string, extra: string): string => `apiVersion: tower.dev/v1alpha1
kind: RoutePolicy
metadata: { name: ${svc}-routes, namespace: shop }
spec:
  parentRefs: [{ kind: Service, group: "", name: ${svc}, port: 9000 }]
  rules:
    - backendRefs: [{ name: ${svc}, port: 9000 }]
${extra}`;
const withRetry = policy('flaky', '      retry: { attempts: 3, retryOn: [unavailable] }\n');
const withoutRetry = policy('flaky', '');
const withAbort = policy(
  'steady',
  `      filters:
        - type: FaultInjection
          faultInjection: { abort: { grpcStatus: 14, percent: 100 } }
`,
);
const withoutAbort = policy('steady', '');

let dir = '';
let tower: Tower | undefined;
const clients: grpc.Client[] = [];
const backends: FlakyBackend[] = [];
let nacks: string[] = [];

before(async () => {
  // flaky fails every other RPC it receives with UNAVAILABLE; steady never fails. Both count RPCs.
  const flaky = await flakyBackend('flaky-pod', '127.0.0.2', 0, 2);
  backends.push(flaky, await flakyBackend('steady-pod', '127.0.0.3', flaky.port, 0));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-route-policy-'));
  fs.writeFileSync(path.join(dir, 'services.yaml'), [service('flaky', flaky.port, '127.0.0.2'), service('steady', flaky.port, '127.0.0.3')].join('---\n'));
  const started = await startFolderTower(dir);
  tower = started.tower;
  nacks = started.nacks;
  registerGrpcXds(tower.xdsPort, 'route-policy-resilience');
});

after(async () => {
  for (const c of clients) c.close();
  await tower?.close();
  for (const b of backends) b.server.forceShutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function client(svc: string): grpc.Client {
  const c = new grpc.Client(`xds:///${svc}.shop.svc.cluster.local:9000`, grpc.credentials.createInsecure());
  clients.push(c);
  return c;
}

async function calls(c: grpc.Client, n: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) out.push(await call(c));
  return out;
}

const failures = (list: Outcome[]): Outcome[] => list.filter((o) => !o.ok);
const summary = (list: Outcome[]): string => list.map(outcomeText).join(', ');

test('retry on unavailable hides a flaky backend; without it the failures show', async () => {
  const flaky = backends[0]!;
  const c = client('flaky');
  // No RoutePolicy: the backend's every-other-call UNAVAILABLE reaches the caller.
  await converge(c, 4, (s) => s.includes('flaky-pod'), 'flaky-pod reachable');
  const bare = await calls(c, 20);
  assert.equal(failures(bare).length, 10, `every other RPC fails without retries: ${summary(bare)}`);
  for (const f of failures(bare)) assert.ok(!f.ok && f.code === grpc.status.UNAVAILABLE && f.details.includes('flaked'), outcomeText(f));

  fs.writeFileSync(path.join(dir, 'flaky-policy.yaml'), withRetry);
  // Without retries no round of 10 sequential RPCs can all succeed; once one does, the retry policy is in.
  await converge(c, 10, (s) => s.every((x) => x === 'flaky-pod'), 'all RPCs succeed with retries', 100);
  const before = flaky.calls();
  const retried = await calls(c, 20);
  assert.deepEqual(failures(retried), [], `with retries every RPC succeeds: ${summary(retried)}`);
  // Each RPC whose first attempt hit a failing turn was tried again: at least 19 extra attempts reached the backend.
  assert.ok(flaky.calls() - before >= 39, `backend saw ${flaky.calls() - before} attempts for 20 RPCs`);

  // The same backend, the retry removed: failures are visible again.
  fs.writeFileSync(path.join(dir, 'flaky-policy.yaml'), withoutRetry);
  await converge(c, 10, (s) => s.some((x) => x.includes('UNAVAILABLE')), 'failures visible again', 100);
  const again = await calls(c, 20);
  assert.equal(failures(again).length, 10, `every other RPC fails once the retry is removed: ${summary(again)}`);
  assert.deepEqual(nacks, []);
});

test('fault injection abort grpcStatus 14 at 100 %: the client sees UNAVAILABLE, the backend is never called', async () => {
  const steady = backends[1]!;
  const c = client('steady');
  await converge(c, 4, (s) => s.every((x) => x === 'steady-pod'), 'steady-pod reachable');

  fs.writeFileSync(path.join(dir, 'steady-policy.yaml'), withAbort);
  await converge(c, 4, (s) => s.every((x) => x.includes('Fault injected')), 'aborted by the fault');
  const before = steady.calls();
  const aborted = await calls(c, 20);
  for (const o of aborted) assert.ok(!o.ok && o.code === grpc.status.UNAVAILABLE && o.details === 'Fault injected', outcomeText(o));
  assert.equal(steady.calls(), before, 'aborted RPCs never reach the backend');

  fs.writeFileSync(path.join(dir, 'steady-policy.yaml'), withoutAbort);
  await converge(c, 4, (s) => s.every((x) => x === 'steady-pod'), 'success restored');
  const mid = steady.calls();
  const restored = await calls(c, 20);
  assert.deepEqual(restored.map(outcomeText), Array<string>(20).fill('steady-pod'));
  assert.equal(steady.calls(), mid + 20, 'restored RPCs reach the backend');
  assert.deepEqual(nacks, []);
});
