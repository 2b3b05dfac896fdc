/**
 * Prometheus metrics for one Tower instance, fed by the xDS server's events.
 * Each instance owns its own prom-client Registry, so several servers can
 * live in one process (tests) without sharing counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { shortTypeName } from '../envoy/type-urls';
import type { ResourceTable } from '../xds/resource';
import type { AckEvent, ClientStatus, DebounceEvent, NackEvent, ObservedXdsServer, PushEvent } from './xds-contract';

/** Push-to-ACK latency buckets, 1 ms to 10 s. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Role label of a connected client (gateway, sidecar, proxyless); the view key when unset. */
  readonly roleOf?: (client: ClientStatus) => string;
  /** Collect prom-client's default process metrics (CPU, heap, event loop lag, fds). Default true. */
  readonly processMetrics?: boolean;
}

export class TowerMetrics {
  readonly registry = new Registry();
  private readonly roleOf: (client: ClientStatus) => string;
  private server: ObservedXdsServer | undefined;

  readonly connectedClients: Gauge<'role' | 'variant'>;
  readonly connections: Counter<'role' | 'variant'>;
  readonly pushes: Counter<'type'>;
  readonly pushBytes: Counter<'type'>;
  readonly pushResources: Counter<'type'>;
  readonly acks: Counter<'type'>;
  readonly nacks: Counter<'type'>;
  readonly ackLatency: Histogram<'type'>;
  readonly debounceWait: Histogram<string>;
  readonly debounceMerged: Counter<string>;
  /** The latest table of each view, measured when /metrics is scraped. */
  private readonly views = new Map<string, ResourceTable>();
  readonly configResources: Gauge<'view' | 'type'>;
  readonly configBytes: Gauge<'view' | 'type'>;
  readonly ready: Gauge<string>;

  constructor(opts: MetricsOptions = {}) {
    this.roleOf = opts.roleOf ?? ((c) => c.viewKey);
    const registers = [this.registry];
    const self = this;
    this.connectedClients = new Gauge({
      name: 'tower_xds_connected_clients',
      help: 'xDS streams currently open, by client role and xDS variant (sotw or delta)',
      labelNames: ['role', 'variant'],
      registers,
      collect() {
        this.reset();
        for (const c of self.server?.clients() ?? []) this.inc({ role: self.roleOf(c), variant: c.variant });
      },
    });
    this.connections = new Counter({ name: 'tower_xds_connections_total', help: 'xDS streams opened', labelNames: ['role', 'variant'], registers });
    this.pushes = new Counter({ name: 'tower_xds_pushes_total', help: 'xDS responses sent, by resource type', labelNames: ['type'], registers });
    this.pushBytes = new Counter({ name: 'tower_xds_push_bytes_total', help: 'Bytes of resources sent in xDS responses, by resource type', labelNames: ['type'], registers });
    this.pushResources = new Counter({ name: 'tower_xds_pushed_resources_total', help: 'Resources sent in xDS responses, by resource type', labelNames: ['type'], registers });
    this.acks = new Counter({ name: 'tower_xds_acks_total', help: 'xDS responses ACKed by clients, by resource type', labelNames: ['type'], registers });
    this.nacks = new Counter({ name: 'tower_xds_nacks_total', help: 'xDS responses rejected (NACKed) by clients, by resource type', labelNames: ['type'], registers });
    this.ackLatency = new Histogram({
      name: 'tower_xds_push_ack_latency_seconds',
      help: 'Time from sending an xDS response to receiving its ACK, by resource type',
      labelNames: ['type'],
      buckets: latencyBuckets,
      registers,
    });
    this.debounceWait = new Histogram({
      name: 'tower_debounce_wait_seconds',
      help: 'Time between the first change of a batch and the push it triggered',
      buckets: latencyBuckets,
      registers,
    });
    this.debounceMerged = new Counter({ name: 'tower_debounce_merged_changes_total', help: 'Changes merged into debounced pushes', registers });
    // Config sizes are computed when scraped, not on every publish (a push is a hot path).
    const views = this.views;
    this.configResources = new Gauge({
      name: 'tower_config_resources', help: 'Resources in a client view, by view and resource type', labelNames: ['view', 'type'], registers,
      collect() {
        this.reset();
        for (const [view, table] of views) for (const [typeUrl, byName] of table) this.set({ view, type: shortTypeName(typeUrl) }, byName.size);
      },
    });
    this.configBytes = new Gauge({
      name: 'tower_config_bytes', help: 'Serialized size of a client view, by view and resource type', labelNames: ['view', 'type'], registers,
      collect() {
        this.reset();
        for (const [view, table] of views) {
          for (const [typeUrl, byName] of table) {
            let bytes = 0;
            for (const r of byName.values()) bytes += r.body.length;
            this.set({ view, type: shortTypeName(typeUrl) }, bytes);
          }
        }
      },
    });
    this.ready = new Gauge({ name: 'tower_ready', help: '1 once the first configuration snapshot is served', registers });
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  private readonly onConnect = (c: ClientStatus): void => {
    this.connections.inc({ role: this.roleOf(c), variant: c.variant });
  };
  private readonly onPush = (e: PushEvent): void => {
    const type = shortTypeName(e.typeUrl);
    this.pushes.inc({ type });
    this.pushBytes.inc({ type }, e.bytes);
    this.pushResources.inc({ type }, e.resources);
  };
  private readonly onAck = (e: AckEvent): void => {
    const type = shortTypeName(e.typeUrl);
    this.acks.inc({ type });
    if (Number.isFinite(e.latencyMs) && e.latencyMs >= 0) this.ackLatency.observe({ type }, e.latencyMs / 1000);
  };
  private readonly onNack = (e: NackEvent): void => {
    this.nacks.inc({ type: shortTypeName(e.typeUrl) });
  };
  private readonly onDebounce = (e: DebounceEvent): void => {
    this.debounceWait.observe(e.waitedMs / 1000);
    this.debounceMerged.inc(e.merged);
  };

  /** Subscribes to the server's events; returns a function that unsubscribes. */
  bind(server: ObservedXdsServer): () => void {
    this.server = server;
    server.on('connect', this.onConnect);
    server.on('push', this.onPush);
    server.on('ack', this.onAck);
    server.on('nack', this.onNack);
    server.on('debounce', this.onDebounce);
    return () => {
      server.off('connect', this.onConnect);
      server.off('push', this.onPush);
      server.off('ack', this.onAck);
      server.off('nack', this.onNack);
      server.off('debounce', this.onDebounce);
      if (this.server === server) this.server = undefined;
    };
  }

  /** Records the size of a view just published to the xDS server. */
  recordView(viewKey: string, table: ResourceTable): void {
    this.views.set(viewKey, table);
  }

  /** Drops the size series of a view that no longer exists. */
  forgetView(viewKey: string): void {
    this.views.delete(viewKey);
  }

  /** Prometheus text exposition of every metric in this instance's registry. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
