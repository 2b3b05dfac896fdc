/** Public data shapes of the xDS server: client status, events, options. */
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { NodeInfo } from './node-info';
import type { Resource, ResourceTable } from './resource';

export interface TypeStatus {
  subscribed: string[] | '*';
  sentVersion?: string;
  sentNonce?: string;
  ackedVersion?: string;
  ackedAt?: Date;
  lastNack?: { version: string; nonce: string; message: string; at: Date };
}

export interface ClientStatus {
  streamId: string;
  node: NodeInfo;
  viewKey: string;
  variant: 'sotw' | 'delta';
  /** 'ADS' | 'CDS' | 'EDS' | 'LDS' | 'RDS' | 'SDS' */
  service: string;
  connectedAt: Date;
  types: Record<string, TypeStatus>;
}

/** Which stream an event is about; cheap to build on every response (XdsServer.clients() has the whole status). */
export interface StreamRef { streamId: string; nodeId: string; viewKey: string; variant: 'sotw' | 'delta' }
export interface PushEvent extends StreamRef { typeUrl: string; version: string; nonce: string; bytes: number; resources: number }
export interface AckEvent extends StreamRef {
  typeUrl: string; version: string; nonce: string; latencyMs: number;
  /** The resources of the ACKed response (shared, never mutated; status tracking). */
  resources: readonly Resource[];
  /** Delta: names the ACKed response removed. */
  removed: readonly string[];
}
export interface NackEvent { client: ClientStatus; typeUrl: string; version: string; nonce: string; errorDetail: { code: number; message: string }; resources: Resource[] }
export interface DebounceEvent { waitedMs: number; merged: number }

export interface XdsServerEvents {
  connect: [ClientStatus];
  disconnect: [ClientStatus];
  push: [PushEvent];
  ack: [AckEvent];
  nack: [NackEvent];
  debounce: [DebounceEvent];
}

export interface XdsServerOptions {
  /** View key for a node; clients with the same key share one ResourceTable. */
  selectView: (node: NodeInfo) => string;
  logger?: Logger;
  /** Defaults: quietMs 100, maxWaitMs 1000, endpointQuietMs 10. */
  debounce?: { quietMs?: number; maxWaitMs?: number; endpointQuietMs?: number };
  /** Injectable timers (tests). */
  clock?: Clock;
  /**
   * Defaults: maxRequestBytes 4 MiB (gRPC max receive size), maxResourceNames 100000 per request,
   * maxStreamsPerConnection 100 (HTTP/2 max concurrent streams), firstRequestTimeoutMs 30000
   * (a stream that sends no request carrying node within it is closed with DEADLINE_EXCEEDED).
   */
  limits?: { maxRequestBytes?: number; maxResourceNames?: number; maxStreamsPerConnection?: number; firstRequestTimeoutMs?: number };
  /**
   * Extra @grpc/grpc-js server options (they override Tower's defaults, e.g.
   * 'grpc.enable_channelz', which Tower turns off: it costs memory per connection).
   */
  grpcServerOptions?: Record<string, string | number>;
  /**
   * Length of the xDS port's accept queue. Default 4096 (the kernel caps it
   * at net.core.somaxconn). Node's default, 511, overflows when thousands of
   * Envoys reconnect at once while the event loop is busy: the kernel drops
   * their handshakes and each waits out TCP's SYN retransmission (1, 3, 7,
   * 15, 31 s …) before trying again.
   */
  listenBacklog?: number;
  /** Identifier sent as control_plane.identifier in responses. Default 'tower'. */
  controlPlaneId?: string;
}

/** Options of XdsServer.setView. */
export interface SetViewOptions {
  /** Only ClusterLoadAssignments differ from the previous table: the short debounce applies. */
  endpointsOnly?: boolean;
  /**
   * What differs from `since` (the table previously set for this view), as the
   * translator reports it: the publish then costs O(changed) instead of a walk
   * over every resource. Ignored (the tables are compared) when `since` is not
   * the table set before.
   */
  changes?: { since: ResourceTable; changed: readonly { typeUrl: string; name: string }[]; removed: readonly { typeUrl: string; name: string }[] };
}
