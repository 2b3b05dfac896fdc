import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { messageType } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { makeResource, tableOf, type Resource } from '../../src/xds/resource';
import { XdsServer } from '../../src/xds/server';
import { roleFromNode, viewKey } from '../../src/model/roles';
import { TowerMetrics } from '../../src/observability/metrics';
import { AdminServer } from '../../src/admin/admin-server';
import { Readiness } from '../../src/admin/readiness';
import { DeltaClient, SotwClient, testNode } from '../fixtures/xds-client';
import { get, sample } from './http-get';

const Cluster = messageType('envoy.config.cluster.v3.Cluster');
const Listener = messageType('envoy.config.listener.v3.Listener');

function cluster(name: string, timeoutSeconds: number): Resource {
  const body = Cluster.encode(Cluster.fromObject({ name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, connect_timeout: { seconds: timeoutSeconds } })).finish();
  return makeResource(TypeUrl.Cluster, name, body);
}
function listener(name: string, port: number): Resource {
  const body = Listener.encode(Listener.fromObject({ name, address: { socket_address: { address: '0.0.0.0', port_value: port } } })).finish();
  return makeResource(TypeUrl.Listener, name, body);
}

// The view (and so the role label) is chosen from the node id here, so this test
// does not depend on how node metadata is decoded; the app uses roleFromNode.
const selectView = (node: { id: string }): string => (node.id.startsWith('gw-') ? viewKey(roleFromNode({ metadata: { TOWER_ROLE: 'gateway' } })) : 'other');
const roleOf = (c: { viewKey: string }): string => c.viewKey.split('|')[0]!;

test('admin server over a real xDS server and a raw ADS client', async (t) => {
  const xds = new XdsServer({ selectView, debounce: { quietMs: 1, maxWaitMs: 5 } });
  const metrics = new TowerMetrics({ roleOf });
  const unbind = metrics.bind(xds);
  const readiness = new Readiness();
  readiness.waitingFor('initial sync of files:/test');
  const admin = new AdminServer({ xds, metrics, readiness, roleOf });
  const xdsPort = await xds.listen(0, '127.0.0.1');
  const port = await admin.listen(0, '127.0.0.1');
  let client: SotwClient | undefined;
  t.after(async () => {
    client?.close();
    unbind();
    await admin.close();
    await xds.close();
  });

  await t.test('health and readiness', async () => {
    const health = await get(port, '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(health.json(), { status: 'ok' });
    const notReady = await get(port, '/readyz');
    assert.equal(notReady.status, 503);
    assert.deepEqual(notReady.json(), { ready: false, reason: 'initial sync of files:/test' });
    readiness.markReady();
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json().ready, true);
  });

  const gatewayView = 'gateway|default';
  const v1 = tableOf([cluster('shop/cart', 1), listener('http-8080', 8080)]);
  xds.setView(gatewayView, v1);
  metrics.recordView(gatewayView, v1);
  xds.flush();

  let cdsVersion = '';
  await t.test('a push and its ACK show in /metrics and /debug/syncz', async () => {
    client = new SotwClient(xdsPort, { node: testNode('gw-1', { TOWER_ROLE: 'gateway' }) });
    client.send({ type_url: TypeUrl.Cluster });
    const r = await client.next();
    assert.equal(r.type_url, TypeUrl.Cluster);
    assert.equal(r.resources.length, 1);
    cdsVersion = r.version_info;
    const acked = once(xds, 'ack');
    client.ack(r);
    await acked;

    const m = await get(port, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(sample(m.text, 'tower_xds_pushes_total{type="CDS"}'), 1);
    assert.equal(sample(m.text, 'tower_xds_acks_total{type="CDS"}'), 1);
    assert.ok((sample(m.text, 'tower_xds_push_bytes_total{type="CDS"}') ?? 0) > 0);
    assert.equal(sample(m.text, 'tower_xds_pushed_resources_total{type="CDS"}'), 1);
    assert.equal(sample(m.text, 'tower_xds_push_ack_latency_seconds_count{type="CDS"}'), 1);
    assert.equal(sample(m.text, 'tower_xds_push_ack_latency_seconds_bucket{le="10",type="CDS"}'), 1);
    assert.equal(sample(m.text, 'tower_xds_connected_clients{role="gateway",variant="sotw"}'), 1);
    assert.equal(sample(m.text, 'tower_config_resources{view="gateway|default",type="CDS"}'), 1);
    assert.equal(sample(m.text, 'tower_config_resources{view="gateway|default",type="LDS"}'), 1);
    assert.ok((sample(m.text, 'tower_debounce_wait_seconds_count') ?? 0) >= 1);
    assert.ok(sample(m.text, 'process_resident_memory_bytes') !== undefined || sample(m.text, 'nodejs_heap_size_used_bytes') !== undefined);

    const s = (await get(port, '/debug/syncz')).json();
    assert.equal(s.clients.length, 1);
    const c = s.clients[0];
    assert.equal(c.node, 'gw-1');
    assert.equal(c.role, 'gateway');
    assert.equal(c.view, gatewayView);
    assert.equal(c.variant, 'sotw');
    assert.equal(c.types.CDS.sent_version, cdsVersion);
    assert.equal(c.types.CDS.acked_version, cdsVersion);
    assert.equal(c.types.CDS.status, 'SYNCED');
    assert.equal(c.types.CDS.last_nack, null);
  });

  await t.test('a NACK shows its error_detail in /debug/syncz and counts in /metrics', async () => {
    const v2 = tableOf([cluster('shop/cart', 2), listener('http-8080', 8080)]);
    xds.setView(gatewayView, v2);
    xds.flush();
    const r = await client!.next();
    assert.equal(r.type_url, TypeUrl.Cluster);
    assert.notEqual(r.version_info, cdsVersion);
    const nacked = once(xds, 'nack');
    client!.nack(r, 'cluster shop/cart: connect_timeout rejected by test', cdsVersion);
    await nacked;

    const c = (await get(port, '/debug/syncz')).json().clients[0];
    assert.equal(c.types.CDS.sent_version, r.version_info);
    assert.equal(c.types.CDS.acked_version, cdsVersion);
    assert.equal(c.types.CDS.status, 'NACKED');
    assert.equal(c.types.CDS.last_nack.version, r.version_info);
    assert.equal(c.types.CDS.last_nack.nonce, r.nonce);
    assert.equal(c.types.CDS.last_nack.error_detail.message, 'cluster shop/cart: connect_timeout rejected by test');
    assert.ok(!Number.isNaN(Date.parse(c.types.CDS.last_nack.at)));
    const m = await get(port, '/metrics');
    assert.equal(sample(m.text, 'tower_xds_nacks_total{type="CDS"}'), 1);
    assert.equal(sample(m.text, 'tower_xds_pushes_total{type="CDS"}'), 2);
  });

  await t.test('/debug/config_dump returns the resources the client is sent, with @type', async () => {
    const d = await get(port, '/debug/config_dump?node=gw-1');
    assert.equal(d.status, 200);
    assert.equal(decodeURIComponent(String(d.headers['x-tower-view'])), gatewayView);
    const configs = d.json().configs as any[];
    // The client subscribed to CDS only.
    assert.equal(configs.length, 1);
    assert.equal(configs[0]['@type'], 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump');
    const c = configs[0].dynamic_active_clusters[0];
    assert.equal(c.cluster['@type'], TypeUrl.Cluster);
    assert.equal(c.cluster.name, 'shop/cart');
    assert.equal(c.cluster.connect_timeout, '2s');
    assert.equal(c.version_info, xds.view(gatewayView)!.get(TypeUrl.Cluster)!.get('shop/cart')!.version);

    const byView = (await get(port, `/debug/config_dump?view=${encodeURIComponent(gatewayView)}`)).json();
    assert.equal(byView.configs.length, 5);
    assert.equal(byView.configs[2].dynamic_listeners[0].active_state.listener['@type'], TypeUrl.Listener);
    const lds = (await get(port, `/debug/config_dump?view=${encodeURIComponent(gatewayView)}&type=lds`)).json();
    assert.equal(lds.configs.length, 1);

    const unknown = await get(port, '/debug/config_dump?node=nobody');
    assert.equal(unknown.status, 404);
    assert.match(unknown.json().error, /no connected client with node id "nobody"/);
    const noView = await get(port, '/debug/config_dump?view=gateway%7Cnone');
    assert.equal(noView.status, 404);
    assert.match(noView.json().error, /no view "gateway\|none"/);
    const neither = await get(port, '/debug/config_dump');
    assert.equal(neither.status, 400);
    assert.match(neither.json().error, /exactly one of \?node=/);
    const badType = await get(port, '/debug/config_dump?node=gw-1&type=xds');
    assert.equal(badType.status, 400);
    assert.match(badType.json().error, /unknown type "xds"/);
  });

  await t.test('/debug/clients and unknown pages', async () => {
    const c = (await get(port, '/debug/clients')).json().clients;
    assert.equal(c.length, 1);
    assert.equal(c[0].node.id, 'gw-1');
    assert.equal(c[0].role, 'gateway');
    assert.deepEqual(c[0].subscriptions, { CDS: '*' });
    const missing = await get(port, '/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.json().error, /no such page \/nope/);
  });

  await t.test('a delta client is shown as such', async () => {
    const delta = new DeltaClient(xdsPort, { node: testNode('gw-delta') });
    try {
      delta.send({ type_url: TypeUrl.Listener, resource_names_subscribe: ['*'] });
      const r = await delta.next();
      assert.deepEqual(r.resources.map((x) => x.name), ['http-8080']);
      const acked = once(xds, 'ack');
      delta.send({ type_url: TypeUrl.Listener, response_nonce: r.nonce });
      await acked;
      const m = await get(port, '/metrics');
      assert.equal(sample(m.text, 'tower_xds_connected_clients{role="gateway",variant="delta"}'), 1);
      assert.equal(sample(m.text, 'tower_xds_acks_total{type="LDS"}'), 1);
      const s = (await get(port, '/debug/syncz')).json().clients.find((c: any) => c.node === 'gw-delta');
      assert.equal(s.variant, 'delta');
      assert.equal(s.types.LDS.status, 'SYNCED');
      const d = (await get(port, '/debug/config_dump?node=gw-delta')).json();
      assert.equal(d.configs.length, 1);
      assert.equal(d.configs[0].dynamic_listeners[0].name, 'http-8080');
    } finally {
      const gone = once(xds, 'disconnect');
      delta.close();
      await gone;
    }
  });

  await t.test('a disconnect leaves the gauge at zero', async () => {
    const gone = once(xds, 'disconnect');
    client!.close();
    client = undefined;
    await gone;
    const m = await get(port, '/metrics');
    assert.equal(sample(m.text, 'tower_xds_connected_clients{role="gateway",variant="sotw"}'), undefined);
    assert.equal(sample(m.text, 'tower_xds_connections_total{role="gateway",variant="sotw"}'), 1);
    assert.equal((await get(port, '/debug/syncz')).json().clients.length, 0);
  });
});

test('two metrics instances in one process do not share series', () => {
  const a = new TowerMetrics({ processMetrics: true });
  const b = new TowerMetrics({ processMetrics: true });
  a.nacks.inc({ type: 'CDS' });
  assert.notEqual(a.registry, b.registry);
  return Promise.all([a.text(), b.text()]).then(([ta, tb]) => {
    assert.equal(sample(ta, 'tower_xds_nacks_total{type="CDS"}'), 1);
    assert.equal(sample(tb, 'tower_xds_nacks_total{type="CDS"}'), undefined);
  });
});
