/**
 * The glue between the store and the xDS server: turns each ChangeSet into
 * model changes, runs the incremental MeshTranslator and publishes every
 * changed view to the server. It also creates a view the first time a client
 * of a new role connects, and tells the store which Secrets gateways use.
 *
 * Nothing is published before the sources' initial sync: a client that
 * connects earlier is attached and waits, so a restarting Tower never sends
 * an empty configuration.
 */
import { TypeUrl } from '../envoy/type-urls';
import type { ObjectChange } from '../model/model-builder';
import { caSecretsReferencedBy } from '../model/backend-policy';
import { roleFromNode, viewKey as viewKeyOf, type ClientRole } from '../model/roles';
import { formatModelError } from '../model/types';
import type { MeshTranslator } from '../pipeline/mesh-translator';
import type { TranslationError, ViewUpdate } from '../pipeline/types';
import type { Logger } from '../observability/logger';
import type { TowerMetrics } from '../observability/metrics';
import type { ChangeSet, StoredObject } from '../store/change-set';
import type { Store } from '../store/store';
import { describeOrigin } from '../sources/validate';
import type { NodeInfo } from '../xds/node-info';
import type { XdsServer } from '../xds/server';
import type { IdentityGate } from '../mesh-ca/identity-gate';
import type { ResourceTable } from '../xds/resource';

export interface MeshControllerDeps {
  readonly store: Store;
  readonly translator: MeshTranslator;
  readonly metrics: TowerMetrics;
  readonly logger: Logger;
  /** Called once the first full configuration has been published. */
  readonly onFirstSnapshot: () => void;
  /** Mesh mTLS: views wait for their identity certificate (src/mesh-ca/identity-gate.ts). */
  readonly identities?: IdentityGate;
  /** Called after each change set was applied to the model and published (status reporting). */
  readonly onApplied?: (cs: ChangeSet) => void;
}

function toChange(o: StoredObject): ObjectChange {
  return { type: 'upsert', object: o.object, ...(o.origin.source === 'file' ? { file: o.origin.file } : {}) };
}

function deleteChange(key: string): ObjectChange {
  // Keys are kind/namespace/name (objectKey); cluster-scoped objects have an empty namespace.
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { type: 'delete', kind, ...(namespace ? { namespace } : {}), name: rest.join('/') };
}

function describeTranslationError(e: TranslationError): string {
  const src = e.sources.map((s) => `${s.kind} ${s.namespace ? s.namespace + '/' : ''}${s.name}${s.file ? ` (${s.file})` : ''}`).join(', ');
  const detail = e.errors.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
  return `${e.typeUrl.slice(e.typeUrl.lastIndexOf('.') + 1)} ${e.name} [${e.reason}]${src ? ` from ${src}` : ''}: ${detail}${e.servingLastGood ? ' (serving last good version)' : ''}`;
}

export class MeshController {
  private xds: XdsServer | undefined;
  private synced = false;
  /** Roles of clients that connected before the initial sync. */
  private readonly waitingRoles = new Map<string, ClientRole>();
  private referencedSecrets = '';
  private loggedModelErrors = new Set<string>();
  private readonly loggedTranslationErrors = new Map<string, string>();
  /** The table last passed to XdsServer.setView per view (the base of the next update's change list). */
  private readonly lastTables = new Map<string, ResourceTable>();

  constructor(private readonly deps: MeshControllerDeps) {}

  /** Starts consuming the store; publishes to `xds`. Returns an unsubscribe function. */
  attach(xds: XdsServer): () => void {
    this.xds = xds;
    return this.deps.store.subscribe((cs) => this.onChangeSet(cs));
  }

  /** The xDS server's selectView: the client's view key, creating the view on first use. */
  readonly selectView = (node: NodeInfo): string => {
    const role = roleFromNode(node);
    const key = viewKeyOf(role);
    const conflict = this.deps.identities?.claim(key, role);
    if (conflict) throw new Error(conflict);
    const certReady = this.deps.identities?.ready(role, () => this.addLateView(role)) ?? true;
    if (!certReady || !this.synced) {
      if (!this.synced && !this.waitingRoles.has(key)) this.waitingRoles.set(key, role);
      return key;
    }
    if (this.deps.translator.table(key) === undefined) {
      this.deps.logger.info({ view: key, role: role.kind, reason: role.reason, node: node.id }, 'new client view');
      this.addView(role);
      // A new view's first configuration should not wait for the debounce window.
      queueMicrotask(() => this.xds?.flush());
    }
    return key;
  };

  /** A view whose identity certificate arrived after its first client (after the initial sync; before it, apply() adds it). */
  private addLateView(role: ClientRole): void {
    const key = viewKeyOf(role);
    if (!this.synced || this.deps.translator.table(key) !== undefined) return;
    this.addView(role);
    this.xds?.flush();
  }

  /** Translates a new view and publishes its first table. */
  private addView(role: ClientRole): void {
    const u = this.deps.translator.addView(role);
    this.publish(u, false);
    this.logTranslationErrors(u);
  }

  /** Re-translates the views using an identity whose certificate the mesh CA rotated, so the new one is pushed. */
  identityRotated(namespace: string, serviceAccount: string): void {
    for (const { viewKey, role } of this.deps.identities?.viewsOf(namespace, serviceAccount) ?? []) {
      if (this.deps.translator.table(viewKey) === undefined) continue;
      this.deps.translator.removeView(viewKey);
      // a fresh view reports no removals: its table is not a change set from the last one
      this.lastTables.delete(viewKey);
      const u = this.deps.translator.addView(role);
      this.publish(u, true);
      this.logTranslationErrors(u);
    }
  }

  private onChangeSet(cs: ChangeSet): void {
    try {
      this.apply(cs);
      this.deps.onApplied?.(cs);
    } catch (err) {
      // A bug in translation must not take the control plane down; clients keep their last config.
      this.deps.logger.error({ err }, 'applying a change set failed');
    }
  }

  private apply(cs: ChangeSet): void {
    const { store, translator, logger } = this.deps;
    for (const e of cs.errors) logger.warn({ origin: describeOrigin(e.origin), key: e.key, field: e.field }, e.message);
    const changes: ObjectChange[] = cs.initial
      ? [...store.snapshot().objects.values()].map(toChange)
      : [...cs.upserted.map(toChange), ...cs.deleted.map((d) => deleteChange(d.key))];
    const result = translator.update(changes);
    // Secrets the store already holds but hid until an object referenced them:
    // fold them in before anything is published, so a Gateway never goes out
    // (or logs an error) without the certificate it names.
    const revealed = this.updateReferencedSecrets().flatMap((k) => store.get(k) ?? []);
    const second = revealed.length > 0 ? translator.update(revealed.map(toChange)) : undefined;
    this.logModelErrors((second ?? result).modelErrors.map(formatModelError));
    const updates = second ? [...result.views, ...second.views] : result.views;
    for (const u of updates) this.publish(u, true);
    for (const u of new Map(updates.map((v) => [v.viewKey, v])).values()) this.logTranslationErrors(u);
    if (!this.synced) {
      this.synced = true;
      for (const role of this.waitingRoles.values()) {
        if (this.deps.identities && !this.deps.identities.ready(role, () => this.addLateView(role))) continue;
        this.addView(role);
      }
      this.waitingRoles.clear();
      this.xds?.flush();
      logger.info({ objects: store.snapshot().objects.size, views: translator.viewKeys().length }, 'initial configuration published');
      this.deps.onFirstSnapshot();
    }
  }

  private publish(u: ViewUpdate, incremental: boolean): void {
    const endpointsOnly =
      incremental &&
      u.changed.length + u.removed.length > 0 &&
      u.changed.every((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment) &&
      u.removed.every((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment);
    // What changed since the table set before lets the xDS server publish in O(changed).
    const since = this.lastTables.get(u.viewKey);
    this.lastTables.set(u.viewKey, u.table);
    this.xds?.setView(u.viewKey, u.table, { endpointsOnly, changes: since && { since, changed: u.changed, removed: u.removed } });
    this.deps.metrics.recordView(u.viewKey, u.table);
    this.deps.logger.debug({ view: u.viewKey, changed: u.changed.length, removed: u.removed.length, endpointsOnly }, 'view updated');
  }

  /** Secrets Tower objects name (Gateway certificates, BackendPolicy CAs): the only Secrets sources read. Returns the newly referenced keys. */
  private updateReferencedSecrets(): string[] {
    const keys = new Set<string>();
    for (const g of this.deps.translator.model().gateways) {
      for (const l of g.listeners) for (const ref of l.certificateRefs) keys.add(`Secret/${ref.namespace}/${ref.name}`);
    }
    for (const k of caSecretsReferencedBy(this.deps.translator.model())) keys.add(k); // BackendPolicy upstream TLS CAs
    const sig = [...keys].sort().join('\n');
    if (sig === this.referencedSecrets) return [];
    this.referencedSecrets = sig;
    const before = this.deps.store.referencedSecrets();
    const added = [...keys].filter((k) => !before.has(k));
    this.deps.store.setReferencedSecrets(keys);
    return added;
  }

  private logModelErrors(errors: readonly string[]): void {
    const next = new Set(errors);
    for (const e of next) if (!this.loggedModelErrors.has(e)) this.deps.logger.warn({ kind: 'model' }, e);
    for (const e of this.loggedModelErrors) if (!next.has(e)) this.deps.logger.info({ kind: 'model' }, `resolved: ${e}`);
    this.loggedModelErrors = next;
  }

  private logTranslationErrors(u: ViewUpdate): void {
    const text = u.errors.map(describeTranslationError).join('\n');
    if (this.loggedTranslationErrors.get(u.viewKey) === text) return;
    this.loggedTranslationErrors.set(u.viewKey, text);
    for (const e of u.errors) this.deps.logger.warn({ kind: 'translation', view: u.viewKey }, describeTranslationError(e));
  }
}
