/** Make-before-break on ADS, slow clients, shared bytes, state freed on stream end. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { observeAssembly } from '../../src/xds/wire';
import { SotwClient, decodeAny, type SotwResponse } from '../fixtures/xds-client';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { until } from './helpers';

const short: Record<string, string> = { [TypeUrl.Cluster]: 'CDS', [TypeUrl.ClusterLoadAssignment]: 'EDS', [TypeUrl.Listener]: 'LDS', [TypeUrl.RouteConfiguration]: 'RDS' };

function routeClusters(r: SotwResponse): string[] {
  const out: string[] = [];
  for (const a of r.resources) {
    const rc = decodeAny(a) as { virtual_hosts?: { routes?: { route?: { cluster?: string } }[] }[] };
    for (const vh of rc.virtual_hosts ?? []) for (const rt of vh.routes ?? []) if (rt.route?.cluster) out.push(rt.route.cluster);
  }
  return out;
}

/**
 * Behaves like Envoy on ADS: ACKs everything, keeps its EDS subscription equal to
 * the clusters it holds, and checks that every route names a cluster it holds.
 */
async function envoyLike(c: SotwClient, log: string[], done: (held: Set<string>, routes: string[]) => boolean): Promise<void> {
  const held = new Set<string>();
  let routes: string[] = [];
  let eds: SotwResponse | undefined;
  for (let i = 0; i < 50 && !done(held, routes); i++) {
    const r = await c.next();
    log.push(`${short[r.type_url]} ${[...r.names].sort().join(',')}`);
    c.ack(r);
    if (r.type_url === TypeUrl.Cluster) {
      held.clear();
      for (const n of r.names) held.add(n);
      const want = [...held].sort();
      if (want.join() !== (c.names.get(TypeUrl.ClusterLoadAssignment) ?? []).join()) {
        c.send({ type_url: TypeUrl.ClusterLoadAssignment, resource_names: want, response_nonce: eds?.nonce ?? '', version_info: eds?.version_info ?? '' });
      }
    }
    if (r.type_url === TypeUrl.ClusterLoadAssignment) eds = r;
    if (r.type_url === TypeUrl.RouteConfiguration) {
      routes = routeClusters(r);
      for (const cl of routes) assert.ok(held.has(cl), `route names cluster ${cl} the client was not sent (log: ${log.join(' | ')})`);
    }
  }
}

test('ADS push order is CDS, EDS, LDS, RDS; routes never name unsent clusters; removed clusters go last', async () => {
  const { server, port } = await startServer();
  const c = new SotwClient(port, { node: { id: 'envoy-1', cluster: 'gw' } });
  try {
    publish(server, table().cluster('a').cla('a', ['10.0.0.1:80']).apiListener('l', 'r').route('r', 'a').build());
    // Envoy's first requests: CDS and LDS wildcard at once, RDS named.
    c.subscribe(TypeUrl.Cluster);
    c.subscribe(TypeUrl.Listener);
    c.subscribe(TypeUrl.RouteConfiguration, ['r']);
    const log: string[] = [];
    await envoyLike(c, log, (held, routes) => routes.includes('a') && held.has('a') && log.some((l) => l.startsWith('EDS a')));
    assert.equal(log[0], 'CDS a');
    assert.ok(log.indexOf('LDS l') < log.indexOf('RDS r'), log.join(' | '));

    log.length = 0;
    // Replace cluster a by b and move the route: b must arrive before the route, a must stay until the route moved.
    publish(server, table().cluster('b').cla('b', ['10.0.0.2:80']).apiListener('l', 'r').route('r', 'b').build());
    await envoyLike(c, log, (held, routes) => routes.includes('b') && !held.has('a') && log.some((l) => l === 'EDS b'));
    const iUnion = log.indexOf('CDS a,b');
    const iRoute = log.indexOf('RDS r');
    const iFinal = log.indexOf('CDS b');
    assert.ok(iUnion === 0, `first the union of old and new clusters: ${log.join(' | ')}`);
    assert.ok(iUnion < iRoute && iRoute < iFinal, `union CDS, then RDS, then the CDS without a: ${log.join(' | ')}`);
    assert.ok(!log.includes('LDS l'), 'the unchanged listener is not re-sent');
    const rest = await c.barrier();
    assert.ok(rest.every((r) => r.type_url === TypeUrl.ClusterLoadAssignment), 'only the answer to the EDS subscription change may follow');
  } finally {
    c.close();
    await server.close();
  }
});

test('a slow client that stops reading and never ACKs does not delay others; it later gets only the latest state', async () => {
  const { server, port } = await startServer();
  const fast = new SotwClient(port, { node: { id: 'fast' } });
  const slow = new SotwClient(port, { node: { id: 'slow' } });
  try {
    const b = table().cluster('c0');
    publish(server, b.build());
    fast.subscribe(TypeUrl.Cluster);
    slow.subscribe(TypeUrl.Cluster);
    const s1 = await slow.expect(TypeUrl.Cluster);
    fast.ack(await fast.expect(TypeUrl.Cluster));
    slow.pause();
    let last: SotwResponse | undefined;
    for (let i = 1; i <= 5; i++) {
      for (let k = 0; k < 50; k++) b.cluster(`c${i}-${k}`);
      publish(server, b.build());
      last = await fast.expect(TypeUrl.Cluster);
      assert.equal(last.names.length, 1 + i * 50);
      fast.ack(last);
    }
    slow.resume();
    assert.deepEqual(await slow.barrier(), [], 'nothing was queued for the slow client while its response was un-ACKed');
    slow.ack(s1);
    const s2 = await slow.expect(TypeUrl.Cluster);
    assert.equal(s2.version_info, last!.version_info, 'the slow client jumps straight to the latest version');
    slow.ack(s2);
    assert.deepEqual(await slow.barrier(), []);
  } finally {
    fast.close();
    slow.close();
    await server.close();
  }
});

test('resource bytes are encoded once and shared: every client frame splices the same Uint8Array instances', async () => {
  const { server, port } = await startServer();
  const seen: (readonly Uint8Array[])[] = [];
  const stop = observeAssembly((typeUrl, parts) => { if (typeUrl === TypeUrl.Cluster) seen.push(parts); });
  const cs = [0, 1, 2].map((i) => new SotwClient(port, { node: { id: `n${i}` } }));
  try {
    const t = table().cluster('a').cluster('b').build();
    publish(server, t);
    for (const c of cs) c.subscribe(TypeUrl.Cluster);
    for (const c of cs) c.ack(await c.expect(TypeUrl.Cluster));
    assert.equal(seen.length, 3);
    const cached = [...t.get(TypeUrl.Cluster)!.values()].map((r) => r.any);
    for (const parts of seen) {
      assert.equal(parts.length, 2);
      parts.forEach((p, i) => assert.equal(p, cached[i], 'identical instance, not a re-encoding'));
    }
  } finally {
    stop();
    for (const c of cs) c.close();
    await server.close();
  }
});

test('per-connection state is freed when streams end', async () => {
  const { server, port } = await startServer();
  const disconnects: string[] = [];
  server.on('disconnect', (s) => disconnects.push(s.node.id));
  publish(server, table().cluster('a').build());
  const cs = Array.from({ length: 10 }, (_, i) => new SotwClient(port, { node: { id: `n${i}` } }));
  try {
    for (const c of cs) c.subscribe(TypeUrl.Cluster);
    for (const c of cs) await c.expect(TypeUrl.Cluster);
    assert.equal(server.internalCounts().attached, 10);
    for (const c of cs) c.close();
    await until(() => server.internalCounts().streams === 0, 'streams to be released');
    assert.deepEqual(server.internalCounts(), { streams: 0, attached: 0, views: 1, viewIndex: 0 });
    assert.equal(disconnects.length, 10);
    assert.equal(server.clients().length, 0);
  } finally {
    await server.close();
  }
});
