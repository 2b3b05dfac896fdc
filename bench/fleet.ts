/**
 * The parent's view of the simulated Envoys: forks worker processes
 * (clientsPerWorker each), starts their clients against a target, and
 * collects marker arrivals, readiness and stream errors reported over IPC.
 */
import * as path from 'node:path';
import { nowMs } from './clock';
import { ChildHandle, EventMsg, rssOf } from './ipc';
import type { Variant } from './sim-client';
import type { WorkerStart } from './sim-worker';

export interface FleetOptions {
  clients: number;
  clientsPerWorker?: number;
  variant: Variant;
  zones?: number;
  namespace?: string;
  rampMs?: number;
  /** Client indices start here (node ids stay unique across fleets). */
  indexOffset?: number;
  /** 'full' keeps every arrival; 'summary' keeps counts and a latency histogram (long churn runs). */
  arrivals?: 'full' | 'summary';
  /** Whether a client's full config includes Listeners (false when the served view has none). */
  requireListeners?: boolean;
  /** Extra node flags for the worker processes (e.g. --cpu-prof to profile the harness itself). */
  workerExecArgv?: string[];
}

/** Per-change summary kept in 'summary' mode. */
export interface MarkerSummary { count: number; lastAt: number; messageBytes: number; resourceBytes: number }

export interface MarkerArrival { client: number; at: number; messageBytes: number; resourceBytes: number }
export interface WorkerStats { rss: number; cpuMs: number; bytes: number; responses: number; decoded: number }

export class Fleet {
  private workers: ChildHandle[] = [];
  /** seq -> arrivals, one per client. */
  readonly markers = new Map<number, MarkerArrival[]>();
  readonly summaries = new Map<number, MarkerSummary>();
  /** Shared-clock time each change was sent (set by the scenario), for the latency histogram. */
  readonly sentAt = new Map<number, number>();
  /** Latency histogram in 1 ms buckets (last bucket: >= 120 s), 'summary' mode. */
  readonly histogram = new Uint32Array(120_001);
  /** client -> latest readiness {at, connects}. */
  readonly ready = new Map<number, { at: number; connects: number }>();
  readonly errorCodes = new Map<number, number>();
  readonly errorSamples: string[] = [];
  /** Stream errors by "code: details" (at most 20 distinct; details with numbers folded to '#'). */
  readonly errorKinds = new Map<string, number>();
  private waiters = new Set<() => void>();

  constructor(readonly opts: FleetOptions) {}

  get size(): number {
    return this.opts.clients;
  }

  /** Forks the workers and checks that their clock is the parent's (CLOCK_MONOTONIC). */
  async spawn(): Promise<{ clockSkewMs: number }> {
    const per = this.opts.clientsPerWorker ?? 250;
    const n = Math.ceil(this.opts.clients / per);
    const file = path.join(__dirname, 'sim-worker.js');
    let worst = 0;
    for (let w = 0; w < n; w++) {
      const h = new ChildHandle(file, `sim-worker-${w}`, ['--max-old-space-size=1024', ...(this.opts.workerExecArgv ?? [])]);
      h.onEvent = (m) => this.onEvent(m);
      this.workers.push(h);
    }
    for (const h of this.workers) {
      const before = nowMs();
      const child = await h.request<number>('clock');
      const after = nowMs();
      if (child < before || child > after) worst = Math.max(worst, Math.abs(child < before ? before - child : child - after));
    }
    if (worst > 1) throw new Error(`bench: worker clock differs from the parent's by ${worst.toFixed(3)} ms; the shared-clock assumption (CLOCK_MONOTONIC) does not hold here`);
    return { clockSkewMs: worst };
  }

  async start(target: string): Promise<void> {
    const per = this.opts.clientsPerWorker ?? 250;
    let first = this.opts.indexOffset ?? 0;
    await Promise.all(this.workers.map((h) => {
      const count = Math.min(per, (this.opts.indexOffset ?? 0) + this.opts.clients - first);
      const a: WorkerStart = {
        target, variant: this.opts.variant, firstIndex: first, count,
        zones: this.opts.zones ?? 3, namespace: this.opts.namespace ?? 'default', rampMs: this.opts.rampMs ?? 0, requireListeners: this.opts.requireListeners ?? true,
      };
      first += count;
      return h.request('start', a);
    }));
  }

  private onEvent(m: EventMsg): void {
    if (m.ev !== 'batch') return;
    const mk = m.markers as number[];
    for (let i = 0; i < mk.length; i += 5) {
      if (this.opts.arrivals === 'summary') {
        const seq = mk[i + 1];
        const s = this.summaries.get(seq) ?? { count: 0, lastAt: 0, messageBytes: 0, resourceBytes: mk[i + 4] };
        s.count++;
        s.lastAt = Math.max(s.lastAt, mk[i + 2]);
        s.messageBytes += mk[i + 3];
        this.summaries.set(seq, s);
        const sent = this.sentAt.get(seq);
        if (sent !== undefined) this.histogram[Math.min(120_000, Math.max(0, Math.floor(mk[i + 2] - sent)))]++;
        continue;
      }
      let list = this.markers.get(mk[i + 1]);
      if (!list) this.markers.set(mk[i + 1], (list = []));
      list.push({ client: mk[i], at: mk[i + 2], messageBytes: mk[i + 3], resourceBytes: mk[i + 4] });
    }
    const rd = m.ready as number[];
    for (let i = 0; i < rd.length; i += 3) this.ready.set(rd[i], { at: rd[i + 1], connects: rd[i + 2] });
    for (const [code, details] of m.errors as [number, string][]) {
      this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
      if (this.errorSamples.length < 5 && code !== 1 /* CANCELLED at shutdown */) this.errorSamples.push(`${code}: ${details}`);
      const kind = `${code}: ${details.replace(/\d+/g, '#')}`;
      if (this.errorKinds.has(kind) || this.errorKinds.size < 20) this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
    }
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when cond() holds (checked on every batch), or rejects after timeoutMs. */
  waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => { if (cond()) { cleanup(); resolve(); } };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`)); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
    });
  }

  /** Number of clients whose latest readiness came after `since` (shared-clock ms). */
  readySince(since: number): number {
    let n = 0;
    for (const r of this.ready.values()) if (r.at >= since) n++;
    return n;
  }

  async waitAllReady(since: number, timeoutMs: number): Promise<void> {
    await this.waitFor(() => this.readySince(since) >= this.opts.clients, timeoutMs, `${this.opts.clients} clients to hold their full config`);
  }

  async waitMarker(seq: number, count: number, timeoutMs: number): Promise<MarkerArrival[]> {
    await this.waitFor(() => (this.markers.get(seq)?.length ?? 0) >= count, timeoutMs, `change ${seq} to reach ${count} clients (reached ${this.markers.get(seq)?.length ?? 0})`);
    return this.markers.get(seq)!;
  }

  /** Changes (seq) a count of clients has seen, in either mode. */
  seen(seq: number): number {
    return this.opts.arrivals === 'summary' ? (this.summaries.get(seq)?.count ?? 0) : (this.markers.get(seq)?.length ?? 0);
  }

  /** Percentile (0..100) of the latency histogram, in ms. */
  histogramPercentile(p: number): number {
    let total = 0;
    for (const c of this.histogram) total += c;
    if (total === 0) return NaN;
    const rank = Math.ceil((p / 100) * total);
    let acc = 0;
    for (let ms = 0; ms < this.histogram.length; ms++) { acc += this.histogram[ms]; if (acc >= rank) return ms + 1; }
    return Infinity;
  }

  async stats(): Promise<WorkerStats & { workers: number; rssEach: number[] }> {
    const all = await Promise.all(this.workers.map((h) => h.request<WorkerStats>('stats')));
    return {
      workers: all.length,
      rss: all.reduce((s, x) => s + x.rss, 0),
      rssEach: all.map((x) => x.rss),
      cpuMs: all.reduce((s, x) => s + x.cpuMs, 0),
      bytes: all.reduce((s, x) => s + x.bytes, 0),
      responses: all.reduce((s, x) => s + x.responses, 0),
      decoded: all.reduce((s, x) => s + x.decoded, 0),
    };
  }

  pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  rss(): number {
    return this.workers.reduce((s, w) => s + (rssOf(w.pid) ?? 0), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map(async (h) => {
      try { await h.request('stop', undefined, 10_000); } catch { /* already gone */ }
      await h.stop();
    }));
    this.workers = [];
  }
}
