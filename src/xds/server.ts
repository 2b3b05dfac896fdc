/**
 * Tower's xDS server: ADS and the per-type discovery services (state of the
 * world and delta) plus CSDS, on one gRPC port. Views (one ResourceTable per
 * view key) are set by translators, debounced, then pushed to every stream of
 * that view. See docs/xds-server.md.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { realClock, type Clock } from './clock';
import { encodeCsdsResponse, decodeCsdsRequest, nodeMatches } from './csds';
import { Debouncer } from './debounce';
import { DeltaStream } from './delta-stream';
import { desiredSotw, EMPTY } from './desired';
import { nodeInfoFrom, type NodeInfo } from './node-info';
import type { Resource, ResourceTable } from './resource';
import { csdsService, discoveryServices, rawServiceDefinition, type ServiceSpec } from './service-defs';
import { shouldRespond } from './should-respond';
import { SotwStream } from './sotw-stream';
import type { DuplexCall, Limits, StreamHost, XdsStream } from './stream-base';
import type { ClientStatus, SetViewOptions, XdsServerEvents, XdsServerOptions } from './types';
import { decodeSotwRequest, encodeSotwResponse } from './wire';
import { viewChanges, viewChangesFromHints, type ChangeHints } from './view-changes';
import { deriveTypeVersion } from './type-version';

export type { NodeInfo } from './node-info';
export type { Clock, TimerHandle } from './clock';
export type { ClientStatus, SetViewOptions, TypeStatus, XdsServerEvents, XdsServerOptions, PushEvent, AckEvent, NackEvent, DebounceEvent, StreamRef } from './types';

/**
 * The xDS server. Embed it like go-control-plane's server: construct with a
 * `selectView` function, `listen()`, then `setView()` whenever a view's
 * resources change. Emits 'connect', 'disconnect', 'push', 'ack', 'nack', 'debounce'.
 */
export class XdsServer extends EventEmitter<XdsServerEvents> {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly limits: Limits;
  private readonly views = new Map<string, ResourceTable>();
  /** Tables set since the last publish, with the change hints that lead to them from the published table (undefined: unknown). */
  private readonly pending = new Map<string, { table: ResourceTable; hints: ChangeHints[] | undefined }>();
  private readonly attached = new Map<string, XdsStream>();
  private readonly allStreams = new Set<XdsStream>();
  private readonly byView = new Map<string, Set<XdsStream>>();
  private readonly csdsCalls = new Set<DuplexCall>();
  private readonly debouncer: Debouncer;
  private readonly host: StreamHost;
  private grpcServer: grpc.Server | undefined;
  private socketServer: net.Server | undefined;
  /** Accepted connections, so close() can end any grpc-js did not (e.g. one that never spoke HTTP/2). */
  private readonly sockets = new Set<net.Socket>();
  private nonceCounter = 0;

  constructor(private readonly opts: XdsServerOptions) {
    super();
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.clock = opts.clock ?? realClock;
    this.limits = {
      maxRequestBytes: opts.limits?.maxRequestBytes ?? 4 * 1024 * 1024,
      maxResourceNames: opts.limits?.maxResourceNames ?? 100_000,
      maxStreamsPerConnection: opts.limits?.maxStreamsPerConnection ?? 100,
      firstRequestTimeoutMs: opts.limits?.firstRequestTimeoutMs ?? 30_000,
    };
    this.debouncer = new Debouncer({
      quietMs: opts.debounce?.quietMs ?? 100,
      maxWaitMs: opts.debounce?.maxWaitMs ?? 1000,
      endpointQuietMs: opts.debounce?.endpointQuietMs ?? 10,
      clock: this.clock,
      onFire: (info) => this.publish(info),
    });
    this.host = this.makeHost();
  }

  /** Binds the port (0 = ephemeral) and resolves to the bound port. */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    if (this.grpcServer) throw new Error('XdsServer.listen called twice');
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.limits.maxRequestBytes,
      'grpc.max_concurrent_streams': this.limits.maxStreamsPerConnection,
      // Tower serves no channelz service; with it on, grpc-js tracks every session and call (memory per client).
      'grpc.enable_channelz': 0,
      ...this.opts.grpcServerOptions,
    });
    for (const spec of discoveryServices) server.addService(rawServiceDefinition(spec), this.handlers(spec));
    server.addService(rawServiceDefinition(csdsService), {
      StreamClientStatus: (call: DuplexCall) => this.csdsStream(call),
      FetchClientStatus: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => this.csdsFetch(call.request, cb),
    });
    this.grpcServer = server;
    // Tower owns the listening socket (deep accept queue: see XdsServerOptions.listenBacklog) and hands
    // each connection to grpc-js, which serves it exactly as one it accepted itself.
    const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const sockets = this.sockets;
    const socketServer = net.createServer((socket) => {
      socket.on('error', () => undefined); // reported by grpc-js's session; never an uncaught 'error'
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      injector.injectConnection(socket);
    });
    this.socketServer = socketServer;
    return new Promise((resolve, reject) => {
      socketServer.once('error', reject);
      socketServer.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port, backlog: this.opts.listenBacklog ?? 4096 }, () => {
        socketServer.removeListener('error', reject);
        socketServer.on('error', (err) => this.logger.error({ err }, 'xDS listening socket failed'));
        resolve((socketServer.address() as net.AddressInfo).port);
      });
    });
  }

  /** Ends every stream, stops timers and the gRPC server. */
  async close(): Promise<void> {
    this.debouncer.close();
    for (const s of [...this.allStreams]) s.end();
    for (const c of [...this.csdsCalls]) { try { c.end(); } catch { /* gone */ } }
    this.csdsCalls.clear();
    const server = this.grpcServer;
    this.grpcServer = undefined;
    const socketServer = this.socketServer;
    this.socketServer = undefined;
    // Stops accepting at once; its callback waits for the accepted connections, which grpc-js closes below.
    const socketClosed = socketServer?.listening ? new Promise<void>((resolve) => socketServer.close(() => resolve())) : undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { server.forceShutdown(); resolve(); }, 1000);
        server.tryShutdown(() => { clearTimeout(t); resolve(); });
      });
    }
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (socketClosed) await socketClosed;
  }

  /**
   * Replaces the resources of one view. Debounced and merged with other
   * changes; `endpointsOnly` changes (only ClusterLoadAssignments differ)
   * take the short quiet period.
   */
  setView(viewKey: string, table: ResourceTable, opts?: SetViewOptions): void {
    const prior = this.pending.get(viewKey);
    const last = prior ? prior.table : this.views.get(viewKey);
    // Hints are used only when they lead from exactly the table set before; otherwise publish diffs the tables.
    const c = opts?.changes;
    const usable = c !== undefined && last !== undefined && c.since === last && (!prior || prior.hints !== undefined);
    if (usable && prior?.hints) {
      // the same pending entry: its hint list is private to it
      prior.table = table;
      prior.hints.push(c);
    } else {
      this.pending.set(viewKey, { table, hints: usable ? [c] : undefined });
    }
    this.debouncer.trigger(opts?.endpointsOnly === true);
  }

  /** Publishes pending view changes now (tests, shutdown). */
  flush(): void {
    this.debouncer.flush();
  }

  /** The published table of a view: what a client of that view is being sent. */
  view(viewKey: string): ResourceTable | undefined {
    return this.views.get(viewKey);
  }

  /** Status of every connected client (streams that have sent their node). */
  clients(): ClientStatus[] {
    return [...this.attached.values()].map((s) => s.status());
  }

  /** Status of one connected client by stream id (status tracking; cheaper than clients() for one). */
  clientStatus(streamId: string): ClientStatus | undefined {
    return this.attached.get(streamId)?.status();
  }

  /** Sizes of the internal per-stream maps (leak checks). */
  internalCounts(): { streams: number; attached: number; views: number; viewIndex: number } {
    let indexed = 0;
    for (const set of this.byView.values()) indexed += set.size;
    return { streams: this.allStreams.size, attached: this.attached.size, views: this.views.size, viewIndex: indexed };
  }

  private publish(info: { waitedMs: number; merged: number }): void {
    const changed = [...this.pending];
    this.pending.clear();
    // What changed is computed once per view; each stream intersects it with its subscription.
    const diffs = changed.map(([k, p]) => {
      const prev = this.views.get(k);
      const d = p.hints ? viewChangesFromHints(prev, p.table, p.hints) : viewChanges(prev, p.table);
      // Named types' version_info follows from the previous one in O(changed).
      if (prev) for (const [type, tc] of d.byType) { const a = prev.get(type); const b = p.table.get(type); if (a && b) deriveTypeVersion(a, b, tc); }
      return { k, d };
    });
    for (const [k, p] of changed) this.views.set(k, p.table);
    this.safeEmit('debounce', info);
    for (const { k, d } of diffs) {
      if (!d.all && d.byType.size === 0) continue;
      for (const s of this.byView.get(k) ?? []) {
        try { s.viewChanged(d); s.pump(); } catch (e) { this.logger.error({ err: e, stream: s.id }, 'push failed'); }
      }
    }
  }

  private safeEmit<K extends keyof XdsServerEvents>(event: K, ...args: XdsServerEvents[K]): void {
    if (this.listenerCount(event) === 0) return;
    try {
      (this.emit as (e: K, ...a: XdsServerEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.logger.error({ err: e, event }, 'xDS server event listener threw');
    }
  }

  private makeHost(): StreamHost {
    const emitIf = <K extends keyof XdsServerEvents>(event: K, make: () => XdsServerEvents[K]): void => {
      if (this.listenerCount(event) > 0) this.safeEmit(event, ...make());
    };
    return {
      clock: this.clock,
      logger: this.logger,
      limits: this.limits,
      controlPlaneId: this.opts.controlPlaneId ?? 'tower',
      attach: (stream, node) => {
        const viewKey = this.opts.selectView(node);
        if (typeof viewKey !== 'string') throw new Error(`selectView returned ${typeof viewKey}, not a string`);
        let set = this.byView.get(viewKey);
        if (!set) this.byView.set(viewKey, (set = new Set()));
        set.add(stream);
        this.attached.set(stream.id, stream);
        stream.viewKey = viewKey;
        stream.node = node;
        emitIf('connect', () => [stream.status()]);
        return viewKey;
      },
      detach: (stream) => {
        this.allStreams.delete(stream);
        if (!this.attached.delete(stream.id)) return;
        const set = stream.viewKey === undefined ? undefined : this.byView.get(stream.viewKey);
        set?.delete(stream);
        if (set && set.size === 0) this.byView.delete(stream.viewKey!);
        emitIf('disconnect', () => [stream.status()]);
      },
      table: (viewKey) => this.views.get(viewKey),
      // Nonces need only be unique within a stream (a new stream starts with fresh state): a short counter.
      nextNonce: () => {
        const seq = ++this.nonceCounter;
        return { nonce: seq.toString(36), seq };
      },
      // Light payloads (no ClientStatus): metrics listen to every push; call clients() for the whole status.
      onPush: (stream, typeUrl, version, nonce, bytes, resources) =>
        emitIf('push', () => [{ streamId: stream.id, nodeId: stream.node?.id ?? '', viewKey: stream.viewKey ?? '', variant: stream.variant, typeUrl, version, nonce, bytes, resources }]),
      onAck: (stream, typeUrl, version, nonce, latencyMs, resources, removed) =>
        emitIf('ack', () => [{ streamId: stream.id, nodeId: stream.node?.id ?? '', viewKey: stream.viewKey ?? '', variant: stream.variant, typeUrl, version, nonce, latencyMs, resources, removed }]),
      onNack: (stream, typeUrl, version, nonce, errorDetail, resources) => {
        this.logger.warn({ stream: stream.id, node: stream.node?.id, typeUrl, version, error: errorDetail.message }, 'xDS NACK');
        emitIf('nack', () => [{ client: stream.status(), typeUrl, version, nonce, errorDetail, resources }]);
      },
    };
  }

  private handlers(spec: ServiceSpec): grpc.UntypedServiceImplementation {
    const h: grpc.UntypedServiceImplementation = {
      [spec.stream]: (call: DuplexCall) => { this.allStreams.add(new SotwStream(this.host, call, spec.short, 'sotw', spec.typeUrl)); },
      [spec.delta]: (call: DuplexCall) => { this.allStreams.add(new DeltaStream(this.host, call, spec.short, 'delta', spec.typeUrl)); },
    };
    if (spec.fetch) {
      h[spec.fetch] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => this.fetch(spec, call.request, cb);
    }
    return h;
  }

  /** Unary Fetch*: the current state of the world for the request's node and names. */
  private fetch(spec: ServiceSpec, buf: Buffer, cb: grpc.sendUnaryData<Buffer>): void {
    const fail = (code: grpc.status, details: string) => cb({ code, details, name: 'Error', message: details });
    try {
      const req = decodeSotwRequest(buf);
      const typeUrl = spec.typeUrl!;
      if (req.typeUrl !== '' && req.typeUrl !== typeUrl) return fail(grpc.status.INVALID_ARGUMENT, `${spec.short} fetch serves only ${typeUrl}; request has type_url "${req.typeUrl}"`);
      if (!req.node) return fail(grpc.status.INVALID_ARGUMENT, `${spec.short} fetch: the request must carry node`);
      if (req.resourceNames.length > this.limits.maxResourceNames) return fail(grpc.status.INVALID_ARGUMENT, `request lists ${req.resourceNames.length} resource names; the limit is ${this.limits.maxResourceNames}`);
      const table = this.views.get(this.opts.selectView(nodeInfoFrom(req.node)));
      if (!table) return fail(grpc.status.UNAVAILABLE, 'no configuration for this node yet');
      const sub = shouldRespond(undefined, { ...req, typeUrl }).subscription;
      const want = desiredSotw(table.get(typeUrl) ?? (EMPTY as ReadonlyMap<string, Resource>), sub);
      cb(null, encodeSotwResponse({ versionInfo: want.version, typeUrl, nonce: this.host.nextNonce().nonce, resources: want.resources, controlPlaneId: this.host.controlPlaneId }));
    } catch (e) {
      fail(grpc.status.INVALID_ARGUMENT, `malformed DiscoveryRequest: ${(e as Error).message}`);
    }
  }

  private csdsAnswer(buf: Buffer): Buffer {
    const req = decodeCsdsRequest(buf);
    const clients = [...this.attached.values()]
      .filter((s) => s.node && nodeMatches(req, s.node))
      .map((s) => ({ node: s.node as NodeInfo, entries: s.csdsEntries() }));
    return Buffer.from(encodeCsdsResponse(clients, req.excludeResourceContents));
  }

  private csdsFetch(buf: Buffer, cb: grpc.sendUnaryData<Buffer>): void {
    try {
      cb(null, this.csdsAnswer(buf));
    } catch (e) {
      const details = `malformed ClientStatusRequest: ${(e as Error).message}`;
      cb({ code: grpc.status.INVALID_ARGUMENT, details, name: 'Error', message: details });
    }
  }

  private csdsStream(call: DuplexCall): void {
    this.csdsCalls.add(call);
    const done = () => this.csdsCalls.delete(call);
    call.on('close', done);
    call.on('cancelled', done);
    call.on('data', (buf: Buffer) => {
      try {
        call.write(this.csdsAnswer(buf));
      } catch (e) {
        const details = `malformed ClientStatusRequest: ${(e as Error).message}`;
        call.emit('error', Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details }));
      }
    });
    call.on('end', () => { done(); call.end(); });
    call.on('error', done);
  }
}
