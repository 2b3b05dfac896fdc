/**
 * Tower's CRDs may not be installed yet: the API server answers 404 for their
 * lists. The source must still sync (so Services and EndpointSlices are served),
 * say which kind is missing, and pick the kind up once its CRD appears.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubernetesSource } from '../../src/sources/kubernetes/kubernetes-source';
import { towerKindRegistry } from '../../src/sources/kinds';
import { Collector } from '../sources/collect';
import { kubeApiFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';

test('a kind the API server does not serve (CRD not installed) is synced as empty, reported, and picked up later', async () => {
  const api = await KubeApiServer.start();
  api.put('v1', 'Service', { metadata: { name: 'a', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } });
  const source = new KubernetesSource({ api: kubeApiFor(api.url), registry: towerKindRegistry(), backoff: { initialMs: 20, maxMs: 100 } });
  const c = new Collector();
  try {
    await source.start(c.listener);
    await c.waitFor((evs) => evs.some((e) => e.type === 'synced'), 'synced although tower.dev kinds answer 404');
    assert.ok(c.events.some((e) => e.type === 'upsert' && e.key === 'Service/shop/a'));
    const errors = c.events.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e.error.message : ''));
    assert.ok(errors.some((m) => /Gateway .*not served by the API server \(404\).*CRD installed/.test(m)), errors.join('\n'));

    // The CRD gets installed and a Gateway created: the retrying list finds it.
    api.registerResource({ group: 'tower.dev', version: 'v1alpha1', plural: 'gateways', kind: 'Gateway', namespaced: true, statusSubresource: true });
    api.put('tower.dev/v1alpha1', 'Gateway', {
      metadata: { name: 'public', namespace: 'shop' },
      spec: { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
    });
    await c.waitFor((evs) => evs.some((e) => e.type === 'upsert' && e.key === 'Gateway/shop/public'), 'Gateway after its CRD appeared');
  } finally {
    await source.stop();
    await api.close();
  }
});
