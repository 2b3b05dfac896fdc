/**
 * A state-of-the-world stream (ADS or one per-type service). Per type it keeps
 * only the subscription, the response awaiting ACK (references into the shared
 * cache), the last ACKed resources and the last NACK.
 */
import * as grpc from '@grpc/grpc-js';
import { TypeUrl, pushOrder } from '../envoy/type-urls';
import { EMPTY, desiredSotw } from './desired';
import type { Resource } from './resource';
import { shouldPush, shouldRespond, type SotwTypeState } from './should-respond';
import { XdsStream, type CsdsEntry } from './stream-base';
import type { TypeStatus } from './types';
import { decodeSotwRequest, encodeSotwResponse, type SotwRequest } from './wire';

interface SentResponse { nonce: string; version: string; sentAt: number; resources: Resource[] }

interface SotwType {
  sub: SotwTypeState;
  /** The client is owed a response (initial request, subscription change, fresh EDS after CDS). */
  owed: boolean;
  inFlight?: SentResponse;
  lastSentVersion?: string;
  acked?: { version: string; at: Date; resources: Resource[] };
  nacked?: { version: string; nonce: string; message: string; at: Date; resources: Resource[] };
}

/** Types whose replacement must go out before clusters they stopped using are removed. */
const USERS_OF_CLUSTERS = [TypeUrl.Listener, TypeUrl.RouteConfiguration];

export class SotwStream extends XdsStream {
  private types = new Map<string, SotwType>();

  protected handle(buf: Buffer): void {
    let req: SotwRequest;
    try {
      req = decodeSotwRequest(buf);
    } catch (e) {
      this.fail(grpc.status.INVALID_ARGUMENT, `malformed DiscoveryRequest: ${(e as Error).message}`);
      return;
    }
    if (!this.acceptNode(req.node)) return;
    const typeUrl = this.resolveType(req.typeUrl, req.resourceNames.length);
    if (!typeUrl) return;
    const st = this.types.get(typeUrl);
    const d = shouldRespond(st?.sub, { ...req, typeUrl });
    if (d.kind === 'stale') {
      this.host.logger.debug({ stream: this.id, typeUrl, nonce: req.responseNonce }, 'stale request ignored');
      return;
    }
    const state: SotwType = st ?? { sub: { subscribed: d.subscription, everNamed: d.everNamed }, owed: false };
    if (!st) this.types.set(typeUrl, state);
    const sent = state.inFlight;
    if (sent && req.responseNonce === sent.nonce) {
      state.inFlight = undefined;
      if (d.kind === 'nack') {
        const detail = req.errorDetail ?? { code: 0, message: '' };
        state.nacked = { version: sent.version, nonce: sent.nonce, message: detail.message, at: new Date(), resources: sent.resources };
        this.host.onNack(this, typeUrl, sent.version, sent.nonce, detail, sent.resources);
      } else if (d.kind === 'ack') {
        state.acked = { version: sent.version, at: new Date(), resources: sent.resources };
        this.host.onAck(this, typeUrl, sent.version, sent.nonce, this.host.clock.now() - sent.sentAt);
      }
    }
    state.sub = { subscribed: d.subscription, everNamed: d.everNamed, lastNonce: state.sub.lastNonce };
    if (d.respond) state.owed = true;
    this.pump();
  }

  pump(): void {
    const table = this.table;
    if (this.closed || !table) return;
    let blocked = false;
    for (const typeUrl of pushOrder) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      if (st.inFlight) { blocked = true; continue; }
      const want = this.desired(typeUrl, st);
      const push = shouldPush({ blocked, desiredVersion: want.version, lastSentVersion: st.lastSentVersion, owed: st.owed, nackedVersion: st.nacked?.version });
      if (push) {
        this.send(typeUrl, st, want.resources, want.version);
        blocked = true;
      } else if (!blocked) {
        st.owed = false; // nothing to send: content unchanged, or it would repeat a NACKed version
      }
    }
  }

  private desired(typeUrl: string, st: SotwType): { resources: Resource[]; version: string } {
    const byName = this.table?.get(typeUrl) ?? EMPTY;
    let keep: Resource[] = [];
    if (typeUrl === TypeUrl.Cluster && this.serviceType === undefined && st.acked && !this.clusterUsersSynced()) {
      const sub = st.sub.subscribed;
      keep = st.acked.resources.filter((r) => !byName.has(r.name) && (sub === '*' || sub.has(r.name)));
    }
    return desiredSotw(byName, st.sub.subscribed, keep);
  }

  /** Whether the listeners and routes this stream subscribes to are up to date with the view. */
  private clusterUsersSynced(): boolean {
    for (const t of USERS_OF_CLUSTERS) {
      const st = this.types.get(t);
      if (!st) continue;
      if (st.inFlight || st.owed) return false;
      const v = this.desired(t, st).version;
      if (v !== st.lastSentVersion) return false;
    }
    return true;
  }

  private send(typeUrl: string, st: SotwType, resources: Resource[], version: string): void {
    const nonce = this.host.nextNonce();
    const frame = encodeSotwResponse({ versionInfo: version, typeUrl, nonce, resources, controlPlaneId: this.host.controlPlaneId });
    st.inFlight = { nonce, version, sentAt: this.host.clock.now(), resources };
    st.sub = { ...st.sub, lastNonce: nonce };
    st.lastSentVersion = version;
    st.owed = false;
    if (typeUrl === TypeUrl.Cluster) {
      // Envoy warms an added or changed cluster only once a ClusterLoadAssignment arrives, even an unchanged one.
      const eds = this.types.get(TypeUrl.ClusterLoadAssignment);
      if (eds) eds.owed = true;
    }
    this.write(typeUrl, frame, version, nonce, resources.length);
  }

  typeStatus(): Record<string, TypeStatus> {
    const out: Record<string, TypeStatus> = {};
    for (const [typeUrl, st] of this.types) {
      const sub = st.sub.subscribed;
      const s: TypeStatus = { subscribed: sub === '*' ? '*' : [...sub].sort() };
      if (st.lastSentVersion !== undefined) s.sentVersion = st.lastSentVersion;
      if (st.sub.lastNonce !== undefined) s.sentNonce = st.sub.lastNonce;
      if (st.acked) { s.ackedVersion = st.acked.version; s.ackedAt = st.acked.at; }
      if (st.nacked) s.lastNack = { version: st.nacked.version, nonce: st.nacked.nonce, message: st.nacked.message, at: st.nacked.at };
      out[typeUrl] = s;
    }
    return out;
  }

  csdsEntries(): CsdsEntry[] {
    const out: CsdsEntry[] = [];
    for (const [typeUrl, st] of this.types) {
      const acked = new Map((st.acked?.resources ?? []).map((r) => [r.name, r]));
      const inFlight = new Map((st.inFlight?.resources ?? []).map((r) => [r.name, r]));
      const nackedLatest = st.nacked && st.nacked.version === st.lastSentVersion && !st.inFlight;
      const nacked = new Map(nackedLatest ? st.nacked!.resources.map((r) => [r.name, r]) : []);
      const names = new Set([...acked.keys(), ...inFlight.keys(), ...nacked.keys()]);
      if (st.sub.subscribed !== '*') for (const n of st.sub.subscribed) names.add(n);
      for (const name of [...names].sort()) {
        const a = acked.get(name);
        if (inFlight.has(name)) {
          out.push({ typeUrl, name, version: st.inFlight!.version, resource: inFlight.get(name), configStatus: 'STALE', clientStatus: a ? 'ACKED' : 'REQUESTED' });
        } else if (nacked.has(name) && nacked.get(name)!.version !== a?.version) {
          const n = st.nacked!;
          out.push({ typeUrl, name, version: st.acked?.version ?? '', resource: a, configStatus: 'ERROR', clientStatus: 'NACKED', error: { message: n.message, version: n.version, at: n.at } });
        } else if (a) {
          out.push({ typeUrl, name, version: st.acked!.version, resource: a, configStatus: 'SYNCED', clientStatus: 'ACKED' });
        } else {
          out.push({ typeUrl, name, version: '', configStatus: 'NOT_SENT', clientStatus: 'REQUESTED' });
        }
      }
    }
    return out;
  }

  protected clearState(): void {
    this.types.clear();
  }

  /** Number of types with state (tests check it drops to zero on stream end). */
  stateSize(): number { return this.types.size; }
}
