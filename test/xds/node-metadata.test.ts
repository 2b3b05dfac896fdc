import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { SotwClient } from '../fixtures/xds-client';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { roleFromNode, viewKey } from '../../src/model/roles';

// Struct bytes are the same whatever the field spelling; protobufjs bundles
// google.protobuf.Value in camelCase, which is what a client library uses.
const str = (s: string) => ({ stringValue: s });

test('node metadata (a google.protobuf.Struct) reaches selectView intact and picks the role', async () => {
  const seen: string[] = [];
  const { server, port } = await startServer({
    selectView: (node) => {
      const key = viewKey(roleFromNode(node));
      seen.push(key);
      return key;
    },
  });
  const node = {
    id: 'gw-1',
    cluster: 'edge',
    metadata: {
      fields: {
        TOWER_ROLE: str('gateway'),
        TOWER_GATEWAY: str('shop/public'),
        LABELS: { structValue: { fields: { app: str('edge') } } },
        REPLICAS: { numberValue: 2 },
        CANARY: { boolValue: true },
      },
    },
  };
  const c = new SotwClient(port, { node });
  try {
    const expectedView = viewKey(roleFromNode({ id: 'gw-1', cluster: 'edge', metadata: { TOWER_ROLE: 'gateway', TOWER_GATEWAY: 'shop/public' } }));
    publish(server, table().cluster('a').build(), expectedView);
    c.subscribe(TypeUrl.Cluster);
    await c.expect(TypeUrl.Cluster);
    const md = server.clients()[0].node.metadata;
    assert.deepEqual(md, { TOWER_ROLE: 'gateway', TOWER_GATEWAY: 'shop/public', LABELS: { app: 'edge' }, REPLICAS: 2, CANARY: true });
    assert.equal(roleFromNode(server.clients()[0].node).kind, 'gateway');
    assert.deepEqual([...new Set(seen)], [expectedView]);
  } finally {
    c.close();
    await server.close();
  }
});
