/**
 * A worker process hosting many simulated Envoys (default 250 per process).
 * Reports marker arrivals, readiness and stream errors to the parent in
 * batches every 50 ms, with timestamps from the shared monotonic clock.
 */
import { ResourceInspector } from './ads-codec';
import { nowMs } from './clock';
import { benchNodeMetadata } from './mesh';
import { emitEvent, serveIpc } from './ipc';
import { SimClient, Variant } from './sim-client';

export interface WorkerStart {
  target: string;
  variant: Variant;
  firstIndex: number;
  count: number;
  zones: number;
  namespace: string;
  /** Spread connection attempts over this many ms (0 = all at once). */
  rampMs: number;
  requireListeners: boolean;
}

const inspector = new ResourceInspector();
const clients: SimClient[] = [];
let markers: number[] = [];
let ready: number[] = [];
let errors: [number, string][] = [];
let flushTimer: NodeJS.Timeout | undefined;
const rampTimers = new Set<NodeJS.Timeout>();

function flush(): void {
  if (markers.length === 0 && ready.length === 0 && errors.length === 0) return;
  emitEvent({ ev: 'batch', markers, ready, errors });
  markers = [];
  ready = [];
  errors = [];
}

serveIpc({
  clock: () => nowMs(),
  start: (a: WorkerStart) => {
    flushTimer ??= setInterval(flush, 50);
    for (let k = 0; k < a.count; k++) {
      const idx = a.firstIndex + k;
      const client = new SimClient(a.target, {
        id: `sidecar~10.200.${(idx >> 8) & 255}.${idx & 255}~bench-${idx}.${a.namespace}~${a.namespace}.svc.cluster.local`,
        cluster: `bench-client.${a.namespace}`,
        metadata: benchNodeMetadata(a.namespace),
        zone: `zone-${String.fromCharCode(97 + (idx % Math.max(1, a.zones)))}`,
      }, a.variant, inspector, {
        marker: (seq, at, msgBytes, resBytes) => { markers.push(idx, seq, at, msgBytes, resBytes); },
        ready: (at, connects) => { ready.push(idx, at, connects); },
        streamError: (code, details) => { if (errors.length < 1000) errors.push([code, details]); },
      }, a.requireListeners);
      clients.push(client);
      const delay = a.rampMs > 0 ? (k / a.count) * a.rampMs : 0;
      if (delay === 0) client.start();
      else { const t = setTimeout(() => { rampTimers.delete(t); client.start(); }, delay); rampTimers.add(t); }
    }
    return { started: a.count };
  },
  stats: () => {
    flush();
    const cpu = process.cpuUsage();
    return {
      rss: process.memoryUsage().rss,
      cpuMs: (cpu.user + cpu.system) / 1000,
      bytes: clients.reduce((s, c) => s + c.bytesReceived, 0),
      responses: clients.reduce((s, c) => s + c.responses, 0),
      decoded: inspector.decoded,
    };
  },
  flush: () => { flush(); return true; },
  stop: () => {
    for (const t of rampTimers) clearTimeout(t);
    rampTimers.clear();
    for (const c of clients) c.stop();
    clients.length = 0;
    flush();
    if (flushTimer) clearInterval(flushTimer);
    flushTimer = undefined;
    return true;
  },
});
