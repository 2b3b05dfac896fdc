/**
 * The Kubernetes source: one ListWatcher per registered kind with interest
 * 'all' (cluster-wide, or one namespace), and one per referenced Secret
 * (field selector metadata.name in the Secret's namespace), so Tower never
 * lists or receives Secrets it does not use. Objects are validated against
 * the kinds registry; invalid ones are reported and skipped.
 */
import type { KubeApi } from '../../k8s/kube-api';
import { defaultKindRegistry, type KindInfo, type KindRegistry } from '../kinds';
import type { Origin, Source, SourceListener } from '../source';
import { parseObject, rawKey } from '../validate';
import type { BackoffOptions } from './backoff';
import { ListWatcher } from './list-watcher';

export interface KubernetesSourceOptions {
  /** The cluster, through @kubernetes/client-node (see src/k8s/kube-api.ts). */
  api: KubeApi;
  registry?: KindRegistry;
  /** Watch 'all'-interest kinds in this namespace only (default: cluster-wide). */
  namespace?: string;
  backoff?: BackoffOptions;
  watchTimeoutSeconds?: number;
}

interface Watched {
  readonly watcher: ListWatcher;
  /** Keys this watcher delivered, with the resourceVersion last seen. */
  readonly known: Map<string, string>;
  readonly kind: KindInfo;
}

export class KubernetesSource implements Source {
  readonly name = 'kubernetes';
  private readonly registry: KindRegistry;
  private readonly origin: Origin;
  private listener: SourceListener = () => {};
  private readonly byKind = new Map<string, Watched>();
  private readonly referenced = new Map<string, Watched>();
  private started = false;
  private stopped = false;

  constructor(private readonly opts: KubernetesSourceOptions) {
    this.registry = opts.registry ?? defaultKindRegistry();
    this.origin = { source: 'cluster', cluster: opts.api.name };
  }

  async start(listener: SourceListener): Promise<void> {
    if (this.started) throw new Error('kubernetes source already started');
    this.started = true;
    this.listener = listener;
    for (const kind of this.registry.list()) {
      if (kind.interest !== 'all') continue;
      const ns = kind.namespaced ? this.opts.namespace : undefined;
      this.byKind.set(kind.kind, this.watch(kind, ns));
    }
    const all = [...this.byKind.values()];
    for (const w of all) w.watcher.start();
    void Promise.all(all.map((w) => w.watcher.synced)).then(() => {
      if (!this.stopped) this.listener({ type: 'synced', source: this.name });
    });
  }

  setReferencedSecrets(keys: ReadonlySet<string>): void {
    if (this.stopped) return;
    const kind = this.registry.get('v1', 'Secret');
    if (!kind || kind.interest !== 'referenced') return;
    for (const [key, w] of this.referenced) {
      if (keys.has(key)) continue;
      this.referenced.delete(key);
      void w.watcher.stop();
      for (const k of w.known.keys()) this.listener({ type: 'delete', key: k, kind, origin: this.origin });
    }
    for (const key of keys) {
      if (this.referenced.has(key) || !this.started) continue;
      const [, namespace, name] = key.split('/');
      if (!namespace || !name) {
        this.listener({ type: 'error', error: { message: `referenced Secret key "${key}" is not Secret/namespace/name`, key } });
        continue;
      }
      const w = this.watch(kind, namespace, `metadata.name=${name}`);
      this.referenced.set(key, w);
      w.watcher.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.byKind.values(), ...this.referenced.values()].map((w) => w.watcher.stop()));
  }

  /** List/watch statistics per collection, for debug pages and tests. */
  stats(): Record<string, ListWatcher['stats'] & { resourceVersion: string }> {
    const out: Record<string, ListWatcher['stats'] & { resourceVersion: string }> = {};
    for (const [k, w] of [...this.byKind, ...this.referenced]) out[k] = { ...w.watcher.stats, resourceVersion: w.watcher.resourceVersion };
    return out;
  }

  private watch(kind: KindInfo, namespace: string | undefined, fieldSelector?: string): Watched {
    const collection = this.opts.api.collection(kind, namespace);
    const known = new Map<string, string>();
    /** Keys whose latest version was rejected and that were never delivered valid. */
    const invalid = new Set<string>();
    const upsert = (raw: Record<string, unknown>): string | undefined => {
      const r = parseObject(raw, this.registry, this.origin);
      if (r.ok === 'ignored') return undefined;
      if (r.ok === false) {
        if (r.key && !known.has(r.key)) invalid.add(r.key);
        this.listener({ type: 'invalid', key: r.key, error: r.error });
        return r.key;
      }
      invalid.delete(r.key);
      const rv = r.object.metadata.resourceVersion ?? '';
      if (known.get(r.key) === rv && rv !== '') return r.key;
      known.set(r.key, rv);
      this.listener({ type: 'upsert', key: r.key, object: r.object, kind: r.kind, origin: this.origin });
      return r.key;
    };
    const remove = (key: string) => {
      if (!known.delete(key) && !invalid.delete(key)) return;
      this.listener({ type: 'delete', key, kind, origin: this.origin });
    };
    const watcher = new ListWatcher(
      {
        api: this.opts.api,
        collection,
        fieldSelector,
        backoff: this.opts.backoff,
        watchTimeoutSeconds: this.opts.watchTimeoutSeconds,
      },
      {
        replace: (items) => {
          const seen = new Set<string>();
          for (const item of items) {
            const key = upsert(item) ?? rawKey(item);
            if (key) seen.add(key);
          }
          for (const key of [...known.keys(), ...invalid]) if (!seen.has(key)) remove(key);
        },
        event: (type, obj) => {
          if (type === 'DELETED') {
            const key = rawKey(obj);
            if (key) remove(key);
          } else upsert(obj);
        },
        error: (err, attempt) => {
          this.listener({ type: 'error', error: { message: `kubernetes ${collection.path}${fieldSelector ? `?fieldSelector=${fieldSelector}` : ''}: ${err.message} (retry ${attempt})`, origin: this.origin } });
        },
      },
    );
    return { watcher, known, kind };
  }
}
