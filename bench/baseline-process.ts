/**
 * The baseline server in its own process, driven like tower-process.ts:
 * same mesh, same translator (so the same resource bytes), served by
 * BaselineServer (bench/baseline-server.ts).
 */
import { envoyRoot } from '../src/envoy/proto-root';
import type { ResourceTable } from '../src/xds/resource';
import { BaselineServer } from './baseline-server';
import { nowMs } from './clock';
import { serveIpc } from './ipc';
import { Mesh, MeshSpec, changedSlice, generateMesh } from './mesh';
import { BenchTranslator, loadTranslator } from './translator-adapter';

let mesh: Mesh | undefined;
let translator: BenchTranslator | undefined;
let server: BaselineServer | undefined;
let view = '';
let table: ResourceTable = new Map();

serveIpc({
  clock: () => nowMs(),
  build: (a: { mesh: MeshSpec; translator: 'auto' | 'fallback' }) => {
    envoyRoot();
    const t0 = nowMs();
    mesh = generateMesh(a.mesh);
    translator = loadTranslator(a.translator);
    const tables = translator.build(mesh.services, mesh.slices);
    // Every simulated Envoy is a sidecar of one namespace: one view.
    const first = [...tables.entries()].find(([k]) => k.includes('sidecar')) ?? [...tables.entries()][0];
    if (!first) throw new Error('baseline: the translator produced no view');
    [view, table] = first;
    server?.setTable(table); // listening already: push to the held streams
    const resources: Record<string, number> = {};
    for (const [type, byName] of table) resources[type.slice(type.lastIndexOf('.') + 1)] = byName.size;
    return { translateMs: nowMs() - t0, translator: translator.kind, note: translator.note, view, resources };
  },
  listen: async (a: { port: number }) => {
    server = new BaselineServer();
    if (table.size > 0) server.setTable(table);
    return server.listen(a.port, '127.0.0.1');
  },
  change: (a: { service: number; seq: number }) => {
    if (!mesh || !translator || !server) throw new Error('baseline: build and listen before change');
    const t0 = nowMs();
    const updates = translator.updateSlice(changedSlice(mesh, a.service, a.seq));
    const next = updates.get(view);
    if (next) { table = next; server.setTable(next); }
    return { receivedAt: t0, translateMs: nowMs() - t0, views: updates.size };
  },
  stats: () => {
    const mu = process.memoryUsage();
    const cpu = process.cpuUsage();
    return { rss: mu.rss, heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, cpuMs: (cpu.user + cpu.system) / 1000, at: nowMs(), clients: server?.clientCount() ?? 0 };
  },
  gc: () => { (globalThis as { gc?: () => void }).gc?.(); return true; },
  close: async () => { await server?.close(); server = undefined; return true; },
});
