/**
 * What SotW and delta streams share: node identity from the first request,
 * view registration, type URL checks, error statuses, and clean-up on end.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { isKnownType, shortTypeName } from '../envoy/type-urls';
import { typeForUrl } from '../envoy/proto-root';
import type { Clock, TimerHandle } from './clock';
import { nodeInfoFrom, type NodeInfo } from './node-info';
import type { Resource, ResourceTable } from './resource';
import type { ClientStatus, TypeStatus } from './types';
import type { ViewChanges } from './view-changes';
import type { NodeProto } from './wire';

export interface Limits { maxRequestBytes: number; maxResourceNames: number; maxStreamsPerConnection: number; firstRequestTimeoutMs: number }

/** One entry of a CSDS answer (ClientConfig.GenericXdsConfig), before encoding. */
export interface CsdsEntry {
  typeUrl: string;
  name: string;
  version: string;
  resource?: Resource;
  configStatus: 'SYNCED' | 'NOT_SENT' | 'STALE' | 'ERROR';
  clientStatus: 'REQUESTED' | 'ACKED' | 'NACKED';
  error?: { message: string; version: string; at: Date };
}

/** The server side every stream talks to. */
export interface StreamHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly limits: Limits;
  readonly controlPlaneId: string;
  /** Chooses the view for a node and registers the stream under it; throws if selectView fails. */
  attach(stream: XdsStream, node: NodeInfo): string;
  detach(stream: XdsStream): void;
  table(viewKey: string): ResourceTable | undefined;
  /** A new nonce, with its place in the order of all nonces issued (SotW streams keep theirs increasing, sotw-stream.ts). */
  nextNonce(): { nonce: string; seq: number };
  onPush(stream: XdsStream, typeUrl: string, version: string, nonce: string, bytes: number, resources: number): void;
  onAck(stream: XdsStream, typeUrl: string, version: string, nonce: string, latencyMs: number, resources: readonly Resource[], removed: readonly string[]): void;
  onNack(stream: XdsStream, typeUrl: string, version: string, nonce: string, errorDetail: { code: number; message: string }, resources: Resource[]): void;
}

export type DuplexCall = grpc.ServerDuplexStream<Buffer, Buffer>;

let streamCounter = 0;

export abstract class XdsStream {
  readonly id: string;
  readonly connectedAt = new Date();
  node: NodeInfo | undefined;
  viewKey: string | undefined;
  protected closed = false;
  private firstTimer: TimerHandle | undefined;

  constructor(
    protected readonly host: StreamHost,
    protected readonly call: DuplexCall,
    readonly service: string,
    readonly variant: 'sotw' | 'delta',
    /** The one type a per-type service (CDS, EDS, …) carries; undefined on ADS. */
    protected readonly serviceType: string | undefined,
  ) {
    this.id = `${service.toLowerCase()}-${variant}-${++streamCounter}`;
    call.on('data', (b: Buffer) => this.onData(b));
    call.on('end', () => { this.dispose(); try { call.end(); } catch { /* already ended */ } });
    call.on('error', () => this.dispose());
    call.on('cancelled', () => this.dispose());
    call.on('close', () => this.dispose());
    this.firstTimer = host.clock.setTimeout(() => {
      this.firstTimer = undefined;
      if (!this.node) this.fail(grpc.status.DEADLINE_EXCEEDED, `no request carrying node within ${host.limits.firstRequestTimeoutMs} ms`);
    }, host.limits.firstRequestTimeoutMs);
  }

  /** Handles one decoded request; implemented per variant. */
  protected abstract handle(buf: Buffer): void;
  /** Sends whatever this stream is owed, in push order; called on requests and view changes. */
  abstract pump(): void;
  /** Records what a view publish changed (computed once per view), before the publish pumps. */
  abstract viewChanged(changes: ViewChanges): void;
  abstract typeStatus(): Record<string, TypeStatus>;
  abstract csdsEntries(): CsdsEntry[];
  /** Drops per-type state (called on dispose). */
  protected abstract clearState(): void;

  get isClosed(): boolean { return this.closed; }

  status(): ClientStatus {
    return {
      streamId: this.id,
      node: this.node ?? { id: '', cluster: '', metadata: {}, userAgentName: '', userAgentVersion: '' },
      viewKey: this.viewKey ?? '',
      variant: this.variant,
      service: this.service,
      connectedAt: this.connectedAt,
      types: this.typeStatus(),
    };
  }

  protected get table(): ResourceTable | undefined {
    return this.viewKey === undefined ? undefined : this.host.table(this.viewKey);
  }

  private onData(buf: Buffer): void {
    if (this.closed) return;
    try {
      this.handle(buf);
    } catch (e) {
      this.host.logger.error({ err: e, stream: this.id }, 'xDS stream failed');
      this.fail(grpc.status.INTERNAL, `internal error handling request: ${(e as Error).message}`);
    }
  }

  /**
   * The request preamble both variants share: decode (a malformed request
   * fails the stream with INVALID_ARGUMENT naming the message), remember the
   * node from the first request, and resolve the served type URL. Undefined when
   * the stream failed or the request is for a type Tower ignores.
   */
  protected preamble<R extends { node?: NodeProto; typeUrl: string }>(buf: Buffer, message: string, decode: (b: Buffer) => R, nameCount: (r: R) => number): { req: R; typeUrl: string } | undefined {
    let req: R;
    try {
      req = decode(buf);
    } catch (e) {
      this.fail(grpc.status.INVALID_ARGUMENT, `malformed ${message}: ${(e as Error).message}`);
      return undefined;
    }
    if (!this.acceptNode(req.node)) return undefined;
    const typeUrl = this.resolveType(req.typeUrl, nameCount(req));
    return typeUrl ? { req, typeUrl } : undefined;
  }

  /** Remembers the node from the first request; false (stream failed) if it has none. */
  private acceptNode(node: NodeProto | undefined): boolean {
    if (this.node) return true;
    if (!node) {
      this.fail(grpc.status.INVALID_ARGUMENT, `${this.service} stream: the first request must carry node`);
      return false;
    }
    const info = nodeInfoFrom(node);
    try {
      this.viewKey = this.host.attach(this, info);
    } catch (e) {
      this.fail(grpc.status.INTERNAL, `selecting the view for node "${info.id}" failed: ${(e as Error).message}`);
      return false;
    }
    this.node = info;
    if (this.firstTimer) { this.host.clock.clearTimeout(this.firstTimer); this.firstTimer = undefined; }
    return true;
  }

  /** The served type URL of a request, or undefined if it is ignored or the stream failed. */
  private resolveType(typeUrl: string, resourceNames: number): string | undefined {
    if (resourceNames > this.host.limits.maxResourceNames) {
      this.fail(grpc.status.INVALID_ARGUMENT, `request for ${typeUrl || this.serviceType} lists ${resourceNames} resource names; the limit is ${this.host.limits.maxResourceNames}`);
      return undefined;
    }
    if (this.serviceType) {
      if (typeUrl === '' || typeUrl === this.serviceType) return this.serviceType;
      this.fail(grpc.status.INVALID_ARGUMENT, `${this.service} stream serves only ${this.serviceType}; request has type_url "${typeUrl}"`);
      return undefined;
    }
    if (typeUrl === '') {
      this.fail(grpc.status.INVALID_ARGUMENT, 'ADS request without type_url');
      return undefined;
    }
    if (isKnownType(typeUrl)) return typeUrl;
    let envoyType = false;
    try { envoyType = typeForUrl(typeUrl) !== undefined && typeUrl.startsWith('type.googleapis.com/envoy.'); } catch { envoyType = false; }
    if (envoyType) {
      // A real Envoy type Tower does not serve (e.g. RTDS): ignored, as the protocol allows; the client times the resources out.
      this.host.logger.debug({ stream: this.id, typeUrl }, 'ignoring request for a type Tower does not serve');
      return undefined;
    }
    this.fail(grpc.status.INVALID_ARGUMENT, `unknown type_url "${typeUrl}"`);
    return undefined;
  }

  protected fail(code: grpc.status, message: string): void {
    if (this.closed) return;
    this.host.logger.warn({ stream: this.id, node: this.node?.id, code, message }, 'closing xDS stream');
    const err = Object.assign(new Error(message), { code, details: message });
    this.dispose();
    try { this.call.emit('error', err); } catch { /* stream already gone */ }
  }

  private controlPlaneSent = false;

  /**
   * control_plane.identifier for the next response: only the stream's first
   * carries it (Envoy keeps the last one it saw; later responses save the bytes).
   */
  protected controlPlaneOnce(): string {
    if (this.controlPlaneSent) return '';
    this.controlPlaneSent = true;
    return this.host.controlPlaneId;
  }

  /** Writes one encoded response. */
  protected write(typeUrl: string, frame: Buffer, version: string, nonce: string, count: number): void {
    this.call.write(frame);
    this.host.onPush(this, typeUrl, version, nonce, frame.length, count);
    this.host.logger.debug({ stream: this.id, type: shortTypeName(typeUrl), version, nonce, resources: count }, 'xDS push');
  }

  /** Ends the stream from the server side (shutdown). */
  end(): void {
    this.dispose();
    try { this.call.end(); } catch { /* already ended */ }
  }

  /** Frees timers, per-type state and the view registration; idempotent. */
  protected dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.firstTimer) { this.host.clock.clearTimeout(this.firstTimer); this.firstTimer = undefined; }
    this.host.detach(this);
    this.clearState();
  }
}
