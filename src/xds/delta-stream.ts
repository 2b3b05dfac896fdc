/**
 * An incremental (delta) stream. Per type it keeps the subscription, and the
 * name → version map of what the client holds (seeded from
 * initial_resource_versions on reconnect); responses carry only what differs,
 * and removed_resources for what the client holds that no longer exists.
 */
import * as grpc from '@grpc/grpc-js';
import { TypeUrl, isWildcardType, pushOrder } from '../envoy/type-urls';
import { EMPTY, versionOf } from './desired';
import type { Resource } from './resource';
import { classifyDelta, shouldPush } from './should-respond';
import { XdsStream, type CsdsEntry } from './stream-base';
import type { TypeStatus } from './types';
import { decodeDeltaRequest, encodeDeltaResponse, type DeltaRequest } from './wire';

interface DeltaSent { nonce: string; version: string; sentAt: number; resources: Resource[]; removed: string[] }

interface DeltaType {
  wildcard: boolean;
  names: Set<string>;
  /** What the client holds: name → resource version. */
  has: Map<string, string>;
  inFlight?: DeltaSent;
  lastNonce?: string;
  acked?: { version: string; at: Date };
  nacked?: { version: string; nonce: string; message: string; at: Date; resources: Resource[] };
}

interface Diff { resources: Resource[]; removed: string[]; version: string }

export class DeltaStream extends XdsStream {
  private types = new Map<string, DeltaType>();

  protected handle(buf: Buffer): void {
    let req: DeltaRequest;
    try {
      req = decodeDeltaRequest(buf);
    } catch (e) {
      this.fail(grpc.status.INVALID_ARGUMENT, `malformed DeltaDiscoveryRequest: ${(e as Error).message}`);
      return;
    }
    if (!this.acceptNode(req.node)) return;
    const initialCount = Object.keys(req.initialResourceVersions).length;
    const typeUrl = this.resolveType(req.typeUrl, req.subscribe.length + req.unsubscribe.length + initialCount);
    if (!typeUrl) return;
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = {
        wildcard: req.subscribe.includes('*') || (req.subscribe.length === 0 && isWildcardType(typeUrl)),
        names: new Set(),
        has: new Map(Object.entries(req.initialResourceVersions)),
      };
      this.types.set(typeUrl, st);
    } else {
      const kind = classifyDelta(st.lastNonce, req);
      const sent = st.inFlight;
      if (sent && req.responseNonce === sent.nonce) {
        st.inFlight = undefined;
        if (kind === 'nack') {
          const detail = req.errorDetail ?? { code: 0, message: '' };
          st.nacked = { version: sent.version, nonce: sent.nonce, message: detail.message, at: new Date(), resources: sent.resources };
          this.host.onNack(this, typeUrl, sent.version, sent.nonce, detail, sent.resources);
        } else if (kind === 'ack') {
          st.acked = { version: sent.version, at: new Date() };
          this.host.onAck(this, typeUrl, sent.version, sent.nonce, this.host.clock.now() - sent.sentAt);
        }
      }
    }
    // Subscription changes apply whatever the nonce says (stale, ACK or NACK).
    for (const n of req.subscribe) {
      if (n === '*') { st.wildcard = true; continue; }
      st.names.add(n);
      if (!first) st.has.delete(n); // a newly requested name is always sent, even if held before
    }
    for (const n of req.unsubscribe) {
      if (n === '*') { st.wildcard = false; continue; }
      st.names.delete(n); // superfluous unsubscribes are no-ops
      if (!st.wildcard) st.has.delete(n); // still covered by the wildcard otherwise
    }
    if (!st.wildcard) for (const n of [...st.has.keys()]) if (!st.names.has(n)) st.has.delete(n);
    this.pump();
  }

  pump(): void {
    if (this.closed || !this.table) return;
    let blocked = false;
    for (const typeUrl of pushOrder) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      if (st.inFlight) { blocked = true; continue; }
      const diff = this.diff(typeUrl, st);
      if (diff.resources.length === 0 && diff.removed.length === 0) continue;
      if (!shouldPush({ blocked, desiredVersion: diff.version, owed: false })) continue;
      this.send(typeUrl, st, diff);
      blocked = true;
    }
  }

  private inScope(st: DeltaType, name: string): boolean {
    return st.wildcard || st.names.has(name);
  }

  private diff(typeUrl: string, st: DeltaType): Diff {
    const byName = this.table?.get(typeUrl) ?? EMPTY;
    const resources: Resource[] = [];
    if (st.wildcard) {
      for (const r of byName.values()) if (st.has.get(r.name) !== r.version) resources.push(r);
    } else {
      for (const n of st.names) { const r = byName.get(n); if (r && st.has.get(n) !== r.version) resources.push(r); }
    }
    const removed: string[] = [];
    const keepClusters = typeUrl === TypeUrl.Cluster && this.serviceType === undefined && !this.clusterUsersSynced();
    for (const n of st.has.keys()) if (!byName.has(n) && this.inScope(st, n) && !keepClusters) removed.push(n);
    const version = versionOf(resources) + (removed.length ? `-${removed.length}` : '');
    return { resources, removed, version };
  }

  private clusterUsersSynced(): boolean {
    for (const t of [TypeUrl.Listener, TypeUrl.RouteConfiguration]) {
      const st = this.types.get(t);
      if (!st) continue;
      if (st.inFlight) return false;
      const d = this.diff(t, st);
      if (d.resources.length || d.removed.length) return false;
    }
    return true;
  }

  private send(typeUrl: string, st: DeltaType, diff: Diff): void {
    const nonce = this.host.nextNonce();
    const frame = encodeDeltaResponse({ systemVersionInfo: diff.version, typeUrl, nonce, resources: diff.resources, removed: diff.removed, controlPlaneId: this.host.controlPlaneId });
    for (const r of diff.resources) st.has.set(r.name, r.version);
    for (const n of diff.removed) st.has.delete(n);
    st.inFlight = { nonce, version: diff.version, sentAt: this.host.clock.now(), resources: diff.resources, removed: diff.removed };
    st.lastNonce = nonce;
    this.write(typeUrl, frame, diff.version, nonce, diff.resources.length);
  }

  typeStatus(): Record<string, TypeStatus> {
    const out: Record<string, TypeStatus> = {};
    for (const [typeUrl, st] of this.types) {
      const s: TypeStatus = { subscribed: st.wildcard ? '*' : [...st.names].sort() };
      if (st.inFlight) s.sentVersion = st.inFlight.version;
      else if (st.nacked && st.nacked.nonce === st.lastNonce) s.sentVersion = st.nacked.version;
      else if (st.acked) s.sentVersion = st.acked.version;
      if (st.lastNonce !== undefined) s.sentNonce = st.lastNonce;
      if (st.acked) { s.ackedVersion = st.acked.version; s.ackedAt = st.acked.at; }
      if (st.nacked) s.lastNack = { version: st.nacked.version, nonce: st.nacked.nonce, message: st.nacked.message, at: st.nacked.at };
      out[typeUrl] = s;
    }
    return out;
  }

  csdsEntries(): CsdsEntry[] {
    const out: CsdsEntry[] = [];
    for (const [typeUrl, st] of this.types) {
      const byName = this.table?.get(typeUrl) ?? EMPTY;
      const inFlight = new Set((st.inFlight?.resources ?? []).map((r) => r.name));
      const nacked = new Map((st.nacked && st.nacked.nonce === st.lastNonce ? st.nacked.resources : []).map((r) => [r.name, r]));
      const names = new Set([...st.has.keys(), ...st.names]);
      for (const name of [...names].sort()) {
        const version = st.has.get(name);
        const current = byName.get(name);
        const resource = current && current.version === version ? current : undefined;
        if (version === undefined) out.push({ typeUrl, name, version: '', configStatus: 'NOT_SENT', clientStatus: 'REQUESTED' });
        else if (inFlight.has(name)) out.push({ typeUrl, name, version, resource, configStatus: 'STALE', clientStatus: 'REQUESTED' });
        else if (nacked.has(name)) {
          const n = st.nacked!;
          out.push({ typeUrl, name, version, configStatus: 'ERROR', clientStatus: 'NACKED', error: { message: n.message, version: n.version, at: n.at } });
        } else out.push({ typeUrl, name, version, resource, configStatus: 'SYNCED', clientStatus: 'ACKED' });
      }
    }
    return out;
  }

  protected clearState(): void {
    this.types.clear();
  }

  stateSize(): number { return this.types.size; }
}
