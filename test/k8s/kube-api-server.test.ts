/**
 * The test API server speaks the protocol @kubernetes/client-node speaks:
 * every call here goes through client-node's typed APIs or its Watch class.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { toWire, type KubeApi } from '../../src/k8s/kube-api';
import { kubeStatusOf } from '../../src/k8s/kube-errors';
import { kubeApiFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';

interface Ev {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number };
}

/** Opens a client-node watch, collects events until `count` arrived or the stream ended; resolves with the events and done's error. */
function watchEvents(kube: KubeApi, path: string, query: Record<string, string | boolean>, count: number, onEvent?: (e: Ev) => void): Promise<{ events: Ev[]; err: unknown }> {
  return new Promise((resolve) => {
    const events: Ev[] = [];
    let ctl: AbortController | undefined;
    let done = false;
    const finish = (err: unknown) => {
      if (done) return;
      done = true;
      ctl?.abort();
      resolve({ events, err });
    };
    void kube
      .newWatch(30_000)
      .watch(path, query, (type, object: Ev['object']) => {
        events.push({ type, object });
        onEvent?.({ type, object });
        if (events.length >= count) finish(null);
      }, finish)
      .then((c) => {
        ctl = c;
        if (done) c.abort();
      });
  });
}

const apiError = (code: number, reason?: string) => (e: unknown) =>
  e instanceof ApiException && e.code === code && (reason === undefined || kubeStatusOf(e)?.reason === reason);

describe('test kube-api-server through @kubernetes/client-node', () => {
  let api: KubeApiServer;
  let kube: KubeApi;
  const namespace = 'default';
  const svc = (name: string, labels: Record<string, string> = {}): V1Service => ({ metadata: { name, labels }, spec: { ports: [{ port: 80 }] } });

  before(async () => {
    api = await KubeApiServer.start();
    kube = kubeApiFor(api.url, { token: 'test-token' });
  });
  after(async () => {
    await api.close();
  });

  it('creates, lists with a resourceVersion, selects by label and field, and rejects duplicates', async () => {
    await kube.core.createNamespacedService({ namespace, body: svc('a', { app: 'a', tier: 'web' }) });
    await kube.core.createNamespacedService({ namespace, body: svc('b', { app: 'b' }) });
    await kube.core.createNamespacedService({ namespace: 'other', body: svc('a') });
    assert.equal(api.lastAuthorization, 'Bearer test-token');
    const all = await kube.core.listServiceForAllNamespaces();
    assert.equal(all.metadata?.resourceVersion, String(api.resourceVersion));
    assert.equal(all.items.length, 3);
    assert.ok(all.items[0]?.metadata?.creationTimestamp instanceof Date, 'client-node deserialized the timestamp');
    const byLabel = await kube.core.listNamespacedService({ namespace, labelSelector: 'tier=web,app in (a,c)' });
    assert.deepEqual(byLabel.items.map((i) => i.metadata?.name), ['a']);
    const notB = await kube.core.listNamespacedService({ namespace, labelSelector: 'app!=b' });
    assert.deepEqual(notB.items.map((i) => i.metadata?.name), ['a']);
    const byField = await kube.core.listServiceForAllNamespaces({ fieldSelector: 'metadata.name=a,metadata.namespace=other' });
    assert.equal(byField.items.length, 1);
    await assert.rejects(kube.core.createNamespacedService({ namespace, body: svc('a') }), apiError(409, 'AlreadyExists'));
    await assert.rejects(kube.core.readNamespacedService({ namespace, name: 'missing' }), apiError(404, 'NotFound'));
  });

  it('enforces optimistic concurrency, bumps generation on spec changes only, keeps status behind the subresource', async () => {
    const a = await kube.core.readNamespacedService({ namespace, name: 'a' });
    assert.equal(a.metadata?.generation, 1);
    const updated = await kube.core.replaceNamespacedService({ namespace, name: 'a', body: { ...a, spec: { ports: [{ port: 81 }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.9' }] } } } });
    assert.equal(updated.metadata?.generation, 2);
    assert.equal(updated.status, undefined, 'main resource PUT must not change status');
    await assert.rejects(kube.core.replaceNamespacedService({ namespace, name: 'a', body: { ...a, spec: {} } }), apiError(409, 'Conflict'));

    const st = await kube.core.replaceNamespacedServiceStatus({ namespace, name: 'a', body: { ...updated, spec: { ports: [{ port: 1 }] }, status: { loadBalancer: {} } } });
    assert.deepEqual(toWire(st.status), { loadBalancer: {} });
    assert.equal(st.spec?.ports?.[0]?.port, 81, 'status PUT must not change spec');
    assert.equal(st.metadata?.generation, 2);
  });

  it('applies JSON patch (client-node default), merge patch and strategic merge patch', async () => {
    const jp = await kube.core.patchNamespacedService({ namespace, name: 'a', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 82 }, { op: 'add', path: '/metadata/labels/extra', value: 'x' }] });
    assert.equal(jp.spec?.ports?.[0]?.port, 82);
    assert.equal(jp.metadata?.labels?.extra, 'x');
    assert.ok(api.requests.some((r) => r.startsWith('PATCH /api/v1/namespaces/default/services/a')));
    await assert.rejects(kube.core.patchNamespacedService({ namespace, name: 'a', body: [{ op: 'test', path: '/spec/ports/0/port', value: 1 }] }), apiError(422));

    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const st = await kube.core.patchNamespacedServiceStatus({ namespace, name: 'a', body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } } }, merge);
    assert.equal(st.status?.loadBalancer?.ingress?.[0]?.ip, '192.0.2.1');
    assert.equal(st.spec?.ports?.[0]?.port, 82, 'a status patch must not change spec');
    const labelled = await kube.core.patchNamespacedService({ namespace, name: 'a', body: { metadata: { labels: { extra: null } } } }, merge);
    assert.deepEqual(labelled.metadata?.labels, { app: 'a', tier: 'web' });
    const smp = await kube.core.patchNamespacedService(
      { namespace, name: 'a', body: { metadata: { annotations: { note: 'smp' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(smp.metadata?.annotations?.note, 'smp');
  });

  it('replays watch events after a resourceVersion, filtered by selector, and sends bookmarks', async () => {
    const rv = (await kube.core.listNamespacedService({ namespace })).metadata?.resourceVersion ?? '';
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await kube.core.patchNamespacedService({ namespace, name: 'b', body: { metadata: { labels: { app: 'b', tier: 'web' } } } }, merge);
    await kube.core.patchNamespacedService({ namespace, name: 'a', body: { metadata: { labels: { tier: null } } } }, merge);
    await kube.core.deleteNamespacedService({ namespace, name: 'b' });
    // Selector tier=web: b enters (ADDED), a leaves (DELETED), b deleted (DELETED).
    const { events } = await watchEvents(kube, '/api/v1/namespaces/default/services', { resourceVersion: rv, labelSelector: 'tier=web' }, 3);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED b', 'DELETED a', 'DELETED b']);
    const watchReq = api.requests.filter((r) => r.includes('watch=true')).at(-1) ?? '';
    assert.match(watchReq, /^GET \/api\/v1\/namespaces\/default\/services\?watch=true&resourceVersion=\d+&labelSelector=tier%3Dweb$/);
    // No resourceVersion: the current state first, then a bookmark when asked for.
    const seen = await watchEvents(kube, '/api/v1/namespaces/default/services', { allowWatchBookmarks: true }, 2, (e) => {
      if (e.type === 'ADDED') api.sendBookmarks();
    });
    assert.deepEqual(seen.events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal(seen.events[1]?.object.metadata?.resourceVersion, String(api.resourceVersion));
  });

  it('answers 410 Gone for compacted resourceVersions: an ERROR event, HTTP 410 on watch, HTTP 410 on an exact list', async () => {
    const old = String(api.resourceVersion);
    await kube.core.createNamespacedService({ namespace, body: svc('c') });
    api.compact();
    const { events } = await watchEvents(kube, '/api/v1/namespaces/default/services', { resourceVersion: old }, 1);
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(events[0]?.object.code, 410);
    await assert.rejects(kube.core.listNamespacedService({ namespace, resourceVersion: old, resourceVersionMatch: 'Exact' }), apiError(410, 'Expired'));
    api.watchGoneAsHttp = true;
    try {
      const r = await watchEvents(kube, '/api/v1/namespaces/default/services', { resourceVersion: old }, 1);
      assert.equal(r.events.length, 0);
      assert.equal((r.err as { statusCode?: number }).statusCode, 410);
    } finally {
      api.watchGoneAsHttp = false;
    }
  });

  it('serves CRDs (CustomObjectsApi), discovery (KubernetesObjectApi) and injected latency', async () => {
    api.registerResource({ group: 'tower.dev', version: 'v1alpha1', plural: 'routepolicies', kind: 'RoutePolicy', namespaced: true, statusSubresource: true });
    api.registerResource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true });
    api.setLatency(5);
    try {
      const ref = { group: 'tower.dev', version: 'v1alpha1', plural: 'routepolicies' };
      const created = (await kube.custom.createNamespacedCustomObject({ ...ref, namespace, body: { apiVersion: 'tower.dev/v1alpha1', kind: 'RoutePolicy', metadata: { name: 'p' }, spec: { retries: 2 } } })) as { kind: string };
      assert.equal(created.kind, 'RoutePolicy');
      const l = (await kube.custom.listClusterCustomObject(ref)) as { kind: string; items: { spec: unknown }[] };
      assert.equal(l.kind, 'RoutePolicyList');
      assert.deepEqual(l.items.map((i) => i.spec), [{ retries: 2 }]);

      api.put('v1', 'ConfigMap', { metadata: { name: 'cm', namespace }, data: { k: 'v' } });
      const cms = await kube.objects.list('v1', 'ConfigMap', namespace);
      assert.deepEqual(cms.items.map((i) => i.metadata?.name), ['cm']);
      assert.ok(api.requests.includes('GET /api/v1'), 'KubernetesObjectApi resolved the plural through discovery');
    } finally {
      api.setLatency(0);
    }
  });

  it('rejects Lease times without microseconds, as the real API server does', async () => {
    const body = { metadata: { name: 'l' }, spec: { holderIdentity: 'x', renewTime: '2026-01-01T00:00:00.123Z' } };
    // A plain string goes on the wire as is (the typed model expects a V1MicroTime).
    await assert.rejects(kube.coordination.createNamespacedLease({ namespace, body: body as never }), apiError(400, 'BadRequest'));
  });
});
