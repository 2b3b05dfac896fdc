/**
 * One simulated Envoy: an ADS stream (state-of-the-world or delta) that
 * subscribes like a sidecar (wildcard CDS and LDS, then the EDS and RDS names
 * it learns from the Clusters and Listeners it receives), ACKs every
 * response, remembers accepted versions, and reconnects with Envoy's
 * jittered exponential backoff (500 ms base, 30 s cap) when the stream ends.
 */
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../src/envoy/type-urls';
import {
  BenchNode, ResourceInspector, decodeDeltaResponse, encodeNames, decodeSotwResponse, deltaMethod, encodeDeltaRequest,
  encodeSotwRequest, sotwMethod,
} from './ads-codec';
import { nowMs } from './clock';

export type Variant = 'sotw' | 'delta';

export interface SimClientHooks {
  /** A ClusterLoadAssignment carrying change marker seq arrived and was ACKed at atMs. */
  marker(seq: number, atMs: number, messageBytes: number, resourceBytes: number): void;
  /** The client holds its full config (CDS, every EDS, LDS, every RDS) since its latest (re)connect. */
  ready(atMs: number, connects: number): void;
  /** The stream ended with a gRPC status. */
  streamError(code: number, details: string): void;
}

interface TypeState {
  versionInfo: string;
  nonce: string;
  /** Names subscribed (EDS/RDS); undefined for wildcard types. */
  names?: Set<string>;
  /** Names received since the latest connect. */
  received: Set<string>;
  /** Delta: resource name -> version held. */
  versions: Map<string, string>;
  acked: boolean;
  /** resource_names encoded once per distinct list (SotW ACKs repeat it). */
  encodedNames?: Uint8Array;
}

const order = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration];

function freshState(named: boolean): TypeState {
  return { versionInfo: '', nonce: '', names: named ? new Set() : undefined, received: new Set(), versions: new Map(), acked: false };
}

export class SimClient {
  private client: grpc.Client;
  private call?: grpc.ClientDuplexStream<Buffer, Buffer>;
  private state = new Map<string, TypeState>();
  /** Cluster name -> EDS names it references; Listener name -> RDS names. */
  private clusterRefs = new Map<string, string[]>();
  private listenerRefs = new Map<string, string[]>();
  private lastMarker = new Map<string, number>();
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private isReady = false;
  connects = 0;
  bytesReceived = 0;
  responses = 0;

  constructor(
    private readonly target: string,
    readonly node: BenchNode,
    readonly variant: Variant,
    private readonly inspector: ResourceInspector,
    private readonly hooks: SimClientHooks,
    /** Whether holding the full config includes an ACKed LDS (false when the view has no listeners). */
    private readonly requireListeners = true,
  ) {
    this.client = this.newChannel();
    for (const t of order) this.state.set(t, freshState(t === TypeUrl.ClusterLoadAssignment || t === TypeUrl.RouteConfiguration));
  }

  /**
   * One gRPC channel (its own HTTP/2 connection). Each stream retry after a
   * failed stream gets a fresh channel, so reconnecting waits only for the
   * stream's own backoff below, as in Envoy (its ADS stream retries open a
   * connection at once; grpc-js would add its own channel reconnect backoff).
   */
  private newChannel(): grpc.Client {
    return new grpc.Client(this.target, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1, // one HTTP/2 connection per simulated Envoy, as in reality
      'grpc.max_receive_message_length': -1,
    });
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = undefined;
    this.client.close();
  }

  private st(t: string): TypeState {
    const s = this.state.get(t);
    if (!s) throw new Error(`simulated Envoy ${this.node.id}: unexpected type ${t}`);
    return s;
  }

  private open(): void {
    this.connects++;
    this.isReady = false;
    for (const s of this.state.values()) { s.received.clear(); s.nonce = ''; s.acked = false; }
    const method = this.variant === 'sotw' ? sotwMethod : deltaMethod;
    const call = this.client.makeBidiStreamRequest<Buffer, Buffer>(method, (b) => b, (b) => b);
    this.call = call;
    let first = true;
    const send = (buf: Buffer) => {
      call.write(buf);
    };
    call.on('data', (buf: Buffer) => {
      this.attempt = 0;
      this.responses++;
      this.bytesReceived += buf.length;
      try {
        if (this.variant === 'sotw') this.onSotw(buf, send);
        else this.onDelta(buf, send);
      } catch (err) {
        this.hooks.streamError(-1, `decode: ${(err as Error).message}`);
      }
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (this.call !== call) return;
      this.hooks.streamError(err.code ?? -1, err.details ?? err.message);
      this.retry();
    });
    call.on('end', () => {
      if (this.call !== call) return;
      this.retry();
    });
    // Initial subscriptions: wildcard CDS and LDS (and, on reconnect, the names held).
    for (const t of order) {
      const s = this.st(t);
      if (s.names && s.names.size === 0) continue;
      if (this.variant === 'sotw') {
        send(encodeSotwRequest({ node: first ? this.node : undefined, typeUrl: t, versionInfo: s.versionInfo, names: s.names ? [...s.names] : [], nonce: '' }));
      } else {
        send(encodeDeltaRequest({
          node: first ? this.node : undefined, typeUrl: t, subscribe: s.names ? [...s.names] : [],
          initialVersions: Object.fromEntries(s.versions),
        }));
      }
      first = false;
    }
  }

  private retry(): void {
    this.call = undefined;
    if (this.stopped) return;
    const ceiling = Math.min(30_000, 500 * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    const delay = Math.random() * ceiling;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      if (this.client.getChannel().getConnectivityState(false) !== grpc.connectivityState.READY) {
        this.client.close();
        this.client = this.newChannel();
      }
      this.open();
    }, delay);
  }

  /** Union of names referenced by clusters (EDS) or listeners (RDS). */
  private wanted(refs: Map<string, string[]>): Set<string> {
    const out = new Set<string>();
    for (const names of refs.values()) for (const n of names) out.add(n);
    return out;
  }

  private static sameSet(a: Set<string>, b: Set<string>): boolean {
    if (a.size !== b.size) return false;
    for (const x of a) if (!b.has(x)) return false;
    return true;
  }

  private onSotw(buf: Buffer, send: (b: Buffer) => void): void {
    const r = decodeSotwResponse(buf);
    const s = this.st(r.typeUrl);
    const markers: { name: string; seq: number; size: number }[] = [];
    if (r.typeUrl === TypeUrl.Cluster) this.clusterRefs.clear();
    if (r.typeUrl === TypeUrl.Listener) this.listenerRefs.clear();
    for (const body of r.bodies) {
      const info = this.inspector.inspect(r.typeUrl, body);
      s.received.add(info.name);
      if (r.typeUrl === TypeUrl.Cluster) this.clusterRefs.set(info.name, info.refs);
      else if (r.typeUrl === TypeUrl.Listener) this.listenerRefs.set(info.name, info.refs);
      for (const seq of info.markers) markers.push({ name: info.name, seq, size: body.byteLength });
    }
    // Subscription updates first (as Envoy does while the clusters warm), then the ACK.
    const dependent = r.typeUrl === TypeUrl.Cluster ? TypeUrl.ClusterLoadAssignment : r.typeUrl === TypeUrl.Listener ? TypeUrl.RouteConfiguration : undefined;
    if (dependent) {
      const d = this.st(dependent);
      const want = this.wanted(r.typeUrl === TypeUrl.Cluster ? this.clusterRefs : this.listenerRefs);
      if (!SimClient.sameSet(want, d.names!)) {
        d.names = want;
        d.encodedNames = encodeNames(want);
        send(encodeSotwRequest({ typeUrl: dependent, versionInfo: d.versionInfo, names: [], encodedNames: d.encodedNames, nonce: d.nonce }));
      }
    }
    s.versionInfo = r.versionInfo;
    s.nonce = r.nonce;
    s.acked = true;
    if (s.names && !s.encodedNames) s.encodedNames = encodeNames(s.names);
    send(encodeSotwRequest({ typeUrl: r.typeUrl, versionInfo: r.versionInfo, names: [], encodedNames: s.encodedNames, nonce: r.nonce }));
    this.afterAck(markers, buf.length);
  }

  private onDelta(buf: Buffer, send: (b: Buffer) => void): void {
    const r = decodeDeltaResponse(buf);
    const s = this.st(r.typeUrl);
    const markers: { name: string; seq: number; size: number }[] = [];
    for (const res of r.resources) {
      const info = this.inspector.inspect(r.typeUrl, res.body);
      s.received.add(res.name);
      s.versions.set(res.name, res.version);
      if (r.typeUrl === TypeUrl.Cluster) this.clusterRefs.set(res.name, info.refs);
      else if (r.typeUrl === TypeUrl.Listener) this.listenerRefs.set(res.name, info.refs);
      for (const seq of info.markers) markers.push({ name: res.name, seq, size: res.body.byteLength });
    }
    for (const name of r.removed) {
      s.versions.delete(name);
      s.received.delete(name);
      this.clusterRefs.delete(name);
      if (r.typeUrl === TypeUrl.Listener) this.listenerRefs.delete(name);
    }
    const dependent = r.typeUrl === TypeUrl.Cluster ? TypeUrl.ClusterLoadAssignment : r.typeUrl === TypeUrl.Listener ? TypeUrl.RouteConfiguration : undefined;
    if (dependent) {
      const d = this.st(dependent);
      const want = this.wanted(r.typeUrl === TypeUrl.Cluster ? this.clusterRefs : this.listenerRefs);
      const sub = [...want].filter((n) => !d.names!.has(n));
      const unsub = [...d.names!].filter((n) => !want.has(n));
      if (sub.length || unsub.length) {
        d.names = want;
        for (const n of unsub) { d.versions.delete(n); d.received.delete(n); }
        send(encodeDeltaRequest({ typeUrl: dependent, subscribe: sub, unsubscribe: unsub }));
      }
    }
    s.nonce = r.nonce;
    s.acked = true;
    send(encodeDeltaRequest({ typeUrl: r.typeUrl, nonce: r.nonce }));
    this.afterAck(markers, buf.length);
  }

  private afterAck(markers: { name: string; seq: number; size: number }[], messageBytes: number): void {
    const at = nowMs();
    for (const m of markers) {
      if (this.lastMarker.get(m.name) === m.seq) continue; // the same change re-sent (e.g. after reconnect)
      this.lastMarker.set(m.name, m.seq);
      this.hooks.marker(m.seq, at, messageBytes, m.size);
    }
    if (!this.isReady && this.complete()) {
      this.isReady = true;
      this.hooks.ready(at, this.connects);
    }
  }

  private complete(): boolean {
    const cds = this.st(TypeUrl.Cluster);
    const lds = this.st(TypeUrl.Listener);
    if (!cds.acked || (this.requireListeners && !lds.acked)) return false;
    for (const t of [TypeUrl.ClusterLoadAssignment, TypeUrl.RouteConfiguration]) {
      const s = this.st(t);
      for (const n of s.names!) if (!s.received.has(n)) return false;
    }
    return true;
  }
}
