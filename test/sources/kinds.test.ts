import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ObjectMeta } from '../../src/k8s/types';
import { defaultKindRegistry } from '../../src/sources/kinds';
import { KubernetesSource } from '../../src/sources/kubernetes/kubernetes-source';
import { parseObject } from '../../src/sources/validate';
import { kubeApiFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';
import { Collector } from './collect';

const Gateway = z.looseObject({
  apiVersion: z.literal('tower.dev/v1alpha1'),
  kind: z.literal('Gateway'),
  metadata: ObjectMeta,
  spec: z.looseObject({ listeners: z.array(z.looseObject({ port: z.number().int().min(1).max(65535) })).min(1) }),
});

const registry = () => {
  const r = defaultKindRegistry();
  r.register({ apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', plural: 'gateways', namespaced: true, schema: Gateway, hasStatus: true });
  return r;
};
const origin = { source: 'file' as const, file: 'gw.yaml', document: 2 };

describe('kinds registry', () => {
  it('validates a registered CRD kind and names the field of a bad one', () => {
    const r = registry();
    assert.throws(() => r.register({ apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true, schema: Gateway }), /already registered/);
    const ok = parseObject({ apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'edge' }, spec: { listeners: [{ port: 443 }] } }, r, origin, { defaultNamespace: 'default' });
    assert.equal(ok.ok, true);
    assert.ok(ok.ok === true && ok.key === 'Gateway/default/edge');
    const bad = parseObject({ apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'infra' }, spec: { listeners: [{ port: 'https' }] } }, r, origin);
    assert.ok(bad.ok === false);
    assert.equal(bad.key, 'Gateway/infra/edge');
    assert.equal(bad.error.field, 'spec.listeners[0].port');
    assert.match(bad.error.message, /^gw\.yaml document 2: Gateway\/infra\/edge: field spec\.listeners\[0\]\.port: /);
    const badName = parseObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'Not_DNS', namespace: 'x' }, spec: {} }, r, origin);
    assert.ok(badName.ok === false && badName.error.field === 'metadata.name');
    const unknown = parseObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }, r, origin);
    assert.equal(unknown.ok, 'ignored');
    const noKind = parseObject({ apiVersion: 'v1', metadata: { name: 'd' } }, r, origin);
    assert.ok(noKind.ok === false && noKind.error.field === 'kind');
  });

  it('makes the kubernetes source watch a registered CRD', async () => {
    const api = await KubeApiServer.start();
    api.registerResource({ group: 'tower.dev', version: 'v1alpha1', plural: 'gateways', kind: 'Gateway', namespaced: true, statusSubresource: true });
    api.put('tower.dev/v1alpha1', 'Gateway', { metadata: { name: 'edge', namespace: 'infra' }, spec: { listeners: [{ port: 443 }] } });
    const source = new KubernetesSource({ api: kubeApiFor(api.url), registry: registry(), namespace: 'infra' });
    const c = new Collector();
    try {
      await source.start(c.listener);
      await c.waitFor((evs) => evs.some((e) => e.type === 'synced'), 'synced');
      assert.ok(c.events.some((e) => e.type === 'upsert' && e.key === 'Gateway/infra/edge'));
      assert.ok(api.requests.some((r) => /^GET \/apis\/tower\.dev\/v1alpha1\/namespaces\/infra\/gateways(\?|$)/.test(r)), 'namespace filter applies');
    } finally {
      await source.stop();
      await api.close();
    }
  });
});
