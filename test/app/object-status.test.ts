/**
 * Object status in file mode, over real streams: Tower serves a folder; raw
 * ADS gateway clients ACK or NACK; /debug/status shows, per object:
 *  - a RoutePolicy with an invalid RE2 regex: Accepted=False naming
 *    spec.rules[0].matches[0].path.value, while the good RoutePolicy beside
 *    it still routes (asserted on the RouteConfiguration a client receives);
 *  - conflict losers: Accepted=True + Conflicted naming the winner when one
 *    match lost, Accepted=False/Conflicted when every match lost;
 *  - Programmed=True "programmed on 1 of 1 gateway proxies" after the ACK,
 *    then False/Rejected quoting a second client's NACK on the objects that
 *    produced the rejected RouteConfiguration, while the BackendPolicy (its
 *    cluster was ACKed by both) says "2 of 2";
 *  - the rejected object is logged once as a warning;
 *  - an object made invalid keeps its last good version, and says so;
 *  - with a delta client, Programmed is Pending after an edit until the
 *    client ACKs the new version.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startTower } from '../../src/app/start-tower';
import { parseServeConfig } from '../../src/config/serve-config';
import { createLogger } from '../../src/observability/logger';
import { get } from '../admin/http-get';
import { TypeUrl } from '../../src/envoy/type-urls';
import { decodeAny, DeltaClient, SotwClient } from '../fixtures/xds-client';
import { backendPolicy, gateway, gatewayNode, routeMatches, routePolicy, service, slice, syncGateway, until } from './status-fixture';

interface Cond { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime: string }
interface Obj { kind: string; namespace: string; name: string; generation: number | null; conditions: Cond[]; parents?: unknown[]; ancestors?: unknown[] }

class Lines extends Writable {
  readonly lines: { level: string; msg: string }[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const l of chunk.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as { level: string; msg: string });
    cb();
  }
}

const doc = (apiVersion: string, kind: string, o: Record<string, unknown>): string => stringify({ apiVersion, kind, ...o });

test('file mode: Accepted, Conflicted, ResolvedRefs and Programmed (ACK and NACK) at /debug/status', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-status-'));
  const tower = 'tower.dev/v1alpha1';
  fs.writeFileSync(
    path.join(dir, 'shop.yaml'),
    [
      doc(tower, 'Gateway', gateway),
      doc('v1', 'Service', service),
      doc('discovery.k8s.io/v1', 'EndpointSlice', slice),
      doc(tower, 'BackendPolicy', backendPolicy),
      doc(tower, 'RoutePolicy', routePolicy('good', '2024-01-01T00:00:00Z', ['/good'])),
      doc(tower, 'RoutePolicy', routePolicy('partial', '2025-01-01T00:00:00Z', ['/good', '/partial'])),
      doc(tower, 'RoutePolicy', routePolicy('shadow', '2025-02-01T00:00:00Z', ['/good'])),
    ].join('---\n'),
  );
  fs.writeFileSync(path.join(dir, 'bad.yaml'), doc(tower, 'RoutePolicy', routePolicy('bad', '2024-06-01T00:00:00Z', ['/bad/(unclosed'], 'RegularExpression')));
  const logs = new Lines();
  const config = parseServeConfig(['--files', dir, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  const app = await startTower(config, { logger: createLogger({ level: 'info', destination: logs }), statusDelayMs: 5, programmedDelayMs: 20 });
  const clients: SotwClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => app.readiness.onReady(resolve));

  const status = async (query: string): Promise<Obj[]> => {
    const r = await get(app.adminPort, `/debug/status${query}`);
    assert.equal(r.status, 200, r.text);
    return r.json<{ objects: Obj[] }>().objects;
  };
  const one = async (kind: string, name: string): Promise<Obj | undefined> => (await status(`?kind=${kind}&namespace=shop&name=${name}`))[0];
  const cond = (o: Obj | undefined, type: string): Cond | undefined => o?.conditions.find((c) => c.type === type);
  const condOf = async (kind: string, name: string, type: string) => cond(await one(kind, name), type);

  // The bad RoutePolicy: rejected, naming the field; never valid, so nothing of it is in effect.
  const bad = await until(() => one('RoutePolicy', 'bad'), (o) => o !== undefined, 'status of RoutePolicy bad');
  const badAccepted = cond(bad, 'Accepted')!;
  assert.equal(badAccepted.status, 'False');
  assert.equal(badAccepted.reason, 'Invalid');
  assert.match(badAccepted.message, /RoutePolicy\/shop\/bad: field spec\.rules\[0\]\.matches\[0\]\.path\.value: /);
  assert.match(badAccepted.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(cond(bad, 'Programmed')?.reason, 'Pending');

  // Conflicts: the oldest wins; a loser names the winner.
  const partial = await one('RoutePolicy', 'partial');
  assert.equal(cond(partial, 'Accepted')?.status, 'True');
  const conflicted = cond(partial, 'Conflicted');
  assert.equal(conflicted?.status, 'True');
  assert.equal(conflicted?.reason, 'Conflicted');
  assert.match(conflicted!.message, /^spec\.rules\[0\]\.matches\[0\]: RoutePolicy shop\/good already routes this match/);
  const shadow = await one('RoutePolicy', 'shadow');
  assert.deepEqual([cond(shadow, 'Accepted')?.status, cond(shadow, 'Accepted')?.reason], ['False', 'Conflicted']);
  assert.match(cond(shadow, 'Accepted')!.message, /RoutePolicy shop\/good already routes this match/);
  const good = await one('RoutePolicy', 'good');
  assert.deepEqual(
    good?.conditions.map((c) => [c.type, c.status, c.reason]),
    [['Accepted', 'True', 'Accepted'], ['ResolvedRefs', 'True', 'ResolvedRefs'], ['Programmed', 'False', 'Pending']],
  );
  assert.equal(cond(good, 'Programmed')?.message, 'no connected proxy uses this object');
  assert.equal(good?.generation, null, 'files carry no generation');
  assert.equal((good?.parents as { parentRef: unknown }[])[0]?.parentRef !== undefined, true, 'per-parent status as written to a cluster');

  // A gateway client gets the good route (and the partial one's own match), never the bad regex; it ACKs everything.
  const a = new SotwClient(app.xdsPort, { node: gatewayNode('gw-a') });
  clients.push(a);
  const rds = await syncGateway(a);
  const matches = routeMatches(rds);
  assert.ok(matches.includes('prefix /good'), matches.join(', '));
  assert.ok(matches.includes('prefix /partial'), matches.join(', '));
  assert.ok(!matches.some((m) => m.includes('unclosed')), matches.join(', '));
  const programmed = await until(() => condOf('RoutePolicy', 'good', 'Programmed'), (c) => c?.status === 'True', 'good Programmed=True');
  assert.deepEqual([programmed?.reason, programmed?.message], ['Programmed', 'programmed on 1 of 1 gateway proxies']);
  await until(() => condOf('BackendPolicy', 'web-policy', 'Programmed'), (c) => c?.message === 'programmed on 1 of 1 gateway proxies', 'BackendPolicy programmed');
  await until(() => condOf('Gateway', 'public', 'Programmed'), (c) => c?.status === 'True', 'Gateway programmed');

  // A second gateway client NACKs the route configuration: traced back to the objects that produced it.
  const b = new SotwClient(app.xdsPort, { node: gatewayNode('gw-b') });
  clients.push(b);
  const rdsB = await syncGateway(b, 'envoy says: route table is not acceptable');
  const rejected = await until(() => condOf('RoutePolicy', 'good', 'Programmed'), (c) => c?.reason === 'Rejected', 'good Programmed=Rejected');
  assert.equal(rejected?.status, 'False');
  assert.equal(
    rejected?.message,
    `gateway proxy gw-b rejected RouteConfiguration ${rdsB.names[0]}: envoy says: route table is not acceptable; programmed on 1 of 2 gateway proxies`,
  );
  assert.equal((await condOf('Gateway', 'public', 'Programmed'))?.reason, 'Rejected', 'the Gateway produced the route table too');
  // The clusters were ACKed by both: the BackendPolicy is programmed everywhere, untouched by the NACK.
  const bp = await until(() => condOf('BackendPolicy', 'web-policy', 'Programmed'), (c) => c?.message === 'programmed on 2 of 2 gateway proxies', 'BackendPolicy on 2 of 2');
  assert.equal(bp?.status, 'True');
  assert.equal((await one('BackendPolicy', 'web-policy'))?.ancestors?.length, 1);

  // The second client disconnects: its NACK is forgotten, the first one still holds the config.
  b.close();
  await until(() => condOf('RoutePolicy', 'good', 'Programmed'), (c) => c?.status === 'True', 'good Programmed=True again');
  assert.equal((await condOf('RoutePolicy', 'good', 'Programmed'))?.message, 'programmed on 1 of 1 gateway proxies');

  // Filters and errors of the page.
  assert.deepEqual((await status('?kind=routepolicy&namespace=shop')).map((o) => o.name), ['bad', 'good', 'partial', 'shadow']);
  assert.deepEqual((await status('?kind=Gateway')).map((o) => `${o.kind}/${o.namespace}/${o.name}`), ['Gateway/shop/public']);
  const unknown = await get(app.adminPort, '/debug/status?kind=HTTPRoute');
  assert.equal(unknown.status, 400);
  assert.match(unknown.json<{ error: string }>().error, /unknown kind "HTTPRoute".*Gateway, RoutePolicy, BackendPolicy, SecurityPolicy/);

  // Logged once as a warning, naming the object.
  const warnings = logs.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('RoutePolicy shop/bad rejected'));
  assert.equal(warnings.length, 1, JSON.stringify(logs.lines.map((l) => l.msg)));
  assert.match(warnings[0]!.msg, /spec\.rules\[0\]\.matches\[0\]\.path\.value/);
});

test('a valid RoutePolicy made invalid keeps its last good version in effect and says so', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-status-'));
  const tower = 'tower.dev/v1alpha1';
  const base = [doc(tower, 'Gateway', gateway), doc('v1', 'Service', service), doc('discovery.k8s.io/v1', 'EndpointSlice', slice)].join('---\n');
  fs.writeFileSync(path.join(dir, 'shop.yaml'), base);
  const file = path.join(dir, 'route.yaml');
  fs.writeFileSync(file, doc(tower, 'RoutePolicy', routePolicy('edit', '2024-01-01T00:00:00Z', ['/v1'])));
  const config = parseServeConfig(['--files', dir, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  const app = await startTower(config, { logger: createLogger({ level: 'silent' }), statusDelayMs: 5, programmedDelayMs: 20 });
  const c = new SotwClient(app.xdsPort, { node: gatewayNode('gw-edit') });
  t.after(async () => {
    c.close();
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => app.readiness.onReady(resolve));
  const rds = await syncGateway(c);
  assert.ok(routeMatches(rds).includes('prefix /v1'));
  const accepted = async () => (await get(app.adminPort, '/debug/status?kind=RoutePolicy&name=edit')).json<{ objects: Obj[] }>().objects[0]?.conditions ?? [];
  await until(accepted, (cs) => cs.some((x) => x.type === 'Programmed' && x.status === 'True'), 'edit programmed');

  fs.writeFileSync(file, doc(tower, 'RoutePolicy', routePolicy('edit', '2024-01-01T00:00:00Z', ['/v2('], 'RegularExpression')));
  const cs = await until(accepted, (l) => l.some((x) => x.type === 'Accepted' && x.status === 'False'), 'edit rejected');
  assert.match(cs.find((x) => x.type === 'Accepted')!.message, /field spec\.rules\[0\]\.matches\[0\]\.path\.value: .*; the last good version stays in effect$/);
  // Still programmed: the last good version is what the proxies hold.
  assert.equal(cs.find((x) => x.type === 'Programmed')?.status, 'True');
  const again = await c.barrier();
  assert.deepEqual(again, [], 'nothing new was pushed for the rejected version');
});

test('Programmed follows the version a delta client ACKed: Pending after an edit until the new route table is ACKed', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-status-'));
  const tower = 'tower.dev/v1alpha1';
  fs.writeFileSync(path.join(dir, 'shop.yaml'), [doc(tower, 'Gateway', gateway), doc('v1', 'Service', service), doc('discovery.k8s.io/v1', 'EndpointSlice', slice)].join('---\n'));
  const file = path.join(dir, 'route.yaml');
  fs.writeFileSync(file, doc(tower, 'RoutePolicy', routePolicy('moving', '2024-01-01T00:00:00Z', ['/one'])));
  const config = parseServeConfig(['--files', dir, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  const app = await startTower(config, { logger: createLogger({ level: 'silent' }), statusDelayMs: 5, programmedDelayMs: 20 });
  const c = new DeltaClient(app.xdsPort, { node: gatewayNode('gw-delta') });
  t.after(async () => {
    c.close();
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => app.readiness.onReady(resolve));
  const programmed = async () => (await get(app.adminPort, '/debug/status?kind=RoutePolicy&name=moving')).json<{ objects: Obj[] }>().objects[0]?.conditions.find((x) => x.type === 'Programmed');

  c.send({ type_url: TypeUrl.Cluster, resource_names_subscribe: ['*'] });
  const cds = await c.expect(TypeUrl.Cluster);
  c.ack(cds);
  c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: cds.resources.map((r) => (decodeAny(r.resource) as { eds_cluster_config?: { service_name?: string } }).eds_cluster_config?.service_name || r.name) });
  c.ack(await c.expect(TypeUrl.ClusterLoadAssignment));
  c.send({ type_url: TypeUrl.Listener, resource_names_subscribe: ['*'] });
  c.ack(await c.expect(TypeUrl.Listener));
  c.send({ type_url: TypeUrl.RouteConfiguration, resource_names_subscribe: ['http.8080'] });
  const first = await c.expect(TypeUrl.RouteConfiguration);
  assert.deepEqual(first.names, ['http.8080']);
  // Not ACKed yet: pending on the one client.
  assert.equal((await until(programmed, (p) => p?.message === 'programmed on 0 of 1 gateway proxies', 'pending before the ACK'))?.status, 'False');
  c.ack(first);
  await until(programmed, (p) => p?.status === 'True' && p.message === 'programmed on 1 of 1 gateway proxies', 'programmed after the ACK');

  // An edit: the client holds the old version until it ACKs the new one.
  fs.writeFileSync(file, doc(tower, 'RoutePolicy', routePolicy('moving', '2024-01-01T00:00:00Z', ['/two'])));
  const second = await c.expect(TypeUrl.RouteConfiguration);
  assert.ok(JSON.stringify(decodeAny(second.resources[0]!.resource)).includes('/two'));
  const pending = await until(programmed, (p) => p?.status === 'False', 'pending after the edit');
  assert.deepEqual([pending?.reason, pending?.message], ['Pending', 'programmed on 0 of 1 gateway proxies']);
  c.ack(second);
  await until(programmed, (p) => p?.status === 'True', 'programmed after the second ACK');
});
