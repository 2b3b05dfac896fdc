import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { envoyRoot, typeForUrl, listEnvoyFiles } from '../../src/envoy/proto-root';
import { TypeUrl, pushOrder } from '../../src/envoy/type-urls';

test('Envoy protos load from @grpc/grpc-js-xds and every served type resolves', () => {
  assert.ok(listEnvoyFiles().length > 100);
  for (const url of pushOrder) assert.ok(typeForUrl(url), url);
  assert.equal(typeForUrl('type.googleapis.com/envoy.config.cluster.v3.NoSuchThing'), undefined);
  const bootstrap = envoyRoot().lookupType('envoy.config.bootstrap.v3.Bootstrap');
  assert.ok(bootstrap.fields.dynamic_resources);
  assert.ok(envoyRoot().lookupService('envoy.service.status.v3.ClientStatusDiscoveryService'));
  assert.equal(TypeUrl.Cluster, 'type.googleapis.com/envoy.config.cluster.v3.Cluster');
});
