/**
 * ACK/NACK bookkeeping behind the Programmed condition, driven by the xDS
 * server's events, in memory O(xDS types) per stream (issue 4 / issue 6):
 *
 * - per stream and type, whether the last response pushed was ACKed (a
 *   'push' makes the type pending, the 'ack' of that nonce makes it synced, a
 *   'nack' makes it rejected); a subscribed type nothing was pushed for yet
 *   is pending. No per-resource versions: the server pushes every change to a
 *   subscribed resource, so a type whose last push was ACKed holds the
 *   view's current resources;
 * - per stream and type, a reference to the subscription it holds, shared
 *   by every stream with the same one (a fleet on one view subscribes alike);
 *   re-read from clientStatus() at the next progress() after a push that
 *   answered a request (a changed subscription is answered by a push; the
 *   pushes a view publish makes to state-of-the-world streams are content
 *   changes and need no re-read; delta streams are re-read after every push);
 * - per stream and type, only while a NACK is outstanding, the resources it
 *   is blamed on: those the error_detail names, else those of the NACKed
 *   response that differ from the last ACKed response of that type (the
 *   shared array of the ACK event; no copy), else all of them.
 *
 * "Which objects does this subscription use in this table" is computed once
 * per (published table, type, subscription) and shared (WeakMap keyed by the
 * ResourceTable). progress() groups streams by (role, view, subscriptions,
 * not-synced types) and adds each group's counts per object: O(streams +
 * groups × objects), not O(streams × resources).
 *
 * Precision given up for that (conservative: never Programmed when it may
 * not be): a stream whose type T is pending or rejected counts as pending
 * for every object with a resource of type T in its subscription, not only
 * for the resources that changed (a push of one ClusterLoadAssignment makes
 * every Service of that client's EDS pending until the ACK). Objects of
 * other types are unaffected. A tracker created after clients connected
 * learns of a stream at its next push/ACK/NACK.
 */
import type { Resource, ResourceTable, SourceRef } from '../xds/resource';
import type { AckEvent, ClientStatus, NackEvent, PushEvent, XdsServer } from '../xds/server';

/** The store's key of the object a resource was built from: "Kind/namespace/name". */
export const sourceKey = (s: SourceRef): string => `${s.kind}/${s.namespace ?? ''}/${s.name}`;

export interface Rejection {
  readonly nodeId: string;
  readonly role: string;
  /** Message name (Listener, RouteConfiguration, …) and resource name. */
  readonly type: string;
  readonly resource: string;
  /** The client's error_detail.message. */
  readonly message: string;
  readonly at: Date;
}

export interface RoleProgress {
  /** Connected clients of the role whose configuration holds a resource built from the object. */
  total: number;
  /** Of those, the ones whose every type holding such a resource has ACKed the last push. */
  programmed: number;
}

export interface ObjectProgress {
  /** role (gateway, sidecar, proxyless) → counts; absent roles use nothing from the object. */
  readonly byRole: Map<string, RoleProgress>;
  readonly rejections: Rejection[];
}

/** One distinct subscription of one type, shared by the streams holding it. */
interface Subscription {
  /** Small number naming it in progress()'s grouping (cheaper than the key). */
  readonly id: number;
  readonly key: string;
  readonly typeUrl: string;
  readonly names: readonly string[] | '*';
  refs: number;
}

interface NackRecord {
  readonly message: string;
  readonly at: Date;
  readonly blamed: readonly Resource[];
}

interface TypeTrack {
  sub?: Subscription;
  /** Nonce of the last push; undefined = nothing pushed yet. */
  nonce?: string;
  state: 'unsent' | 'sent' | 'acked' | 'nacked';
  /** Resources of the last ACKed response (the event's shared array). */
  acked?: readonly Resource[];
  nack?: NackRecord;
}

interface StreamRecord {
  readonly types: Map<string, TypeTrack>;
  nodeId: string;
  role: string;
  viewKey: string;
  /** Subscriptions may have changed (a push answered a request): re-read from clientStatus() at the next progress(). */
  stale: boolean;
}

/** What the tracker reads from the xDS server. */
export type TrackedServer = Pick<XdsServer, 'on' | 'off' | 'clientStatus' | 'view'>;

/** Distinct source keys of a resource, computed once per Resource object. */
const keysByResource = new WeakMap<Resource, readonly string[]>();
function keysOf(r: Resource): readonly string[] {
  let k = keysByResource.get(r);
  if (!k) keysByResource.set(r, (k = [...new Set(r.sources.map(sourceKey))]));
  return k;
}

export interface ProgrammedTrackerOptions {
  readonly xds: TrackedServer;
  /** Role label of a client (gateway, sidecar, proxyless). */
  readonly roleOf: (c: ClientStatus) => string;
  /** Called after every event that may change a Programmed condition (connect, ACK, NACK, disconnect, publish). */
  readonly onChange?: () => void;
}

const NONE: ReadonlySet<string> = new Set();

function sameNames(a: readonly string[] | '*', b: readonly string[] | '*'): boolean {
  if (a === '*' || b === '*') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ProgrammedTracker {
  private readonly streams = new Map<string, StreamRecord>();
  /** Distinct subscriptions by type and names, reference-counted by the streams holding them. */
  private readonly subs = new Map<string, Subscription>();
  /** Per published table: objects used by a subscription (shared by every stream holding it). */
  private used = new WeakMap<ResourceTable, Map<Subscription, ReadonlySet<string>>>();
  private subIds = 0;
  /** Inside a publish (between 'debounce' and the end of that task's synchronous pushes). */
  private publishing = false;
  private readonly unbind: () => void;

  constructor(private readonly opts: ProgrammedTrackerOptions) {
    const changed = (): void => opts.onChange?.();
    const onPush = (e: PushEvent): void => { this.push(e); };
    // A publish emits 'debounce', then pushes to every stream of the changed views synchronously: those pushes
    // answer content changes, not subscription changes, so they need no re-read of the subscription.
    const onPublish = (): void => {
      if (!this.publishing) queueMicrotask(() => { this.publishing = false; });
      this.publishing = true;
      changed();
    };
    const onAck = (e: AckEvent): void => { this.ack(e); changed(); };
    const onNack = (e: NackEvent): void => { this.nack(e); changed(); };
    const onGone = (c: ClientStatus): void => { this.drop(c.streamId); changed(); };
    const onConnect = (c: ClientStatus): void => { this.connect(c); changed(); };
    const { xds } = opts;
    xds.on('push', onPush);
    xds.on('ack', onAck);
    xds.on('nack', onNack);
    xds.on('disconnect', onGone);
    xds.on('connect', onConnect);
    xds.on('debounce', onPublish);
    this.unbind = () => {
      xds.off('push', onPush);
      xds.off('ack', onAck);
      xds.off('nack', onNack);
      xds.off('disconnect', onGone);
      xds.off('connect', onConnect);
      xds.off('debounce', onPublish);
    };
  }

  close(): void {
    this.unbind();
    for (const id of [...this.streams.keys()]) this.drop(id);
    this.used = new WeakMap();
  }

  /** Streams with bookkeeping (leak checks). */
  size(): number {
    return this.streams.size;
  }

  private connect(c: ClientStatus): void {
    const rec = this.record(c.streamId, c.node.id, this.opts.roleOf(c), c.viewKey);
    this.refresh(rec, c);
  }

  private record(streamId: string, nodeId: string, role: string, viewKey: string): StreamRecord {
    let r = this.streams.get(streamId);
    if (!r) this.streams.set(streamId, (r = { types: new Map(), nodeId, role, viewKey, stale: true }));
    return r;
  }

  /** The record of a stream seen first after the tracker started late (connect came before it). */
  private lateRecord(streamId: string): StreamRecord | undefined {
    const known = this.streams.get(streamId);
    if (known) return known;
    const c = this.opts.xds.clientStatus(streamId);
    if (!c) return undefined;
    this.connect(c);
    return this.streams.get(streamId);
  }

  private drop(streamId: string): void {
    const rec = this.streams.get(streamId);
    if (!rec) return;
    this.streams.delete(streamId);
    for (const t of rec.types.values()) this.release(t.sub);
  }

  private track(rec: StreamRecord, typeUrl: string): TypeTrack {
    let t = rec.types.get(typeUrl);
    if (!t) rec.types.set(typeUrl, (t = { state: 'unsent' }));
    return t;
  }

  private push(e: PushEvent): void {
    const rec = this.lateRecord(e.streamId);
    if (!rec) return;
    const t = this.track(rec, e.typeUrl);
    // A push outside a publish answers a request: the subscription may have changed. A delta stream answers
    // a subscription to names the view lacks with nothing, so its publish pushes may be the first for them.
    // The first push of a type may come from a publish too (a view published after its first client asked).
    if (!this.publishing || e.variant === 'delta' || t.nonce === undefined) rec.stale = true;
    t.nonce = e.nonce;
    // A pending NACK stays reported until a later response is ACKed.
    if (t.state !== 'nacked') t.state = 'sent';
  }

  private ack(e: AckEvent): void {
    const rec = this.lateRecord(e.streamId);
    if (!rec) return;
    const t = this.track(rec, e.typeUrl);
    t.acked = e.resources;
    t.nack = undefined;
    // An ACK of an older response than the last push leaves the type pending.
    t.state = t.nonce === undefined || t.nonce === e.nonce ? 'acked' : 'sent';
  }

  private nack(e: NackEvent): void {
    const c = e.client;
    const rec = this.record(c.streamId, c.node.id, this.opts.roleOf(c), c.viewKey);
    rec.role = this.opts.roleOf(c);
    this.refresh(rec, c);
    const t = this.track(rec, e.typeUrl);
    const message = e.errorDetail.message;
    const named = e.resources.filter((r) => r.name !== '' && message.includes(r.name));
    let changed: readonly Resource[] = e.resources;
    if (named.length === 0 && t.acked && t.acked.length > 0) {
      const held = new Map(t.acked.map((r) => [r.name, r.version]));
      changed = e.resources.filter((r) => held.get(r.name) !== r.version);
    }
    const blamed = named.length > 0 ? named : changed.length > 0 ? changed : e.resources;
    t.nack = { message, at: new Date(), blamed };
    t.state = 'nacked';
  }

  /** Re-reads the stream's subscriptions (shared Subscription objects), O(subscribed names) once per ACK burst. */
  private refresh(rec: StreamRecord, c: ClientStatus): void {
    rec.stale = false;
    rec.viewKey = c.viewKey;
    for (const [typeUrl, ts] of Object.entries(c.types)) {
      const t = this.track(rec, typeUrl);
      // No push seen (the tracker started after it): the server's own per-type versions say whether it was ACKed.
      if (t.nonce === undefined && t.state === 'unsent' && ts.sentVersion !== undefined && ts.ackedVersion === ts.sentVersion && ts.lastNack?.version !== ts.sentVersion) t.state = 'acked';
      if (t.sub && sameNames(t.sub.names, ts.subscribed)) continue; // the usual case: compared without building a key
      const key = ts.subscribed === '*' ? `${typeUrl}\n*` : `${typeUrl}\n${ts.subscribed.length}\n${ts.subscribed.join('\n')}`;
      if (t.sub?.key === key) continue;
      let sub = this.subs.get(key);
      if (!sub) this.subs.set(key, (sub = { id: ++this.subIds, key, typeUrl, names: ts.subscribed === '*' ? '*' : [...ts.subscribed], refs: 0 }));
      sub.refs++;
      this.release(t.sub);
      t.sub = sub;
    }
  }

  private release(sub: Subscription | undefined): void {
    if (sub && --sub.refs === 0) this.subs.delete(sub.key);
  }

  /** Objects a subscription's resources come from in a table; computed once per (table, subscription). */
  private usedBy(table: ResourceTable, sub: Subscription): ReadonlySet<string> {
    let byTable = this.used.get(table);
    if (!byTable) this.used.set(table, (byTable = new Map()));
    let set = byTable.get(sub);
    if (set) return set;
    const out = new Set<string>();
    const byName = table.get(sub.typeUrl);
    if (byName) {
      const visit = (r: Resource | undefined): void => { if (r) for (const k of keysOf(r)) out.add(k); };
      if (sub.names === '*') for (const r of byName.values()) visit(r);
      else for (const n of sub.names) visit(byName.get(n));
    }
    set = out.size === 0 ? NONE : out;
    byTable.set(sub, set);
    return set;
  }

  /** Programmed counts and rejections per object key ("Kind/ns/name"). */
  progress(): Map<string, ObjectProgress> {
    const out = new Map<string, ObjectProgress>();
    const entry = (key: string): ObjectProgress => {
      let p = out.get(key);
      if (!p) out.set(key, (p = { byRole: new Map(), rejections: [] }));
      return p;
    };
    // Streams alike (role, table, subscriptions, which types are not synced) are counted at once.
    const groups = new Map<string, { role: string; table: ResourceTable; subs: Subscription[]; behind: Subscription[]; n: number }>();
    const tableIds = new Map<ResourceTable, number>();
    for (const [streamId, rec] of this.streams) {
      const table = this.opts.xds.view(rec.viewKey);
      if (!table) continue;
      if (rec.stale) {
        const c = this.opts.xds.clientStatus(streamId);
        if (c) this.refresh(rec, c);
      }
      let tid = tableIds.get(table);
      if (tid === undefined) tableIds.set(table, (tid = tableIds.size));
      const subs: Subscription[] = [];
      const behind: Subscription[] = [];
      let sig = `${rec.role}\n${tid}`;
      for (const t of rec.types.values()) {
        if (!t.sub) continue;
        subs.push(t.sub);
        const synced = t.state === 'acked';
        if (!synced) behind.push(t.sub);
        sig += synced ? ` ${t.sub.id}` : ` -${t.sub.id}`;
      }
      const g = groups.get(sig);
      if (g) g.n++;
      else groups.set(sig, { role: rec.role, table, subs, behind, n: 1 });
    }
    for (const g of groups.values()) {
      const used = new Set<string>();
      for (const s of g.subs) for (const k of this.usedBy(g.table, s)) used.add(k);
      const pending = new Set<string>();
      for (const s of g.behind) for (const k of this.usedBy(g.table, s)) pending.add(k);
      for (const key of used) {
        const byRole = entry(key).byRole;
        let rp = byRole.get(g.role);
        if (!rp) byRole.set(g.role, (rp = { total: 0, programmed: 0 }));
        rp.total += g.n;
        if (!pending.has(key)) rp.programmed += g.n;
      }
    }
    for (const rec of this.streams.values()) {
      for (const t of rec.types.values()) {
        const n = t.nack;
        if (!n) continue;
        for (const r of n.blamed) {
          const rejection: Rejection = { nodeId: rec.nodeId, role: rec.role, type: r.typeUrl.slice(r.typeUrl.lastIndexOf('.') + 1), resource: r.name, message: n.message, at: n.at };
          for (const key of keysOf(r)) entry(key).rejections.push(rejection);
        }
      }
    }
    return out;
  }
}
