import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeApi } from '../../src/k8s/kube-api';
import { KubernetesSource } from '../../src/sources/kubernetes/kubernetes-source';
import type { SourceEvent } from '../../src/sources/source';
import { Collector } from '../sources/collect';
import { kubeApiFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';

const svc = (name: string, namespace: string, port = 80) => ({ metadata: { name, namespace }, spec: { ports: [{ port }] } });
const slice = (name: string, namespace: string, ip: string) => ({
  metadata: { name, namespace, labels: { 'kubernetes.io/service-name': name.split('-')[0] } },
  addressType: 'IPv4',
  endpoints: [{ addresses: [ip] }],
  ports: [{ port: 8080 }],
});
const has = (type: SourceEvent['type'], key: string) => (evs: SourceEvent[]) => evs.find((e) => e.type === type && 'key' in e && e.key === key);
const portOf = (e: SourceEvent | undefined) => (e?.type === 'upsert' ? (e.object as unknown as { spec: { ports: { port: number }[] } }).spec.ports[0]?.port : undefined);

describe('kubernetes source against the test API server', () => {
  let api: KubeApiServer;
  let kube: KubeApi;
  let source: KubernetesSource;
  const c = new Collector();

  before(async () => {
    api = await KubeApiServer.start();
    api.put('v1', 'Service', svc('a', 'default'));
    api.put('v1', 'Service', svc('b', 'shop', 81));
    api.put('discovery.k8s.io/v1', 'EndpointSlice', slice('a-1', 'default', '10.0.0.1'));
    api.put('v1', 'Secret', { metadata: { name: 'unrelated', namespace: 'default' }, type: 'Opaque', data: { k: 'dg==' } });
    api.put('v1', 'Secret', { metadata: { name: 'gw-cert', namespace: 'infra' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
    kube = kubeApiFor(api.url);
    source = new KubernetesSource({ api: kube, backoff: { initialMs: 20, maxMs: 200 } });
    await source.start(c.listener);
    await c.waitFor((evs) => evs.some((e) => e.type === 'synced'), 'synced');
  });

  after(async () => {
    await source.stop();
    await api.close();
  });

  it('lists Services and EndpointSlices cluster-wide, and no Secret until one is referenced', async () => {
    const keys = c.events.filter((e) => e.type === 'upsert').map((e) => (e.type === 'upsert' ? e.key : '')).sort();
    assert.deepEqual(keys, ['EndpointSlice/default/a-1', 'Service/default/a', 'Service/shop/b']);
    const up = c.events.find((e) => e.type === 'upsert');
    assert.ok(up?.type === 'upsert' && up.origin.source === 'cluster' && up.object.apiVersion && up.object.kind);
    assert.equal(api.requests.filter((r) => r.includes('/secrets')).length, 0, 'secrets were requested');
    // The list is a plain GET; client-node's Watch then resumes from its resourceVersion, asking for bookmarks.
    assert.ok(api.requests.includes('GET /api/v1/services'));
    const rv = source.stats().Service?.resourceVersion;
    const watchReq = new RegExp(`^GET /api/v1/services\\?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=\\d+$`);
    for (let i = 0; i < 500 && !api.requests.some((r) => watchReq.test(r)); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(api.requests.some((r) => watchReq.test(r)), api.requests.join('\n'));
  });

  it('streams add, modify and delete', async () => {
    const m = c.mark();
    api.put('v1', 'Service', svc('c', 'default'));
    await c.waitFor(has('upsert', 'Service/default/c'), 'add', m);
    api.put('v1', 'Service', svc('c', 'default', 8080));
    await c.waitFor((evs) => evs.find((e) => e.type === 'upsert' && e.key === 'Service/default/c' && portOf(e) === 8080), 'modify', m);
    api.remove('v1', 'Service', 'default', 'c');
    await c.waitFor(has('delete', 'Service/default/c'), 'delete', m);
  });

  it('resumes a dropped watch from its resourceVersion without losing events made during the gap', async () => {
    const listsBefore = source.stats().Service?.lists ?? 0;
    const m = c.mark();
    api.dropWatches();
    // All of these happen while no watch is connected.
    api.put('v1', 'Service', svc('gap-new', 'default'));
    api.put('v1', 'Service', svc('a', 'default', 9090));
    api.remove('v1', 'Service', 'shop', 'b');
    await c.waitFor(has('upsert', 'Service/default/gap-new'), 'object created during the gap', m);
    await c.waitFor((evs) => evs.find((e) => e.type === 'upsert' && e.key === 'Service/default/a' && portOf(e) === 9090), 'modified during the gap', m);
    await c.waitFor(has('delete', 'Service/shop/b'), 'deleted during the gap', m);
    assert.equal(source.stats().Service?.lists, listsBefore, 'a resumable watch must not re-list');
  });

  it('re-lists after 410 Gone (ERROR event) and deletes what vanished during the gap', async () => {
    const s0 = source.stats().Service;
    const m = c.mark();
    api.dropWatches();
    api.remove('v1', 'Service', 'default', 'gap-new');
    api.put('v1', 'Service', svc('after-compaction', 'default'));
    api.compact();
    await c.waitFor(has('delete', 'Service/default/gap-new'), 'delete found by re-list', m);
    await c.waitFor(has('upsert', 'Service/default/after-compaction'), 'add found by re-list', m);
    const s1 = source.stats().Service;
    assert.ok(s1 && s0 && s1.gone > s0.gone && s1.lists > s0.lists, JSON.stringify({ s0, s1 }));
    // Unchanged objects are not re-emitted by the re-list.
    assert.equal(c.events.slice(m).filter((e) => e.type === 'upsert' && e.key === 'Service/default/a').length, 0);
    // And the watch continues after the re-list.
    const m2 = c.mark();
    api.put('v1', 'Service', svc('post-relist', 'default'));
    await c.waitFor(has('upsert', 'Service/default/post-relist'), 'event after re-list', m2);
  });

  it('re-lists after an HTTP 410 on watch too', async () => {
    const s0 = source.stats().EndpointSlice;
    const m = c.mark();
    api.watchGoneAsHttp = true;
    try {
      api.dropWatches();
      api.remove('discovery.k8s.io/v1', 'EndpointSlice', 'default', 'a-1');
      api.compact();
      await c.waitFor(has('delete', 'EndpointSlice/default/a-1'), 'delete after HTTP 410', m);
      const s1 = source.stats().EndpointSlice;
      assert.ok(s1 && s0 && s1.lists > s0.lists);
    } finally {
      api.watchGoneAsHttp = false;
    }
  });

  it('advances its resourceVersion on bookmarks', async () => {
    api.put('v1', 'Secret', { metadata: { name: 'noise', namespace: 'default' } }); // bumps the global counter only
    const target = String(api.resourceVersion);
    assert.notEqual(source.stats().Service?.resourceVersion, target);
    const deadline = Date.now() + 10_000;
    while (source.stats().Service?.resourceVersion !== target && Date.now() < deadline) {
      api.sendBookmarks();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(source.stats().Service?.resourceVersion, target);
  });

  it('reports an invalid object naming the field, keeps serving others', async () => {
    const m = c.mark();
    api.put('v1', 'Service', svc('bad-port', 'default', 70000));
    api.put('v1', 'Service', svc('good', 'default'));
    const inv = await c.waitFor(has('invalid', 'Service/default/bad-port'), 'invalid', m);
    assert.ok(inv.type === 'invalid');
    assert.equal(inv.error.field, 'spec.ports[0].port');
    assert.match(inv.error.message, /cluster test: Service\/default\/bad-port: field spec\.ports\[0\]\.port/);
    await c.waitFor(has('upsert', 'Service/default/good'), 'good one', m);
  });

  it('watches only referenced Secrets, by name', async () => {
    const m = c.mark();
    source.setReferencedSecrets(new Set(['Secret/infra/gw-cert']));
    const up = await c.waitFor(has('upsert', 'Secret/infra/gw-cert'), 'referenced secret', m);
    assert.ok(up.type === 'upsert' && up.object.kind === 'Secret');
    const secretRequests = api.requests.filter((r) => r.includes('/secrets'));
    assert.ok(secretRequests.length > 0);
    for (const r of secretRequests) {
      assert.match(r, /^GET \/api\/v1\/namespaces\/infra\/secrets\?.*fieldSelector=metadata.name%3Dgw-cert/);
    }
    assert.equal(c.events.slice(m).filter((e) => e.type === 'upsert' && e.key.startsWith('Secret/default/')).length, 0);

    api.put('v1', 'Secret', { metadata: { name: 'gw-cert', namespace: 'infra' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'bmV3', 'tls.key': 'a2V5' } });
    await c.waitFor((evs) => evs.filter((e) => e.type === 'upsert' && e.key === 'Secret/infra/gw-cert').length >= 2, 'rotated secret', m);

    const m2 = c.mark();
    source.setReferencedSecrets(new Set());
    await c.waitFor(has('delete', 'Secret/infra/gw-cert'), 'unreferenced secret dropped', m2);
  });
});

describe('kubernetes source with an unreachable API server', () => {
  it('reports errors naming the collection, retries with growing attempts, never syncs, and stops cleanly', async () => {
    const api = await KubeApiServer.start();
    const url = api.url;
    await api.close(); // nothing listens on this port any more
    const source = new KubernetesSource({ api: kubeApiFor(url, { context: 'gone' }), backoff: { initialMs: 5, maxMs: 20 } });
    const c = new Collector();
    try {
      await source.start(c.listener);
      const e = await c.waitFor((evs) => evs.find((x) => x.type === 'error' && /\/api\/v1\/services: .*\(retry 3\)/.test(x.error.message)), 'third retry');
      assert.ok(e.type === 'error' && e.error.origin?.source === 'cluster');
      assert.equal(c.events.filter((x) => x.type === 'synced').length, 0);
    } finally {
      await source.stop();
    }
  });
});
