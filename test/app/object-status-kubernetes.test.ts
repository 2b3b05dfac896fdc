/**
 * Object status in Kubernetes mode: Tower (one replica, so it leads) reads
 * the test API server; a raw ADS gateway client ACKs everything; the leader
 * writes RoutePolicy status per parent (status.parents) and BackendPolicy
 * status per target (status.ancestors) through the status subresource, with
 * observedGeneration, Accepted, ResolvedRefs and Programmed "1 of 1". Once
 * settled, recomputing writes nothing; a conflict loser's parent says who won;
 * a BackendPolicy naming a missing Service says so.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTowerObject, towerKinds } from '../../src/api/kinds';
import { startTower, type Tower } from '../../src/app/start-tower';
import { parseServeConfig } from '../../src/config/serve-config';
import { createLogger } from '../../src/observability/logger';
import { SotwClient } from '../fixtures/xds-client';
import { kubeConfigFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';
import { backendPolicy, gateway, gatewayNode, routeMatches, routePolicy, service, slice, syncGateway, until } from './status-fixture';

interface Cond { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime?: string }
interface RefStatus { parentRef?: Record<string, unknown>; ancestorRef?: Record<string, unknown>; controllerName: string; conditions: Cond[] }
interface Status { parents?: RefStatus[]; ancestors?: RefStatus[]; conditions?: Cond[] }

const towerApi = 'tower.dev/v1alpha1';
let api: KubeApiServer;
let dir: string;
let tower: Tower | undefined;
const clients: SotwClient[] = [];

before(async () => {
  api = await KubeApiServer.start();
  for (const k of towerKinds) api.registerResource({ group: k.group, version: k.version, plural: k.plural, kind: k.kind, namespaced: true, statusSubresource: true });
  api.put(towerApi, 'Gateway', gateway);
  api.put('v1', 'Service', service);
  api.put('discovery.k8s.io/v1', 'EndpointSlice', slice);
  api.put(towerApi, 'RoutePolicy', routePolicy('good', '2024-01-01T00:00:00Z', ['/good']));
  api.put(towerApi, 'RoutePolicy', routePolicy('shadow', '2025-01-01T00:00:00Z', ['/good']));
  // Never valid: a regex RE2 rejects. Nothing parsed to hang per-parent status on.
  api.put(towerApi, 'RoutePolicy', routePolicy('broken', '2025-02-01T00:00:00Z', ['/a(b'], 'RegularExpression'));
  api.put(towerApi, 'BackendPolicy', backendPolicy);
  api.put(towerApi, 'BackendPolicy', { metadata: { name: 'nowhere', namespace: 'shop' }, spec: { targetRefs: [{ group: '', kind: 'Service', name: 'missing' }], connectTimeout: '1s' } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-status-kube-'));
  fs.writeFileSync(path.join(dir, 'kubeconfig'), kubeConfigFor(api.url).exportConfig());
});

after(async () => {
  for (const c of clients) c.close();
  await tower?.close();
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const statusOf = (kind: string, name: string): Status => ((api.get(towerApi, kind, 'shop', name) as { status?: Status } | undefined)?.status ?? {});
const generationOf = (kind: string, name: string): number | undefined => (api.get(towerApi, kind, 'shop', name) as { metadata: { generation?: number } }).metadata.generation;
const refCond = (refs: RefStatus[] | undefined, type: string): Cond | undefined => refs?.[0]?.conditions.find((c) => c.type === type);
const patches = (plural: string, name: string): number => api.requests.filter((r) => r.startsWith(`PATCH /apis/tower.dev/v1alpha1/namespaces/shop/${plural}/${name}/status`)).length;

test('the leader writes RoutePolicy and BackendPolicy conditions through the status subresource', async () => {
  const config = parseServeConfig(['--kubeconfig', path.join(dir, 'kubeconfig'), '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  tower = await startTower(config, {
    logger: createLogger({ level: 'silent' }),
    env: { POD_NAME: 'tower-0', POD_NAMESPACE: 'tower-system' },
    leaderElection: { leaseDurationMs: 10_000, renewDeadlineMs: 8000, retryPeriodMs: 200 },
    statusDelayMs: 10,
    programmedDelayMs: 20,
  });
  await new Promise<void>((resolve) => tower!.readiness.onReady(resolve));
  await until(() => tower!.leadership()?.isLeader ?? false, (v) => v, 'leadership');

  const c = new SotwClient(tower.xdsPort, { node: gatewayNode('gw-kube') });
  clients.push(c);
  const rds = await syncGateway(c);
  assert.ok(routeMatches(rds).includes('prefix /good'));

  // RoutePolicy good: one parent, programmed on the one gateway proxy.
  const good = await until(() => statusOf('RoutePolicy', 'good'), (s) => refCond(s.parents, 'Programmed')?.status === 'True', 'RoutePolicy good Programmed=True');
  const gen = generationOf('RoutePolicy', 'good');
  assert.equal(good.parents?.length, 1);
  assert.deepEqual(good.parents![0]!.parentRef, { kind: 'Gateway', name: 'public', namespace: 'shop' });
  assert.equal(good.parents![0]!.controllerName, 'tower.dev/controller');
  assert.deepEqual(
    good.parents![0]!.conditions.map(({ lastTransitionTime, ...rest }) => (assert.match(lastTransitionTime ?? '', /Z$/), rest)),
    [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'RoutePolicy accepted', ...(gen !== undefined ? { observedGeneration: gen } : {}) },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved', ...(gen !== undefined ? { observedGeneration: gen } : {}) },
      { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'programmed on 1 of 1 gateway proxies', ...(gen !== undefined ? { observedGeneration: gen } : {}) },
    ],
  );

  // Every kind also carries the whole object's verdict at status.conditions (kubectl wait, printer columns).
  assert.equal(good.conditions?.find((x) => x.type === 'Programmed')?.message, 'programmed on 1 of 1 gateway proxies');
  // A RoutePolicy no version of which was ever valid still says why, at status.conditions.
  const broken = await until(() => statusOf('RoutePolicy', 'broken'), (s) => s.conditions?.some((x) => x.type === 'Accepted') ?? false, 'RoutePolicy broken status');
  const rejected = broken.conditions!.find((x) => x.type === 'Accepted')!;
  assert.deepEqual([rejected.status, rejected.reason], ['False', 'Invalid']);
  assert.match(rejected.message, /spec\.rules\[0\]\.matches\[0\]\.path\.value/);
  assert.deepEqual(broken.parents ?? [], []);

  // The loser's parent says who won.
  const shadow = await until(() => statusOf('RoutePolicy', 'shadow'), (s) => refCond(s.parents, 'Accepted') !== undefined, 'RoutePolicy shadow status');
  const lost = refCond(shadow.parents, 'Accepted')!;
  assert.deepEqual([lost.status, lost.reason], ['False', 'Conflicted']);
  assert.match(lost.message, /RoutePolicy shop\/good already routes this match/);

  // BackendPolicy: per target Service, programmed through the cluster it shapes.
  const bp = await until(() => statusOf('BackendPolicy', 'web-policy'), (s) => refCond(s.ancestors, 'Programmed')?.status === 'True', 'BackendPolicy Programmed=True');
  assert.deepEqual(bp.ancestors![0]!.ancestorRef, { group: '', kind: 'Service', namespace: 'shop', name: 'web' });
  assert.equal(refCond(bp.ancestors, 'Accepted')?.status, 'True');
  assert.equal(refCond(bp.ancestors, 'Programmed')?.message, 'programmed on 1 of 1 gateway proxies');
  assert.equal(refCond(bp.ancestors, 'Accepted')?.observedGeneration, generationOf('BackendPolicy', 'web-policy'));

  // A BackendPolicy on a missing Service: its target is not found.
  const nowhere = await until(() => statusOf('BackendPolicy', 'nowhere'), (s) => refCond(s.ancestors, 'Accepted') !== undefined, 'BackendPolicy nowhere status');
  const missing = refCond(nowhere.ancestors, 'Accepted')!;
  assert.equal(missing.status, 'False');
  assert.match(missing.message, /spec\.targetRefs\[0\].*missing/);

  // What was written is valid for Tower's own schemas (Tower reads it back through its watch), and still Accepted.
  for (const [kind, name] of [['RoutePolicy', 'good'], ['RoutePolicy', 'shadow'], ['BackendPolicy', 'web-policy'], ['BackendPolicy', 'nowhere'], ['Gateway', 'public']] as const) {
    const r = parseTowerObject(api.get(towerApi, kind, 'shop', name), `${kind} ${name}`);
    assert.ok(r.ok, !r.ok ? r.errors.join('\n') : '');
  }
  assert.equal(tower.status.list({ kind: 'RoutePolicy', name: 'good' })[0]?.conditions.find((x) => x.type === 'Accepted')?.status, 'True');

  // Settled: recomputing hands nothing new to the writer, so nothing is written.
  await tower.status.idle();
  const before = patches('routepolicies', 'good') + patches('backendpolicies', 'web-policy');
  tower.status.flush();
  await tower.status.idle();
  assert.equal(patches('routepolicies', 'good') + patches('backendpolicies', 'web-policy'), before);
});
