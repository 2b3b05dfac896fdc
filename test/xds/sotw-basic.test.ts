import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { SotwClient } from '../fixtures/xds-client';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { assertUnique } from './helpers';

test('SotW ADS: wildcard CDS and LDS, per-type versions, fresh nonces', async () => {
  const { server, port } = await startServer();
  const c = new SotwClient(port);
  try {
    publish(server, table().cluster('a').cluster('b').apiListener('l1', 'r1').route('r1', 'a').build());
    c.subscribe(TypeUrl.Cluster);
    const cds = await c.expect(TypeUrl.Cluster);
    assert.deepEqual(cds.names.sort(), ['a', 'b']);
    assertUnique(cds.names);
    assert.ok(cds.version_info && cds.nonce);
    c.ack(cds);
    c.subscribe(TypeUrl.Listener, ['*']);
    const lds = await c.expect(TypeUrl.Listener);
    assert.deepEqual(lds.names, ['l1']);
    assert.notEqual(lds.version_info, cds.version_info);
    assert.notEqual(lds.nonce, cds.nonce);
    c.ack(lds);
    const st = server.clients();
    assert.equal(st.length, 1);
    assert.equal(st[0].node.id, 'test-node');
    assert.equal(st[0].types[TypeUrl.Cluster].subscribed, '*');
    assert.equal(st[0].types[TypeUrl.Listener].subscribed, '*');
    assert.deepEqual(await c.barrier(), []);
    assert.equal(server.clients()[0].types[TypeUrl.Cluster].ackedVersion, cds.version_info);
  } finally {
    c.close();
    await server.close();
  }
});
