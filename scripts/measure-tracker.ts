/**
 * Cost of the Programmed tracker (issue 4 / issue 6): N synced streams on one
 * view, each subscribed to R clusters (CDS wildcard) and their R
 * ClusterLoadAssignments (EDS by name), driven through a fake xDS server
 * emitting connect / push / ack like the real one. Prints the time of the
 * first progress() pass (usage computed), of a cached pass, of a pass after a
 * publish that changes one CLA every stream re-ACKs, and the heap per stream.
 *
 *   node --expose-gc dist-<you>/scripts/measure-tracker.js [streams=2000] [resources=500]
 */
import { EventEmitter } from 'node:events';
import { ProgrammedTracker, type TrackedServer } from '../src/app/programmed-tracker';
import { makeResource, type Resource, type ResourceTable } from '../src/xds/resource';
import type { ClientStatus } from '../src/xds/types';

const N = Number(process.argv[2] ?? 2000);
const R = Number(process.argv[3] ?? 500);
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

const mk = (t: string, i: number, rev = 0): Resource =>
  makeResource(t, `svc-${i}`, Buffer.from(`body-${t}-${i}-${rev}`), [
    { kind: 'Service', namespace: 'ns', name: `svc-${i}` },
    ...(i % 10 === 0 ? [{ kind: 'BackendPolicy', namespace: 'ns', name: `bp-${i}` }] : []),
  ]);
const cds = new Map<string, Resource>();
const eds = new Map<string, Resource>();
for (let i = 0; i < R; i++) { cds.set(`svc-${i}`, mk(CDS, i)); eds.set(`svc-${i}`, mk(EDS, i)); }
let table: ResourceTable = new Map([[CDS, cds], [EDS, eds]]);
const names = [...eds.keys()].sort();

/** The server surface the tracker reads; clientStatus() copies the subscription like the real one. */
class FakeServer extends EventEmitter {
  view(): ResourceTable { return table; }
  clientStatus(id: string): ClientStatus { return status(id); }
}
const status = (id: string): ClientStatus => ({
  streamId: id, node: { id, cluster: '', metadata: {}, userAgentName: '', userAgentVersion: '' }, viewKey: 'v', variant: 'sotw', service: 'ADS', connectedAt: new Date(0),
  types: { [CDS]: { subscribed: '*' }, [EDS]: { subscribed: [...names] } },
});
const xds = new FakeServer();
let nonce = 0;
function pushAck(s: number, typeUrl: string, resources: readonly Resource[]): void {
  const ref = { streamId: `s${s}`, nodeId: `n${s}`, viewKey: 'v', variant: 'sotw' as const };
  const n = String(++nonce);
  xds.emit('push', { ...ref, typeUrl, version: n, nonce: n, bytes: 0, resources: resources.length });
  xds.emit('ack', { ...ref, typeUrl, version: n, nonce: n, latencyMs: 0, resources, removed: [] });
}

gc();
const heap0 = process.memoryUsage().heapUsed;
const tracker = new ProgrammedTracker({ xds: xds as unknown as TrackedServer, roleOf: () => 'sidecar' });
const allCds = [...cds.values()];
const allEds = [...eds.values()];
for (let s = 0; s < N; s++) {
  xds.emit('connect', status(`s${s}`));
  pushAck(s, CDS, allCds);
  pushAck(s, EDS, allEds);
}
const time = (f: () => unknown): number => { const t0 = performance.now(); f(); return +(performance.now() - t0).toFixed(1); };
const firstMs = time(() => tracker.progress());
const cachedMs = time(() => tracker.progress());
gc();
const heapPerStreamBytes = Math.round((process.memoryUsage().heapUsed - heap0) / N);
// A publish changing one CLA: every stream gets it pushed and ACKs it.
const changed = mk(EDS, 1, 1);
table = new Map([[CDS, cds], [EDS, new Map(eds).set('svc-1', changed)]]);
xds.emit('debounce', { waitedMs: 0, merged: 1 });
for (let s = 0; s < N; s++) pushAck(s, EDS, [changed]);
const afterPublishMs = time(() => tracker.progress());
const p = tracker.progress();
console.log(JSON.stringify({ streams: N, resourcesPerStream: 2 * R, objects: p.size, firstMs, cachedMs, afterPublishMs, heapPerStreamBytes, sample: p.get('Service/ns/svc-1')?.byRole.get('sidecar') }));
tracker.close();
