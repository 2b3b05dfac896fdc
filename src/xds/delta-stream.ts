/**
 * An incremental (delta) stream. Per type it keeps the subscription, and the
 * name → version map of what the client holds (seeded from
 * initial_resource_versions on reconnect); responses carry only what differs,
 * and removed_resources for what the client holds that no longer exists.
 * Only `pending` names are examined: those a view publish changed or removed
 * (the view's change set, computed once per publish, intersected with the
 * subscription) and newly subscribed ones; 'all' after the first request.
 */
import { TypeUrl, isWildcardType, pushOrder } from '../envoy/type-urls';
import { EMPTY, versionOf } from './desired';
import type { Resource } from './resource';
import { classifyDelta } from './should-respond';
import { XdsStream, type CsdsEntry } from './stream-base';
import type { TypeStatus } from './types';
import { addIntersection, intern, type ViewChanges } from './view-changes';
import { decodeDeltaRequest, encodeDeltaResponse, type DeltaRequest } from './wire';

interface DeltaSent { nonce: string; version: string; sentAt: number; resources: Resource[]; removed: string[] }

interface DeltaType {
  wildcard: boolean;
  names: Set<string>;
  /** What the client holds: name → resource version. */
  has: Map<string, string>;
  /** Names that may differ between the view and what the client holds; 'all' = walk everything. */
  pending: Set<string> | 'all';
  /**
   * Subscribed names the client was told do not exist (listed in removed_resources, as the
   * xDS protocol's incremental variants signal a missing resource), so it stops waiting for
   * them instead of running into its initial fetch timeout. Told once per subscription.
   */
  absent: Set<string>;
  inFlight?: DeltaSent;
  lastNonce?: string;
  acked?: { version: string; at: Date };
  nacked?: { version: string; nonce: string; message: string; at: Date; resources: Resource[] };
}

interface Diff { resources: Resource[]; removed: string[]; version: string; withheld: Set<string> }

export class DeltaStream extends XdsStream {
  private types = new Map<string, DeltaType>();

  protected handle(buf: Buffer): void {
    const p = this.preamble(buf, 'DeltaDiscoveryRequest', decodeDeltaRequest,
      (r: DeltaRequest) => r.subscribe.length + r.unsubscribe.length + Object.keys(r.initialResourceVersions).length);
    if (!p) return;
    const { req, typeUrl } = p;
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = {
        wildcard: req.subscribe.includes('*') || (req.subscribe.length === 0 && isWildcardType(typeUrl)),
        names: new Set(),
        has: new Map(Object.entries(req.initialResourceVersions)),
        pending: 'all',
        absent: new Set(),
        // present from the start: one object shape for all streams' type states
        inFlight: undefined,
        lastNonce: undefined,
        acked: undefined,
        nacked: undefined,
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
          this.host.onAck(this, typeUrl, sent.version, sent.nonce, this.host.clock.now() - sent.sentAt, sent.resources, sent.removed);
        }
      }
    }
    // Subscription changes apply whatever the nonce says (stale, ACK or NACK).
    const byName = this.table?.get(typeUrl);
    for (const raw of req.subscribe) {
      if (raw === '*') { if (!st.wildcard) st.pending = 'all'; st.wildcard = true; continue; }
      const n = intern(byName, raw); // share the view's string
      st.names.add(n);
      st.absent.delete(n); // asked again: answered again
      if (st.pending !== 'all') st.pending.add(n);
      if (!first) st.has.delete(n); // a newly requested name is always sent, even if held before
    }
    for (const n of req.unsubscribe) {
      if (n === '*') { st.wildcard = false; continue; }
      st.names.delete(n); // superfluous unsubscribes are no-ops
      st.absent.delete(n);
      if (!st.wildcard) st.has.delete(n); // still covered by the wildcard otherwise
    }
    if (!st.wildcard) for (const n of [...st.has.keys()]) if (!st.names.has(n)) st.has.delete(n);
    this.pump();
  }

  viewChanged(changes: ViewChanges): void {
    for (const [typeUrl, st] of this.types) {
      if (st.pending === 'all') continue;
      if (changes.all) { st.pending = 'all'; continue; }
      const c = changes.byType.get(typeUrl);
      if (!c) continue;
      if (st.wildcard) {
        for (const n of c.changed) st.pending.add(n);
        for (const n of c.removed) st.pending.add(n);
      } else {
        addIntersection(st.pending, c.changed, st.names);
        addIntersection(st.pending, c.removed, st.names);
      }
    }
  }

  pump(): void {
    if (this.closed || !this.table) return;
    for (const typeUrl of pushOrder) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      if (st.inFlight) return; // awaiting ACK/NACK: blocks this type and, on ADS, every later one
      if (st.pending !== 'all' && st.pending.size === 0) continue;
      const diff = this.diff(typeUrl, st);
      if (diff.resources.length === 0 && diff.removed.length === 0) { st.pending = diff.withheld; continue; }
      this.send(typeUrl, st, diff);
      return;
    }
  }

  private inScope(st: DeltaType, name: string): boolean {
    return st.wildcard || st.names.has(name);
  }

  /** What the client is owed among its pending names (all names when pending is 'all'); each name once. */
  private diff(typeUrl: string, st: DeltaType): Diff {
    const byName = this.table?.get(typeUrl) ?? EMPTY;
    const resources: Resource[] = [];
    const gone: string[] = [];
    const missing: string[] = [];
    const visit = (n: string): void => {
      const r = byName.get(n);
      if (r) { if (st.has.get(n) !== r.version && this.inScope(st, n)) resources.push(r); }
      else if (st.has.has(n)) { if (this.inScope(st, n)) gone.push(n); }
      else if (st.names.has(n) && !st.absent.has(n)) missing.push(n);
    };
    if (st.pending === 'all') {
      if (st.wildcard) for (const n of byName.keys()) visit(n);
      else for (const n of st.names) if (byName.has(n)) visit(n);
      for (const n of st.has.keys()) if (!byName.has(n)) visit(n);
      for (const n of st.names) if (!byName.has(n) && !st.has.has(n)) visit(n);
    } else {
      for (const n of st.pending) visit(n);
    }
    let removed = gone;
    const withheld = new Set<string>();
    if (gone.length && typeUrl === TypeUrl.Cluster && this.serviceType === undefined && !this.clusterUsersSynced()) {
      // Make-before-break: clusters go only once the listeners and routes that used them are replaced.
      for (const n of gone) withheld.add(n);
      removed = [];
    }
    if (missing.length) removed = [...removed, ...missing];
    // Status only (system_version_info is not sent): one resource's own version needs no hash (the churn case).
    const version = resources.length === 1 && removed.length === 0 ? resources[0].version : versionOf(resources) + (removed.length ? `-${removed.length}` : '');
    return { resources, removed, version, withheld };
  }

  private clusterUsersSynced(): boolean {
    for (const t of [TypeUrl.Listener, TypeUrl.RouteConfiguration]) {
      const st = this.types.get(t);
      if (!st) continue;
      if (st.inFlight) return false;
      if (st.pending !== 'all' && st.pending.size === 0) continue;
      const d = this.diff(t, st);
      if (d.resources.length || d.removed.length) return false;
    }
    return true;
  }

  private send(typeUrl: string, st: DeltaType, diff: Diff): void {
    const { nonce } = this.host.nextNonce();
    // system_version_info is informational only (Envoy's docs: debugging); the version stays in Tower's status, not on the wire.
    const frame = encodeDeltaResponse({ systemVersionInfo: '', typeUrl, nonce, resources: diff.resources, removed: diff.removed, controlPlaneId: this.controlPlaneOnce() });
    for (const r of diff.resources) st.has.set(r.name, r.version);
    for (const n of diff.removed) {
      st.has.delete(n);
      if (st.names.has(n)) st.absent.add(n); // told it does not exist (or no longer does)
    }
    for (const r of diff.resources) st.absent.delete(r.name);
    st.pending = diff.withheld;
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
