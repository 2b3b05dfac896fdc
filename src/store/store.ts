/**
 * The store: current objects per key, a relevance filter, and batching of
 * changes into ChangeSets for one subscriber (the model builder).
 *
 * Relevance:
 *  - an update whose relevant content (kinds.ts: relevantContent) hashes the
 *    same as what the subscriber last saw (status-only, resourceVersion or
 *    managedFields churn) produces nothing;
 *  - objects of 'referenced' kinds (Secrets) are invisible until a key is
 *    passed to setReferencedSecrets();
 *  - an invalid update keeps the last good version and reports the error once.
 */
import { contentHash } from '../sources/kinds';
import type { SourceError, SourceEvent } from '../sources/source';
import type { ChangeSet, StoredObject, StoreSnapshot } from './change-set';

export interface StoreOptions {
  /** Changes arriving within this window are merged into one ChangeSet (default 10 ms). */
  batchMs?: number;
  /** Names of sources whose 'synced' must arrive before the first ChangeSet is emitted. */
  waitForSync?: readonly string[];
}

export type ChangeSetListener = (cs: ChangeSet) => void;

export class Store {
  private readonly objects = new Map<string, StoredObject>();
  private readonly errorsByKey = new Map<string, SourceError>();
  /** Hash of each key as the subscriber last saw it. */
  private readonly emitted = new Map<string, string>();
  private readonly pending = new Set<string>();
  private pendingErrors: SourceError[] = [];
  private referenced = new Set<string>();
  private readonly awaiting: Set<string>;
  private initialSent = false;
  private timer: NodeJS.Timeout | undefined;
  private listener: ChangeSetListener | undefined;
  private readonly referencedListeners: ((keys: ReadonlySet<string>) => void)[] = [];
  private readonly batchMs: number;
  private syncWaiters: (() => void)[] = [];

  constructor(opts: StoreOptions = {}) {
    this.batchMs = opts.batchMs ?? 10;
    this.awaiting = new Set(opts.waitForSync ?? []);
  }

  /** The listener to give sources: store.apply. */
  readonly apply = (ev: SourceEvent): void => {
    switch (ev.type) {
      case 'upsert': {
        const hash = contentHash(ev.kind.relevantContent(ev.object));
        this.objects.set(ev.key, { key: ev.key, object: ev.object, kind: ev.kind, origin: ev.origin, hash });
        this.errorsByKey.delete(ev.key);
        this.touch(ev.key);
        break;
      }
      case 'delete':
        this.objects.delete(ev.key);
        this.errorsByKey.delete(ev.key);
        this.touch(ev.key);
        break;
      case 'invalid': {
        if (ev.key) {
          const prev = this.errorsByKey.get(ev.key);
          this.errorsByKey.set(ev.key, ev.error);
          if (prev?.message === ev.error.message) break;
        }
        this.pendingErrors.push(ev.error);
        this.schedule();
        break;
      }
      case 'error':
        this.pendingErrors.push(ev.error);
        this.schedule();
        break;
      case 'synced':
        this.awaiting.delete(ev.source);
        if (this.synced) {
          const w = this.syncWaiters;
          this.syncWaiters = [];
          for (const r of w) r();
        }
        this.schedule();
        break;
    }
  };

  /** The one subscriber. Returns an unsubscribe function. */
  subscribe(listener: ChangeSetListener): () => void {
    if (this.listener) throw new Error('store already has a subscriber');
    this.listener = listener;
    this.schedule();
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /**
   * Keys ('Secret/ns/name') of Secrets Tower objects reference. Newly referenced
   * Secrets already held appear as upserts; no longer referenced ones as deletes.
   */
  setReferencedSecrets(keys: Iterable<string>): void {
    const next = new Set(keys);
    for (const k of next) if (!this.referenced.has(k)) this.touch(k);
    for (const k of this.referenced) if (!next.has(k)) this.touch(k);
    this.referenced = next;
    for (const l of this.referencedListeners) l(next);
  }

  referencedSecrets(): ReadonlySet<string> {
    return this.referenced;
  }

  /** Called whenever the referenced Secret set changes (sources use it to watch only those). */
  onReferencedSecretsChange(fn: (keys: ReadonlySet<string>) => void): void {
    this.referencedListeners.push(fn);
  }

  get synced(): boolean {
    return this.awaiting.size === 0;
  }

  /** Resolves once every awaited source has synced. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Every visible object and the current errors, for a full rebuild. */
  snapshot(): StoreSnapshot {
    const objects = new Map<string, StoredObject>();
    for (const [k, o] of this.objects) if (this.visible(o)) objects.set(k, o);
    const errors = new Map(this.errorsByKey);
    return {
      objects,
      errors,
      byKind: (kind: string) => [...objects.values()].filter((o) => o.object.kind === kind),
    };
  }

  /** The current object for a key, visible or not (status writers read current status here). */
  get(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  /** Emits pending changes now instead of waiting for the batch window. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.synced || !this.listener) return;
    const upserted: StoredObject[] = [];
    const deleted: { key: string; kind: string }[] = [];
    const kindsTouched = new Set<string>();
    for (const key of this.pending) {
      const cur = this.objects.get(key);
      const curHash = cur && this.visible(cur) ? cur.hash : undefined;
      const prevHash = this.emitted.get(key);
      if (curHash === prevHash) continue;
      if (cur && curHash !== undefined) {
        upserted.push(cur);
        this.emitted.set(key, curHash);
        kindsTouched.add(cur.object.kind);
      } else {
        const kind = key.slice(0, key.indexOf('/'));
        deleted.push({ key, kind });
        this.emitted.delete(key);
        kindsTouched.add(kind);
      }
    }
    this.pending.clear();
    const errors = this.pendingErrors;
    this.pendingErrors = [];
    const initial = !this.initialSent;
    if (!initial && upserted.length === 0 && deleted.length === 0 && errors.length === 0) return;
    this.initialSent = true;
    this.listener({ initial, upserted, deleted, kindsTouched, errors });
  }

  /** Cancels the batch timer (nothing is emitted afterwards until more changes arrive). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listener = undefined;
  }

  private visible(o: StoredObject): boolean {
    return o.kind.interest !== 'referenced' || this.referenced.has(o.key);
  }

  private touch(key: string): void {
    this.pending.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || !this.synced) return;
    this.timer = setTimeout(() => this.flush(), this.batchMs);
  }
}
