/**
 * Churn: 200 clients connect, receive and (half of them) disconnect while the
 * table keeps changing; every survivor converges to the final version, the
 * server's per-stream maps empty out, and the heap returns near its baseline.
 * Heap is measured with global.gc: without --expose-gc this file re-runs
 * itself in a child process that has it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TypeUrl } from '../../src/envoy/type-urls';
import { DeltaClient, SotwClient } from '../fixtures/xds-client';
import { table } from '../fixtures/resources';
import { publish, startServer } from '../fixtures/server';
import { until } from './helpers';

const gc = (globalThis as { gc?: () => void }).gc;

if (!gc) {
  test('churn (re-run in a child process with --expose-gc)', () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // the child reports as a plain TAP run, not to this runner
    const r = spawnSync(process.execPath, ['--expose-gc', '--test-reporter=tap', __filename], { encoding: 'utf8', timeout: 240_000, env });
    assert.equal(r.status, 0, `child failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /# pass 1/);
  });
} else {
  test('200 clients churn while the table changes: survivors converge, state and heap return to baseline', async () => {
    const { server, port } = await startServer({ limits: { maxStreamsPerConnection: 1000 } });
    const b = table();
    for (let i = 0; i < 50; i++) b.cluster(`c${i}`).cla(`c${i}`, [`10.0.${i}.1:80`]);
    publish(server, b.build());
    const heap = () => { gc!(); gc!(); return process.memoryUsage().heapUsed; };
    // Warm up code paths once, then take the baseline.
    const warm = new SotwClient(port, { node: { id: 'warm' } });
    warm.subscribe(TypeUrl.Cluster);
    await warm.expect(TypeUrl.Cluster);
    warm.close();
    await until(() => server.internalCounts().streams === 0, 'warm-up stream released');
    const baseline = heap();

    const survivors: { c: SotwClient; box: { byType: Map<string, { version_info: string }> } }[] = [];
    const deltaSurvivors: DeltaClient[] = [];
    const leaving: Promise<void>[] = [];
    try {
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 9) {
        const d = new DeltaClient(port, { node: { id: `d${i}` } });
        d.onResponse = (r) => { d.ack(r); return false; };
        d.send({ type_url: TypeUrl.Cluster });
        deltaSurvivors.push(d);
      } else {
        const c = new SotwClient(port, { node: { id: `n${i}` } });
        if (i % 2 === 0) {
          leaving.push(c.next().then(() => c.close(), () => c.close()));
          c.subscribe(TypeUrl.Cluster);
        } else {
          const box = c.autoAck();
          c.subscribe(TypeUrl.Cluster);
          c.subscribe(TypeUrl.ClusterLoadAssignment, [`c${i % 50}`]);
          survivors.push({ c, box });
        }
      }
      if (i % 20 === 0) {
        b.cluster(`c${i % 50}`, { connectTimeoutS: 2 + (i % 7) }).cla(`c${(i + 1) % 50}`, [`10.1.${i}.1:80`]);
        publish(server, b.build());
      }
      if (i % 25 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(leaving);
    b.cluster('final');
    publish(server, b.build());
    const probe = new SotwClient(port, { node: { id: 'probe' } });
    probe.subscribe(TypeUrl.Cluster);
    const finalVersion = (await probe.expect(TypeUrl.Cluster)).version_info;
    probe.close();
    await until(() => survivors.every((s) => s.box.byType.get(TypeUrl.Cluster)?.version_info === finalVersion), 'every SotW survivor at the final version', 60_000);
    await until(() => server.clients().filter((s) => s.variant === 'delta').every((s) => s.types[TypeUrl.Cluster]?.ackedVersion !== undefined
      && s.types[TypeUrl.Cluster]?.sentVersion === s.types[TypeUrl.Cluster]?.ackedVersion), 'delta survivors ACKed their latest', 60_000);
    await until(() => server.clients().filter((x) => x.variant === 'sotw').every((x) => x.types[TypeUrl.Cluster].ackedVersion === finalVersion),
      'server bookkeeping: every SotW survivor ACKed the final version', 60_000);
    assert.equal(server.clients().length, survivors.length + deltaSurvivors.length);

    for (const s of survivors) s.c.close();
    for (const d of deltaSurvivors) d.close();
    await until(() => server.internalCounts().streams === 0, 'all streams released', 30_000);
    assert.deepEqual(server.internalCounts(), { streams: 0, attached: 0, views: 1, viewIndex: 0 });
    // Drop the test's own references to clients and responses so only server-side memory remains.
    survivors.length = 0;
    deltaSurvivors.length = 0;
    leaving.length = 0;
    await new Promise((r) => setTimeout(r, 200));
    const after = heap();
    const grewMb = (after - baseline) / 1024 / 1024;
    assert.ok(grewMb < 5, `heap grew ${grewMb.toFixed(1)} MB after churn (baseline ${(baseline / 1048576).toFixed(1)} MB)`);
    console.log(`# churn heap: baseline ${(baseline / 1048576).toFixed(1)} MB, after ${(after / 1048576).toFixed(1)} MB`);
    } finally {
      for (const s of survivors) s.c.close();
      for (const d of deltaSurvivors) d.close();
      await server.close();
    }
  });
}
