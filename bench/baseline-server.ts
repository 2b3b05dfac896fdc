/**
 * The baseline: a minimal @grpc/grpc-js server speaking the same ADS
 * services (state-of-the-world and delta) to the same simulated Envoys, with
 * the same resource bytes, but doing the least work possible: no debounce,
 * no flow control, no per-client bookkeeping beyond subscriptions, and one
 * pre-encoded response buffer shared by every stream (its nonce is the
 * version, which is unique per stream as the protocol requires). It is the
 * practical limit of Node and HTTP/2 on this machine; Tower's figures are
 * reported as ratios to it.
 */
import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import { messageType } from '../src/envoy/proto-root';
import { isWildcardType, pushOrder } from '../src/envoy/type-urls';
import type { Resource, ResourceTable } from '../src/xds/resource';
import { scanSotwRequest } from '../src/xds/wire';
import { adsService, encodeDeltaResponse, encodeSotwResponse } from './ads-codec';

type Raw = grpc.ServerDuplexStream<Buffer, Buffer>;

interface StreamState {
  call: Raw;
  delta: boolean;
  /** typeUrl -> subscribed names ('*' = wildcard). */
  subs: Map<string, Set<string>>;
  /** typeUrl -> resource_names bytes of the last SotW request (an ACK repeating them is not decoded). */
  namesRaw: Map<string, Buffer>;
}

const identity = (b: Buffer) => b;
const method = (name: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/${adsService}/${name}`, requestStream: true, responseStream: true,
  requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
});

export class BaselineServer {
  private server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  private streams = new Set<StreamState>();
  private table: ResourceTable = new Map();
  private version = 0;
  pushes = 0;
  private socketServer: net.Server | undefined;

  constructor() {
    const def: grpc.ServiceDefinition = {
      StreamAggregatedResources: method('StreamAggregatedResources'),
      DeltaAggregatedResources: method('DeltaAggregatedResources'),
    };
    this.server.addService(def, {
      StreamAggregatedResources: (call: Raw) => this.serve(call, false),
      DeltaAggregatedResources: (call: Raw) => this.serve(call, true),
    });
  }

  /** Listens with the same accept queue as Tower's XdsServer (4096), so a storm compares servers, not socket settings. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    const injector = this.server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const socketServer = net.createServer((socket) => injector.injectConnection(socket));
    this.socketServer = socketServer;
    return new Promise((resolve, reject) => {
      socketServer.once('error', reject);
      socketServer.listen({ host, port, backlog: 4096 }, () => resolve((socketServer.address() as net.AddressInfo).port));
    });
  }

  close(): Promise<void> {
    this.socketServer?.close();
    for (const s of this.streams) s.call.end();
    this.streams.clear();
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.server.forceShutdown(); resolve(); }, 1000);
      this.server.tryShutdown(() => { clearTimeout(t); resolve(); });
    });
  }

  clientCount(): number {
    return this.streams.size;
  }

  private serve(call: Raw, delta: boolean): void {
    const st: StreamState = { call, delta, subs: new Map(), namesRaw: new Map() };
    this.streams.add(st);
    const gone = () => this.streams.delete(st);
    call.on('error', gone);
    call.on('end', () => { gone(); call.end(); });
    call.on('cancelled', gone);
    call.on('data', (buf: Buffer) => {
      try {
        if (delta) this.onDelta(st, buf);
        else this.onSotw(st, buf);
      } catch (err) {
        call.destroy(err as Error);
      }
    });
  }

  private resources(typeUrl: string, names: Set<string>): Resource[] {
    const byName = this.table.get(typeUrl);
    if (!byName) return [];
    if (names.has('*')) return [...byName.values()];
    const out: Resource[] = [];
    for (const n of names) { const r = byName.get(n); if (r) out.push(r); }
    return out;
  }

  private onSotw(st: StreamState, buf: Buffer): void {
    // Like Tower (and any server that wants to keep up with SotW Envoys), names repeated byte for byte are not decoded.
    const scan = scanSotwRequest(buf);
    const req = { type_url: scan.typeUrl };
    const prev = st.subs.get(req.type_url);
    const raw = st.namesRaw.get(req.type_url);
    if (prev && raw && raw.equals(scan.namesRaw)) return; // an ACK
    st.namesRaw.set(req.type_url, Buffer.from(scan.namesRaw));
    const resourceNames = scan.names();
    const names = new Set(resourceNames.length === 0 && isWildcardType(req.type_url) ? ['*'] : resourceNames);
    const changed = !prev || prev.size !== names.size || [...names].some((n) => !prev.has(n));
    st.subs.set(req.type_url, names);
    if (!changed) return; // an ACK
    if (this.version === 0) return; // no table yet: the stream is held until setTable pushes
    const v = String(this.version);
    st.call.write(encodeSotwResponse(v, req.type_url, `s${this.pushes}`, this.resources(req.type_url, names).map((r) => r.any)));
    this.pushes++;
  }

  private onDelta(st: StreamState, buf: Buffer): void {
    const req = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest').decode(buf) as unknown as {
      type_url: string; resource_names_subscribe: string[]; resource_names_unsubscribe: string[]; initial_resource_versions: Record<string, string>;
    };
    let subs = st.subs.get(req.type_url);
    const first = !subs;
    if (!subs) st.subs.set(req.type_url, (subs = new Set()));
    if (first && req.resource_names_subscribe.length === 0 && isWildcardType(req.type_url)) subs.add('*');
    for (const n of req.resource_names_unsubscribe) subs.delete(n);
    const fresh = new Set<string>();
    for (const n of req.resource_names_subscribe) { subs.add(n); fresh.add(n); }
    if (!first && fresh.size === 0) return; // an ACK
    if (this.version === 0) return; // no table yet: the stream is held until setTable pushes
    const held = req.initial_resource_versions ?? {};
    const send = this.resources(req.type_url, first ? subs : fresh).filter((r) => held[r.name] !== r.version);
    if (send.length === 0 && !first) return;
    const v = String(this.version);
    st.call.write(encodeDeltaResponse(v, req.type_url, `s${this.pushes}`, send.map((r) => r.deltaResource), []));
    this.pushes++;
  }

  /** Replaces the served table and pushes what changed to every subscribed stream. */
  setTable(next: ResourceTable): void {
    const prev = this.table;
    this.table = next;
    this.version++;
    const v = String(this.version);
    for (const typeUrl of pushOrder) {
      const before = prev.get(typeUrl) ?? new Map<string, Resource>();
      const after = next.get(typeUrl) ?? new Map<string, Resource>();
      const changed: Resource[] = [];
      const removed: string[] = [];
      for (const [n, r] of after) if (before.get(n)?.version !== r.version) changed.push(r);
      for (const n of before.keys()) if (!after.has(n)) removed.push(n);
      if (changed.length === 0 && removed.length === 0) continue;
      const wildcard = isWildcardType(typeUrl);
      const nonce = `${v}.${pushOrder.indexOf(typeUrl)}`; // unique per stream: versions only grow
      // Shared buffers: one per variant for every stream that subscribed to everything that changed.
      const sotwAll = wildcard ? encodeSotwResponse(v, typeUrl, nonce, [...after.values()].map((r) => r.any)) : undefined;
      const sotwChanged = wildcard ? undefined : encodeSotwResponse(v, typeUrl, nonce, changed.map((r) => r.any));
      const deltaChanged = encodeDeltaResponse(v, typeUrl, nonce, changed.map((r) => r.deltaResource), removed);
      for (const st of this.streams) {
        const subs = st.subs.get(typeUrl);
        if (!subs) continue;
        const all = subs.has('*');
        const mine = all ? changed : changed.filter((r) => subs.has(r.name));
        if (st.delta) {
          const gone = all ? removed : removed.filter((n) => subs.has(n));
          if (mine.length === 0 && gone.length === 0) continue;
          st.call.write(mine.length === changed.length && gone.length === removed.length ? deltaChanged
            : encodeDeltaResponse(v, typeUrl, nonce, mine.map((r) => r.deltaResource), gone));
        } else if (wildcard) {
          st.call.write(sotwAll!);
        } else {
          if (mine.length === 0) continue;
          st.call.write(mine.length === changed.length ? sotwChanged! : encodeSotwResponse(v, typeUrl, nonce, mine.map((r) => r.any)));
        }
        this.pushes++;
      }
    }
  }
}
