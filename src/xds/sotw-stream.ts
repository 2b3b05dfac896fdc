/**
 * A state-of-the-world stream (ADS or one per-type service). Per type it keeps
 * only the subscription (names interned against the view), the response
 * awaiting ACK (references into the shared cache), the last ACKed response and
 * the last NACK.
 *
 * LDS and CDS responses are complete (a missing resource means deleted). RDS,
 * EDS and SDS responses carry only what the client is owed: every subscribed
 * resource after a request that changed the subscription, otherwise just the
 * subscribed names a view publish changed (`pending`, fed by the view's change
 * set computed once per publish). Their version_info is the type's version in
 * the view, computed once per table.
 */
import * as grpc from '@grpc/grpc-js';
import { TypeUrl, isWildcardType, pushOrder } from '../envoy/type-urls';
import { edsNameOf } from './cluster-eds-name';
import { EMPTY, desiredSotw, typeVersion, wholeMapResources } from './desired';
import type { Resource } from './resource';
import { shouldPush, shouldRespond, type Subscription, type SotwTypeState } from './should-respond';
import { canonicalNames, sameNames, sharedSubscription } from './names-key';
import { XdsStream, type CsdsEntry } from './stream-base';
import type { TypeStatus } from './types';
import { addIntersection, intern, type ViewChanges } from './view-changes';
import { encodeSotwResponse, scanSotwRequest, sharedSotwResponse } from './wire';

interface SentResponse { nonce: string; version: string; sentAt: number; resources: Resource[] }

interface SotwType {
  sub: SotwTypeState;
  /** The resource_names bytes of the latest request that set `sub` (shared canonical copy, names-key.ts). */
  namesRaw?: Buffer;
  /** LDS/CDS: every response lists every subscribed resource. */
  complete: boolean;
  /** The client is owed a response with every subscribed resource (initial request, subscription change, first table). */
  owed: boolean;
  /** Named types: subscribed names changed since they were last sent (including CLAs owed after a CDS change). */
  pending: Set<string>;
  inFlight?: SentResponse;
  lastSentVersion?: string;
  /** Complete types: the resources of the latest response (shared arrays). */
  lastSent?: Resource[];
  acked?: { version: string; at: Date; resources: Resource[] };
  nacked?: { version: string; nonce: string; message: string; at: Date; resources: Resource[] };
  /** Order of the latest nonce sent for this type (StreamHost.nextNonce). */
  nonceSeq?: number;
}

/**
 * Content per (subscription, type map), shared by every stream holding the same
 * subscription Set (names-key.ts shares them): computed once per publish, not per client.
 */
const namedShared = new WeakMap<ReadonlySet<string>, { byName: ReadonlyMap<string, Resource>; resources: Resource[] }>();
const completeShared = new WeakMap<ReadonlySet<string>, { byName: ReadonlyMap<string, Resource>; want: { resources: Resource[]; version: string; shared: boolean } }>();

/** Types whose replacement must go out before clusters they stopped using are removed. */
const USERS_OF_CLUSTERS = [TypeUrl.Listener, TypeUrl.RouteConfiguration];
const NONE: readonly string[] = [];

export class SotwStream extends XdsStream {
  private types = new Map<string, SotwType>();

  protected handle(buf: Buffer): void {
    const p = this.preamble(buf, 'DiscoveryRequest', scanSotwRequest, (r) => r.namesCount);
    if (!p) return;
    const { req, typeUrl } = p;
    const st = this.types.get(typeUrl);
    // Envoy repeats every subscribed name in every ACK: names are decoded only when their bytes differ.
    const unchangedNames = st !== undefined && sameNames(st.namesRaw, req.namesRaw);
    let resourceNames: string[] = [];
    if (!unchangedNames) {
      try {
        resourceNames = req.names();
      } catch (e) {
        this.fail(grpc.status.INVALID_ARGUMENT, `malformed DiscoveryRequest: resource_names: ${(e as Error).message}`);
        return;
      }
    }
    const d = shouldRespond(st?.sub, { typeUrl, resourceNames, responseNonce: req.responseNonce, errorDetail: req.errorDetail, unchangedNames });
    if (d.kind === 'stale') {
      this.host.logger.debug({ stream: this.id, typeUrl, nonce: req.responseNonce }, 'stale request ignored');
      return;
    }
    // An unchanged subscription keeps the set already held;
    // a new one is interned against the view's name strings so clients share them.
    const held = unchangedNames ? st.namesRaw! : canonicalNames(req.namesRaw);
    let subscribed = d.subscription;
    if (st && !d.changed) subscribed = st.sub.subscribed;
    else if (subscribed !== '*') {
      const fresh = subscribed;
      subscribed = sharedSubscription(held, () => {
        const byName = this.table?.get(typeUrl);
        const names = new Set<string>();
        for (const n of fresh) names.add(intern(byName, n));
        return names;
      });
    }
    // Every field present from the start: one object shape for all streams' type states.
    const state: SotwType = st ?? {
      sub: { subscribed, everNamed: d.everNamed }, namesRaw: undefined, complete: isWildcardType(typeUrl), owed: false, pending: new Set(),
      inFlight: undefined, lastSentVersion: undefined, lastSent: undefined, acked: undefined, nacked: undefined, nonceSeq: undefined,
    };
    if (!st) this.types.set(typeUrl, state);
    state.namesRaw = held;
    const sent = state.inFlight;
    if (sent && req.responseNonce === sent.nonce) {
      state.inFlight = undefined;
      if (d.kind === 'nack') {
        const detail = req.errorDetail ?? { code: 0, message: '' };
        state.nacked = { version: sent.version, nonce: sent.nonce, message: detail.message, at: new Date(), resources: sent.resources };
        this.host.onNack(this, typeUrl, sent.version, sent.nonce, detail, sent.resources);
      } else if (d.kind === 'ack') {
        state.acked = { version: sent.version, at: new Date(), resources: sent.resources };
        this.host.onAck(this, typeUrl, sent.version, sent.nonce, this.host.clock.now() - sent.sentAt, sent.resources, NONE);
      }
    }
    state.sub = { subscribed, everNamed: d.everNamed, lastNonce: state.sub.lastNonce };
    if (d.respond) state.owed = true;
    if (subscribed !== '*' && state.pending.size) for (const n of state.pending) if (!subscribed.has(n)) state.pending.delete(n);
    this.pump();
  }

  viewChanged(changes: ViewChanges): void {
    for (const [typeUrl, st] of this.types) {
      if (st.complete) continue; // complete types compare whole-content versions (computed once per table)
      if (changes.all) { st.owed = true; continue; }
      const c = changes.byType.get(typeUrl);
      const sub = st.sub.subscribed;
      if (!c || c.changed.size === 0 || st.owed) continue;
      if (sub === '*') for (const n of c.changed) st.pending.add(n);
      else addIntersection(st.pending, c.changed, sub);
    }
  }

  pump(): void {
    const table = this.table;
    if (this.closed || !table) return;
    for (const typeUrl of pushOrder) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      if (st.inFlight) return; // awaiting ACK/NACK: blocks this type and, on ADS, every later one
      if (st.complete) {
        const want = this.desiredComplete(typeUrl, st);
        if (shouldPush({ blocked: false, desiredVersion: want.version, lastSentVersion: st.lastSentVersion, owed: st.owed, nackedVersion: st.nacked?.version })) {
          this.send(typeUrl, st, want.resources, want.version, want.shared);
          return;
        }
        st.owed = false; // nothing to send: content unchanged, or it would repeat a NACKed version
        continue;
      }
      const byName = table.get(typeUrl) ?? EMPTY;
      const shared = st.owed;
      const resources = this.namedContent(st, byName);
      if (!st.owed && resources.length === 0) { st.pending.clear(); continue; }
      this.send(typeUrl, st, resources, typeVersion(byName), shared);
      return;
    }
  }

  /**
   * Named types: every subscribed resource when owed (one array shared by every
   * stream with the same subscription and table), else the pending ones; each name once.
   */
  private namedContent(st: SotwType, byName: ReadonlyMap<string, Resource>): Resource[] {
    const sub = st.sub.subscribed;
    if (st.owed) {
      if (sub === '*') return wholeMapResources(byName);
      const c = namedShared.get(sub);
      if (c && c.byName === byName) return c.resources;
      const resources: Resource[] = [];
      for (const n of sub) { const r = byName.get(n); if (r) resources.push(r); }
      namedShared.set(sub, { byName, resources });
      return resources;
    }
    const out: Resource[] = [];
    for (const n of st.pending) { const r = byName.get(n); if (r) out.push(r); }
    return out;
  }

  private desiredComplete(typeUrl: string, st: SotwType): { resources: Resource[]; version: string; shared: boolean } {
    const byName = this.table?.get(typeUrl) ?? EMPTY;
    const sub = st.sub.subscribed;
    if (typeUrl === TypeUrl.Cluster && this.serviceType === undefined && st.acked && !this.clusterUsersSynced()) {
      const keep = st.acked.resources.filter((r) => !byName.has(r.name) && (sub === '*' || sub.has(r.name)));
      if (keep.length) return { ...desiredSotw(byName, sub, keep), shared: false };
    }
    if (sub === '*') return { ...desiredSotw(byName, sub), shared: true };
    const c = completeShared.get(sub);
    if (c && c.byName === byName) return c.want;
    const want = { ...desiredSotw(byName, sub), shared: true };
    completeShared.set(sub, { byName, want });
    return want;
  }

  /** Whether the listeners and routes this stream subscribes to are up to date with the view. */
  private clusterUsersSynced(): boolean {
    for (const t of USERS_OF_CLUSTERS) {
      const st = this.types.get(t);
      if (!st) continue;
      if (st.inFlight || st.owed) return false;
      if (st.complete) {
        if (this.desiredComplete(t, st).version !== st.lastSentVersion) return false;
      } else {
        const byName = this.table?.get(t) ?? EMPTY;
        for (const n of st.pending) if (byName.has(n)) return false;
      }
    }
    return true;
  }

  private send(typeUrl: string, st: SotwType, resources: Resource[], version: string, shared: boolean): void {
    const controlPlaneId = this.controlPlaneOnce();
    let nonce: string;
    let frame: Buffer;
    if (shared) {
      // One encoding for every stream sent this list (see sharedSotwResponse); nonces still increase per stream and type.
      const f = sharedSotwResponse({ versionInfo: version, typeUrl, resources, controlPlaneId }, st.nonceSeq ?? -1, () => this.host.nextNonce());
      ({ nonce, frame } = f);
      st.nonceSeq = f.seq;
    } else {
      const issued = this.host.nextNonce();
      nonce = issued.nonce;
      frame = encodeSotwResponse({ versionInfo: version, typeUrl, nonce, resources, controlPlaneId });
      st.nonceSeq = issued.seq;
    }
    if (typeUrl === TypeUrl.Cluster) this.owedEndpoints(st.lastSent, resources);
    st.inFlight = { nonce, version, sentAt: this.host.clock.now(), resources };
    st.sub = { ...st.sub, lastNonce: nonce };
    st.lastSentVersion = version;
    if (st.complete) st.lastSent = resources;
    st.owed = false;
    if (st.pending.size) st.pending = new Set();
    this.write(typeUrl, frame, version, nonce, resources.length);
  }

  /**
   * Envoy warms an added or changed cluster only once a ClusterLoadAssignment
   * arrives, even an unchanged one: owe EDS the CLAs of the clusters in this
   * CDS response that are new or changed for this client (not all of them).
   */
  private owedEndpoints(before: Resource[] | undefined, after: Resource[]): void {
    const eds = this.types.get(TypeUrl.ClusterLoadAssignment);
    if (!eds || eds.owed || before === after) return;
    const sub = eds.sub.subscribed;
    const prev = new Map<string, string>();
    for (const r of before ?? []) prev.set(r.name, r.version);
    for (const r of after) {
      if (prev.get(r.name) === r.version) continue;
      const n = edsNameOf(r);
      if (sub === '*' || sub.has(n)) eds.pending.add(n);
    }
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
      if (st.complete) this.completeEntries(typeUrl, st, out);
      else this.namedEntries(typeUrl, st, out);
    }
    return out;
  }

  private completeEntries(typeUrl: string, st: SotwType, out: CsdsEntry[]): void {
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

  /**
   * Named types keep no per-name copy of what the client holds: a subscribed
   * name that is neither in flight, NACKed nor pending holds the view's current
   * resource (every change to it is made pending until sent).
   */
  private namedEntries(typeUrl: string, st: SotwType, out: CsdsEntry[]): void {
    const byName = this.table?.get(typeUrl) ?? EMPTY;
    const inFlight = new Map((st.inFlight?.resources ?? []).map((r) => [r.name, r]));
    const nackedLatest = st.nacked && st.nacked.nonce === st.sub.lastNonce && !st.inFlight;
    const nacked = new Map(nackedLatest ? st.nacked!.resources.map((r) => [r.name, r]) : []);
    const names = new Set([...inFlight.keys(), ...nacked.keys()]);
    if (st.sub.subscribed !== '*') for (const n of st.sub.subscribed) names.add(n);
    const ackedVersion = st.acked?.version ?? '';
    for (const name of [...names].sort()) {
      const cur = byName.get(name);
      if (inFlight.has(name)) {
        out.push({ typeUrl, name, version: st.inFlight!.version, resource: inFlight.get(name), configStatus: 'STALE', clientStatus: 'REQUESTED' });
      } else if (nacked.has(name)) {
        const n = st.nacked!;
        out.push({ typeUrl, name, version: ackedVersion, configStatus: 'ERROR', clientStatus: 'NACKED', error: { message: n.message, version: n.version, at: n.at } });
      } else if (!cur || !st.acked) {
        out.push({ typeUrl, name, version: '', configStatus: 'NOT_SENT', clientStatus: 'REQUESTED' });
      } else if (st.owed || st.pending.has(name)) {
        out.push({ typeUrl, name, version: ackedVersion, configStatus: 'STALE', clientStatus: 'ACKED' });
      } else {
        out.push({ typeUrl, name, version: ackedVersion, resource: cur, configStatus: 'SYNCED', clientStatus: 'ACKED' });
      }
    }
  }

  protected clearState(): void {
    this.types.clear();
  }

  /** Number of types with state (tests check it drops to zero on stream end). */
  stateSize(): number { return this.types.size; }
}
