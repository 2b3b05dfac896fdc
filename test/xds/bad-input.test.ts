/** Bad input closes only the offending stream, with a clear status; the server and other clients carry on. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl, pushOrder } from '../../src/envoy/type-urls';
import { messageType } from '../../src/envoy/proto-root';
import { DeltaClient, SotwClient } from '../fixtures/xds-client';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { until } from './helpers';

test('bad requests end only their own stream with INVALID_ARGUMENT and a message naming the problem', async () => {
  const { server, port } = await startServer({ limits: { maxResourceNames: 10 } });
  const healthy = new SotwClient(port, { node: { id: 'healthy' } });
  const bad: SotwClient[] = [];
  const open = (id: string) => { const c = new SotwClient(port, { node: { id } }); bad.push(c); return c; };
  try {
    publish(server, table().cluster('a').build());
    healthy.subscribe(TypeUrl.Cluster);
    healthy.ack(await healthy.expect(TypeUrl.Cluster));

    const unknown = open('unknown');
    unknown.subscribe('type.googleapis.com/no.such.Type');
    let st = await unknown.ended();
    assert.equal(st.code, 3);
    assert.match(st.details, /unknown type_url "type.googleapis.com\/no.such.Type"/);

    const noType = open('no-type');
    noType.send({ resource_names: [] });
    st = await noType.ended();
    assert.equal(st.code, 3);
    assert.match(st.details, /without type_url/);

    const garbage = open('garbage');
    garbage.sendRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    st = await garbage.ended();
    assert.equal(st.code, 3);
    assert.match(st.details, /malformed DiscoveryRequest/);

    const noNode = open('x');
    noNode.send({ type_url: TypeUrl.Cluster, node: null });
    st = await noNode.ended();
    assert.equal(st.code, 3);
    assert.match(st.details, /first request must carry node/);

    const many = open('many');
    many.subscribe(TypeUrl.ClusterLoadAssignment, Array.from({ length: 11 }, (_, i) => `n${i}`));
    st = await many.ended();
    assert.equal(st.code, 3);
    assert.match(st.details, /lists 11 resource names; the limit is 10/);

    const deltaBad = new DeltaClient(port, { node: { id: 'delta-bad' } });
    deltaBad.sendRaw(Buffer.from('not a protobuf at all, definitely'));
    st = await deltaBad.ended();
    deltaBad.close();
    assert.equal(st.code, 3);
    assert.match(st.details, /malformed DeltaDiscoveryRequest/);

    // A real Envoy type Tower does not serve: ignored, the stream stays usable.
    const rtds = open('rtds');
    rtds.subscribe('type.googleapis.com/envoy.service.runtime.v3.Runtime', ['r']);
    rtds.subscribe(TypeUrl.Cluster);
    assert.deepEqual((await rtds.expect(TypeUrl.Cluster)).names, ['a']);

    publish(server, table().cluster('a').cluster('b').build());
    assert.deepEqual((await healthy.expect(TypeUrl.Cluster)).names.sort(), ['a', 'b']);
    await until(() => server.internalCounts().attached === 2, 'failed streams released');
  } finally {
    for (const c of bad) c.close();
    healthy.close();
    await server.close();
  }
});

test('oversized requests are refused by the gRPC receive limit; silent streams time out; selectView errors are reported', async () => {
  const { server, port } = await startServer({
    limits: { maxRequestBytes: 2048, firstRequestTimeoutMs: 50 },
    selectView: (n) => { if (n.id === 'boom') throw new Error('no view for boom'); return 'default'; },
  });
  const cs: SotwClient[] = [];
  try {
    publish(server, table().cluster('a').build());
    const big = new SotwClient(port); cs.push(big);
    big.subscribe(TypeUrl.ClusterLoadAssignment, ['x'.repeat(4096)]);
    let st = await big.ended();
    assert.equal(st.code, 8, st.details);

    const silent = new SotwClient(port); cs.push(silent);
    st = await silent.ended();
    assert.equal(st.code, 4);
    assert.match(st.details, /no request carrying node within 50 ms/);

    const boom = new SotwClient(port, { node: { id: 'boom' } }); cs.push(boom);
    boom.subscribe(TypeUrl.Cluster);
    st = await boom.ended();
    assert.equal(st.code, 13);
    assert.match(st.details, /selecting the view for node "boom" failed: no view for boom/);

    const ok = new SotwClient(port); cs.push(ok);
    ok.subscribe(TypeUrl.Cluster);
    assert.deepEqual((await ok.expect(TypeUrl.Cluster)).names, ['a']);
  } finally {
    for (const c of cs) c.close();
    await server.close();
  }
});

/** Deterministic PRNG (mulberry32) so the fuzz run is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: random bytes and random requests on other streams never crash the server nor disturb a converging client', async () => {
  const { server, port } = await startServer();
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const reqType = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const types = [...pushOrder, '', 'garbage', 'type.googleapis.com/envoy.config.core.v3.Node', 'type.googleapis.com/envoy.service.runtime.v3.Runtime'];
  const normal = new SotwClient(port, { node: { id: 'normal' } });
  const fuzzers: (SotwClient | DeltaClient)[] = [];
  try {
    const b = table();
    publish(server, b.cluster('c0').build());
    normal.subscribe(TypeUrl.Cluster);
    normal.ack(await normal.expect(TypeUrl.Cluster));
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 8; i++) {
        const f = rand() < 0.3 ? new DeltaClient(port, { node: { id: `fd${round}-${i}` } }) : new SotwClient(port, { node: { id: `f${round}-${i}` } });
        fuzzers.push(f);
        for (let k = 0; k < 6; k++) {
          const kind = rand();
          if (kind < 0.4) {
            f.sendRaw(Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))));
          } else {
            const req: Record<string, unknown> = {
              type_url: pick(types),
              resource_names: Array.from({ length: Math.floor(rand() * 4) }, () => pick(['*', 'c0', 'x', '', '\u0000', 'c1'])),
              response_nonce: pick(['', 'bogus', '1', 'zz-9']),
              version_info: pick(['', 'v1', 'x'.repeat(100)]),
            };
            if (k === 0) req.node = { id: `fz-${round}-${i}` };
            if (rand() < 0.3) req.error_detail = { code: 3, message: 'fuzz' };
            f.sendRaw(Buffer.from(reqType.encode(reqType.fromObject(req)).finish()));
          }
        }
      }
      publish(server, b.cluster(`c${round}`).build());
      const r = await normal.expect(TypeUrl.Cluster);
      assert.equal(r.names.length, round + 1);
      normal.ack(r);
    }
    assert.deepEqual(await normal.barrier(), []);
  } finally {
    for (const f of fuzzers) f.close();
    normal.close();
    await until(() => server.internalCounts().streams === 0, 'all streams released');
    await server.close();
  }
});
