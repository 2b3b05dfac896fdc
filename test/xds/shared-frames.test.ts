/**
 * SotW responses for a shared resource list are encoded once and sent as the
 * same bytes, nonce included, to every stream (src/xds/wire.ts
 * sharedSotwResponse); a stream's nonces for a type still only increase.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { sharedSotwResponse } from '../../src/xds/wire';
import { SotwClient } from '../fixtures/xds-client';
import { cluster, table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';

describe('shared SotW frames', () => {
  const list = Array.from({ length: 20 }, (_, i) => cluster(`c${i}`));
  let counter = 100;
  const issue = () => { counter++; return { nonce: counter.toString(36), seq: counter }; };
  const req = (controlPlaneId: string, versionInfo = 'v1', resources = list) => ({ versionInfo, typeUrl: TypeUrl.Cluster, resources, controlPlaneId });

  it('one encoding per (list, version, control_plane), reused while its nonce is newer than the stream\'s', () => {
    const a = sharedSotwResponse(req(''), -1, issue);
    const b = sharedSotwResponse(req(''), -1, issue);
    assert.equal(b, a); // same object: same bytes, same nonce
    assert.notEqual(sharedSotwResponse(req('tower'), -1, issue), a); // the first response of a stream carries control_plane
    assert.notEqual(sharedSotwResponse(req('', 'v2'), -1, issue).nonce, a.nonce);
    // a stream that already sent a newer nonce gets a fresh encoding with a fresh nonce, which is cached from then on
    const c = sharedSotwResponse(req(''), a.seq, issue);
    assert.ok(c.seq > a.seq);
    assert.deepEqual(c.frame.subarray(0, 10), a.frame.subarray(0, 10)); // same content before the nonce
    assert.equal(sharedSotwResponse(req(''), -1, issue), c);
  });

  it('small lists are not cached', () => {
    const small = list.slice(0, 3);
    const a = sharedSotwResponse(req('', 'v1', small), -1, issue);
    assert.notEqual(sharedSotwResponse(req('', 'v1', small), -1, issue), a);
  });

  it('over real streams: two clients of one view get the same CDS nonce; an A→B→A change never repeats a nonce on a stream', async () => {
    const { server, port } = await startServer();
    const c1 = new SotwClient(port);
    const c2 = new SotwClient(port);
    const many = (n: number) => { const t = table(); for (let i = 0; i < n; i++) t.cluster(`c${i}`); return t; };
    try {
      const a = many(20).build();
      publish(server, a);
      c1.subscribe(TypeUrl.Cluster);
      const r1 = await c1.expect(TypeUrl.Cluster);
      c2.subscribe(TypeUrl.Cluster);
      const r2 = await c2.expect(TypeUrl.Cluster);
      assert.equal(r2.nonce, r1.nonce);
      assert.equal(r2.version_info, r1.version_info);
      c1.ack(r1);
      c2.ack(r2);
      await c1.barrier();
      const nonces = [r1.nonce];
      publish(server, many(21).build());
      const b = await c1.expect(TypeUrl.Cluster);
      c1.ack(b);
      nonces.push(b.nonce);
      publish(server, a);
      const again = await c1.expect(TypeUrl.Cluster);
      assert.equal(again.version_info, r1.version_info); // the same content as the first response…
      nonces.push(again.nonce);
      assert.equal(new Set(nonces).size, 3, `nonces ${nonces.join(', ')}`); // …under a new nonce
      assert.ok(parseInt(again.nonce, 36) > parseInt(b.nonce, 36));
    } finally {
      c1.close();
      c2.close();
      await server.close();
    }
  });
});
