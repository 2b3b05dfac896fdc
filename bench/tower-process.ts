/**
 * Tower in its own process for the benchmarks: builds the synthetic mesh
 * through the translator (Tower's pipeline when present), serves it with
 * Tower's XdsServer, and is driven by the bench parent over IPC (apply an
 * endpoint change, report RSS/heap/CPU).
 */
import { envoyRoot } from '../src/envoy/proto-root';
import type { ResourceTable } from '../src/xds/resource';
import { XdsServer } from '../src/xds/server';
import { nowMs } from './clock';
import { serveIpc } from './ipc';
import { Mesh, MeshSpec, changedSlice, generateMesh } from './mesh';
import { BenchTranslator, loadTranslator } from './translator-adapter';
import { libraryFloor } from './library-floor';

let mesh: Mesh | undefined;
let translator: BenchTranslator | undefined;
let server: XdsServer | undefined;
let tables = new Map<string, ResourceTable>();
const counters = { nack: 0, connect: 0, disconnect: 0, debounce: 0 };

function countResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tables.values()) for (const [type, byName] of t) out[type.slice(type.lastIndexOf('.') + 1)] = (out[type.slice(type.lastIndexOf('.') + 1)] ?? 0) + byName.size;
  return out;
}

serveIpc({
  clock: () => nowMs(),
  build: (a: { mesh: MeshSpec; translator: 'auto' | 'fallback' }) => {
    const p0 = nowMs();
    envoyRoot(); // proto loading is start-up cost, timed apart from translation
    const t0 = nowMs();
    mesh = generateMesh(a.mesh);
    const t1 = nowMs();
    translator ??= loadTranslator(a.translator);
    tables = translator.build(mesh.services, mesh.slices);
    const t2 = nowMs();
    // Listening already (as Tower does: it listens before its sources sync): the held streams get the tables now.
    if (server) {
      for (const [view, table] of tables) server.setView(view, table);
      server.flush();
    }
    return { protoLoadMs: t0 - p0, generateMs: t1 - t0, translateMs: t2 - t1, phases: translator.lastBuildPhases?.(), translator: translator.kind, note: translator.note, views: tables.size, resources: countResources() };
  },
  listen: async (a: { port: number; translator: 'auto' | 'fallback'; debounce?: { quietMs?: number; maxWaitMs?: number; endpointQuietMs?: number } }) => {
    const tr = (translator ??= loadTranslator(a.translator));
    // TOWER_BENCH_GRPC_OPTIONS (JSON): gRPC server options for experiments (e.g. {"grpc.enable_channelz":1}).
    const grpcServerOptions = process.env.TOWER_BENCH_GRPC_OPTIONS ? JSON.parse(process.env.TOWER_BENCH_GRPC_OPTIONS) as Record<string, number> : undefined;
    server = new XdsServer({ selectView: (node) => tr.selectView(node), debounce: a.debounce, grpcServerOptions });
    // Only cheap events: 'push'/'ack' listeners make the server build a full ClientStatus
    // (every subscribed name, sorted) per response, which would inflate Tower's costs.
    server.on('debounce', () => { counters.debounce++; });
    server.on('nack', () => { counters.nack++; });
    server.on('connect', () => { counters.connect++; });
    server.on('disconnect', () => { counters.disconnect++; });
    for (const [view, table] of tables) server.setView(view, table);
    server.flush();
    return server.listen(a.port, '127.0.0.1');
  },
  change: (a: { service: number; seq: number }) => {
    if (!mesh || !translator) throw new Error('build before change');
    const t0 = nowMs();
    const slice = changedSlice(mesh, a.service, a.seq);
    if (translator.updateSliceWithChanges) {
      const updates = translator.updateSliceWithChanges(slice);
      const t1 = nowMs();
      for (const [view, u] of updates) {
        const since = tables.get(view);
        tables.set(view, u.table);
        server?.setView(view, u.table, { endpointsOnly: true, changes: since && { since, changed: u.changed, removed: u.removed } });
      }
      return { receivedAt: t0, translateMs: t1 - t0, views: updates.size };
    }
    const updates = translator.updateSlice(slice);
    const t1 = nowMs();
    for (const [view, table] of updates) { tables.set(view, table); server?.setView(view, table, { endpointsOnly: true }); }
    return { receivedAt: t0, translateMs: t1 - t0, views: updates.size };
  },
  floor: () => libraryFloor(tables.values()),
  stats: () => {
    const mu = process.memoryUsage();
    const cpu = process.cpuUsage();
    return { rss: mu.rss, heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, external: mu.external, arrayBuffers: mu.arrayBuffers, cpuMs: (cpu.user + cpu.system) / 1000, at: nowMs(), clients: counters.connect - counters.disconnect, counters: { ...counters } };
  },
  gc: () => { (globalThis as { gc?: () => void }).gc?.(); return typeof (globalThis as { gc?: () => void }).gc === 'function'; },
  close: async () => { await server?.close(); server = undefined; return true; },
});
