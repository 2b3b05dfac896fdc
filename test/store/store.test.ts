import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import { defaultKindRegistry, type KubeObject } from '../../src/sources/kinds';
import { KubernetesSource } from '../../src/sources/kubernetes/kubernetes-source';
import type { Origin, SourceEvent } from '../../src/sources/source';
import type { ChangeSet } from '../../src/store/change-set';
import { Store } from '../../src/store/store';
import { connectSources } from '../../src/sources';
import { kubeApiFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';

const registry = defaultKindRegistry();
const origin: Origin = { source: 'file', file: 'x.yaml', document: 0 };
const Service = registry.get('v1', 'Service')!;
const Secret = registry.get('v1', 'Secret')!;

function svc(name: string, port: number, extra: Partial<KubeObject> = {}, meta: Record<string, unknown> = {}): SourceEvent {
  const object = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', ...meta }, spec: { type: 'ClusterIP', ports: [{ port, protocol: 'TCP' }] }, ...extra } as KubeObject;
  return { type: 'upsert', key: `Service/default/${name}`, object, kind: Service, origin };
}
function secret(name: string, data: string): SourceEvent {
  const object = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': data } } as KubeObject;
  return { type: 'upsert', key: `Secret/default/${name}`, object, kind: Secret, origin };
}

/** A store whose change sets are collected; flush() makes batching explicit. */
function harness(opts: ConstructorParameters<typeof Store>[0] = {}) {
  const store = new Store({ batchMs: 60_000, ...opts });
  const sets: ChangeSet[] = [];
  store.subscribe((cs) => sets.push(cs));
  return { store, sets };
}

describe('store', () => {
  it('batches changes into one change set with the kinds touched', () => {
    const { store, sets } = harness();
    store.flush();
    assert.equal(sets.length, 1);
    assert.equal(sets[0]?.initial, true);
    store.apply(svc('a', 80));
    store.apply(svc('b', 80));
    store.apply(svc('a', 81));
    store.flush();
    store.close();
    assert.equal(sets.length, 2);
    assert.deepEqual(sets[1]?.upserted.map((o) => o.key).sort(), ['Service/default/a', 'Service/default/b']);
    assert.deepEqual([...(sets[1]?.kindsTouched ?? [])], ['Service']);
    const a = sets[1]?.upserted.find((o) => o.key === 'Service/default/a');
    assert.equal((a?.object as unknown as { spec: { ports: { port: number }[] } }).spec.ports[0]?.port, 81);
  });

  it('ignores status-only and metadata-churn updates', () => {
    const { store, sets } = harness();
    store.apply(svc('a', 80, {}, { resourceVersion: '1', generation: 1 }));
    store.flush();
    const before = sets.length;
    store.apply(svc('a', 80, { status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, { resourceVersion: '2', generation: 1, managedFields: [{ manager: 'x' }] }));
    store.flush();
    assert.equal(sets.length, before, 'status-only update produced a change set');
    // The store still holds the newest object (status writers read it).
    assert.equal(store.get('Service/default/a')?.object.metadata.resourceVersion, '2');
    store.apply(svc('a', 80, {}, { resourceVersion: '3', labels: { tier: 'web' } }));
    store.flush();
    assert.equal(sets.length, before + 1, 'a label change matters');
    // A change reverted within one batch is no change.
    store.apply(svc('a', 99, {}, { labels: { tier: 'web' } }));
    store.apply(svc('a', 80, {}, { labels: { tier: 'web' } }));
    store.flush();
    assert.equal(sets.length, before + 1);
    store.close();
  });

  it('hides Secrets nobody references, and shows them once referenced', () => {
    const { store, sets } = harness();
    store.flush();
    store.apply(secret('unrelated', 'YQ=='));
    store.apply(secret('gw-cert', 'Yg=='));
    store.flush();
    assert.equal(sets.length, 1, 'unrelated Secrets produced a change set');
    assert.equal(store.snapshot().byKind('Secret').length, 0);

    store.setReferencedSecrets(['Secret/default/gw-cert']);
    store.flush();
    assert.deepEqual(sets[1]?.upserted.map((o) => o.key), ['Secret/default/gw-cert']);
    store.apply(secret('unrelated', 'Yw=='));
    store.flush();
    assert.equal(sets.length, 2, 'an unrelated Secret changing produced a change set');

    store.setReferencedSecrets([]);
    store.flush();
    assert.deepEqual(sets[2]?.deleted, [{ key: 'Secret/default/gw-cert', kind: 'Secret' }]);
    store.close();
  });

  it('keeps the last good version when an update is invalid, and reports the error once', () => {
    const { store, sets } = harness();
    store.apply(svc('a', 80));
    store.flush();
    const error = { message: 'x.yaml document 0: Service/default/a: field spec.ports[0].port: Too big', key: 'Service/default/a', field: 'spec.ports[0].port' };
    store.apply({ type: 'invalid', key: 'Service/default/a', error });
    store.apply({ type: 'invalid', key: 'Service/default/a', error });
    store.flush();
    store.apply({ type: 'invalid', key: 'Service/default/a', error });
    store.flush();
    const last = sets.at(-1);
    assert.equal(sets.length, 2);
    assert.deepEqual(last?.errors, [error]);
    assert.equal(last?.upserted.length, 0);
    assert.equal(last?.deleted.length, 0);
    const snap = store.snapshot();
    assert.equal((snap.objects.get('Service/default/a')?.object as unknown as { spec: { ports: { port: number }[] } }).spec.ports[0]?.port, 80);
    assert.equal(snap.errors.get('Service/default/a')?.field, 'spec.ports[0].port');
    // A good version clears the error.
    store.apply(svc('a', 81));
    store.flush();
    assert.equal(store.snapshot().errors.size, 0);
    store.close();
  });

  it('emits nothing before every awaited source synced, then one initial change set', async () => {
    const { store, sets } = harness({ waitForSync: ['files:/x', 'kubernetes'], batchMs: 1 });
    store.apply(svc('a', 80));
    store.apply({ type: 'synced', source: 'files:/x' });
    store.flush();
    assert.equal(sets.length, 0);
    store.apply({ type: 'synced', source: 'kubernetes' });
    await store.whenSynced();
    store.flush();
    assert.equal(sets.length, 1);
    assert.equal(sets[0]?.initial, true);
    assert.deepEqual(sets[0]?.upserted.map((o) => o.key), ['Service/default/a']);
    store.close();
  });
});

describe('store fed by the kubernetes source', () => {
  it('turns a status subresource write into no change set, and a spec change into one', async () => {
    const api = await KubeApiServer.start();
    const kube = kubeApiFor(api.url);
    const source = new KubernetesSource({ api: kube, backoff: { initialMs: 20 } });
    const store = new Store({ batchMs: 5, waitForSync: ['kubernetes'] });
    const sets: ChangeSet[] = [];
    let wake: () => void = () => {};
    store.subscribe((cs) => {
      sets.push(cs);
      wake();
    });
    const next = () => new Promise<void>((r) => (wake = r));
    try {
      api.put('v1', 'Service', { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
      let arrived = next();
      await source.start(store.apply);
      await arrived;
      assert.deepEqual(sets[0]?.upserted.map((o) => o.key), ['Service/default/web']);

      // A status write through the API (new resourceVersion, same spec) ...
      await kube.core.replaceNamespacedServiceStatus({
        namespace: 'default',
        name: 'web',
        body: { ...api.get('v1', 'Service', 'default', 'web'), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } } as V1Service,
      });
      // ... followed by a spec change: only the spec change arrives as a change set.
      arrived = next();
      api.put('v1', 'Service', { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 8080 }] } });
      await arrived;
      assert.equal(sets.length, 2);
      assert.equal((sets[1]?.upserted[0]?.object as unknown as { spec: { ports: { port: number }[] } }).spec.ports[0]?.port, 8080);
      // The status write did reach the store (it holds the newest object).
      assert.ok(store.get('Service/default/web')?.object.status);
    } finally {
      await source.stop();
      store.close();
      await api.close();
    }
  });

  it('connectSources: referencing a Secret in the store makes the cluster source fetch just that Secret', async () => {
    const api = await KubeApiServer.start();
    api.put('v1', 'Secret', { metadata: { name: 'gw-cert', namespace: 'infra' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'YQ==' } });
    api.put('v1', 'Secret', { metadata: { name: 'other', namespace: 'infra' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Yg==' } });
    const store = new Store({ batchMs: 5, waitForSync: ['kubernetes'] });
    const sets: ChangeSet[] = [];
    let wake: () => void = () => {};
    store.subscribe((cs) => {
      sets.push(cs);
      wake();
    });
    let arrived = new Promise<void>((r) => (wake = r));
    const stop = await connectSources(store, [new KubernetesSource({ api: kubeApiFor(api.url), backoff: { initialMs: 20 } })]);
    try {
      await arrived;
      assert.equal(sets[0]?.initial, true);
      arrived = new Promise<void>((r) => (wake = r));
      store.setReferencedSecrets(['Secret/infra/gw-cert']);
      await arrived;
      assert.deepEqual(sets[1]?.upserted.map((o) => o.key), ['Secret/infra/gw-cert']);
      assert.equal(api.requests.filter((r) => r.includes('/secrets') && !r.includes('gw-cert')).length, 0);
    } finally {
      await stop();
      store.close();
      await api.close();
    }
  });
});
