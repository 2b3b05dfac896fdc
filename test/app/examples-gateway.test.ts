/**
 * The demo folder (examples/) read as `tower serve --files examples` reads it
 * (file source with Tower's kinds registered): the tower.dev Gateway
 * shop/public gives a gateway client its listeners (a host name per SNI
 * chain), route tables, clusters, endpoints and the demo certificate, with
 * no input, model or translation error.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { InputObject } from '../../src/model/inputs';
import { roleFromFlag } from '../../src/model/roles';
import { dumpConfig } from '../../src/pipeline/dump-config';
import { defaultMtlsMode } from '../../src/config/mtls-settings';
import { defaultMeshConfig } from '../../src/model/model-builder';
import { FileSource } from '../../src/sources/files/file-source';
import { towerKindRegistry } from '../../src/sources/kinds';

const examples = path.join(__dirname, '..', '..', '..', 'examples');

test('examples/: Gateway shop/public is served with listeners, routes, clusters, endpoints and its certificate', async () => {
  const objects: InputObject[] = [];
  const errors: string[] = [];
  const source = new FileSource(examples, { watch: false, registry: towerKindRegistry() });
  await source.start((ev) => {
    if (ev.type === 'upsert') objects.push({ object: ev.object, ...(ev.origin.source === 'file' ? { file: ev.origin.file } : {}) });
    else if (ev.type === 'invalid' || ev.type === 'error') errors.push(ev.error.message);
  });
  await source.stop();
  assert.deepEqual(errors, []);
  assert.ok(objects.some((o) => (o.object as { apiVersion: string; kind: string }).apiVersion === 'tower.dev/v1alpha1'), 'the tower.dev Gateway is read');

  const dump = dumpConfig(objects, roleFromFlag('gateway=shop/public', {}), { config: { ...defaultMeshConfig, mtls: { mode: defaultMtlsMode } } });
  assert.deepEqual(dump.modelErrors, []);
  assert.deepEqual(dump.translationErrors, []);
  const r = dump.resources as Record<string, { name?: string; cluster_name?: string; filter_chains?: { filter_chain_match?: { server_names?: string[] } }[] }[]>;
  assert.deepEqual(r.LDS?.map((l) => l.name), ['0.0.0.0_8080', '0.0.0.0_8443']);
  const https = r.LDS?.find((l) => l.name === '0.0.0.0_8443');
  assert.deepEqual(https?.filter_chains?.map((c) => c.filter_chain_match?.server_names), [['shop.example.com'], ['*.shop.example.com']]);
  assert.ok((r.RDS?.length ?? 0) >= 2, 'route tables for both ports');
  assert.ok(r.CDS?.some((c) => c.name === 'outbound|8080||frontend.shop.svc.cluster.local'));
  assert.ok(r.EDS?.some((c) => c.cluster_name === 'outbound|8080||frontend.shop.svc.cluster.local'));
  assert.deepEqual(r.SDS?.map((s) => s.name), ['ROOTCA', 'default', 'shop/shop-demo-tls'], 'mesh mTLS (permissive by default): the mesh root and the gateway identity, beside its certificate');
});
