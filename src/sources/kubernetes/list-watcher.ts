/**
 * List-then-watch for one collection, with the guarantees Tower relies on:
 *  - the watch starts at the list's resourceVersion and every event (and
 *    BOOKMARK) advances it, so a reconnect resumes exactly where the last
 *    stream stopped: nothing made during the gap is lost;
 *  - 410 Gone (an ERROR event with code 410, or HTTP 410) re-lists; the
 *    owner receives the full list and deletes what vanished during the gap;
 *  - failures reconnect with exponential backoff and jitter; a watch the
 *    server ends at once with nothing delivered counts as a failure, so a
 *    misbehaving server cannot cause a busy loop.
 */
import type { Collection, KubeApi } from '../../k8s/kube-api';
import { describeKubeError, httpStatusOf } from '../../k8s/kube-errors';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';

export interface ListWatchHandlers {
  /** The complete current collection after a (re)list; items carry apiVersion and kind. */
  replace(items: Record<string, unknown>[]): void;
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Record<string, unknown>): void;
  /** A failure that will be retried; attempt counts consecutive failures. */
  error(err: Error, attempt: number): void;
}

export interface ListWatchOptions {
  api: KubeApi;
  /** From api.collection(kind, namespace): the typed list call and the watch path. */
  collection: Collection;
  labelSelector?: string;
  fieldSelector?: string;
  backoff?: BackoffOptions;
  /** Server-side watch timeout; default a random 5-10 minutes, like client-go. */
  watchTimeoutSeconds?: number;
}
export interface ListWatchStats {
  lists: number;
  watches: number;
  gone: number;
  failures: number;
}

export class ListWatcher {
  private readonly stopCtl = new AbortController();
  private rv = '';
  private loop: Promise<void> | undefined;
  private syncedResolve!: () => void;
  /** Resolves after the first successful list has been delivered. */
  readonly synced = new Promise<void>((r) => (this.syncedResolve = r));
  readonly stats: ListWatchStats = { lists: 0, watches: 0, gone: 0, failures: 0 };

  constructor(
    private readonly opts: ListWatchOptions,
    private readonly handlers: ListWatchHandlers,
  ) {}

  get resourceVersion(): string {
    return this.rv;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopCtl.abort();
    await this.loop;
  }

  private selectors(): Record<string, string | undefined> {
    return { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  private async run(): Promise<void> {
    const stop = this.stopCtl.signal;
    let needList = true;
    let attempt = 0;
    while (!stop.aborted) {
      try {
        if (needList) {
          await this.list(stop);
          needList = false;
        }
        const r = await this.watchOnce(stop);
        if (stop.aborted) break;
        if (r.gone) {
          this.stats.gone++;
          needList = true;
          // A server that keeps answering 410 to a fresh list's version is backed off too.
          if (r.delivered === 0) attempt++;
          else attempt = 0;
          if (attempt > 1) await sleep(backoffDelay(attempt - 1, this.opts.backoff), stop);
          continue;
        }
        if (r.delivered > 0 || r.durationMs >= 1000) attempt = 0;
        else {
          attempt++;
          await sleep(backoffDelay(attempt, this.opts.backoff), stop);
        }
      } catch (e) {
        if (stop.aborted) break;
        if (httpStatusOf(e) === 410) {
          this.stats.gone++;
          needList = true;
          attempt++;
          if (attempt > 1) await sleep(backoffDelay(attempt - 1, this.opts.backoff), stop);
          continue;
        }
        attempt++;
        this.stats.failures++;
        if (needList && httpStatusOf(e) === 404) {
          // The API server does not serve this kind (e.g. Tower's CRDs are not
          // installed yet): count it as synced and empty so the rest of the
          // mesh is served, say so, and keep retrying with backoff.
          this.handlers.error(new Error(`${this.opts.collection.kind} (${this.opts.collection.path}) is not served by the API server (404): treated as empty until it is; is its CRD installed?`), attempt);
          this.handlers.replace([]);
          this.syncedResolve();
        } else {
          this.handlers.error(new Error(describeKubeError(e)), attempt);
        }
        await sleep(backoffDelay(attempt, this.opts.backoff), stop);
      }
    }
  }

  private async list(stop: AbortSignal): Promise<void> {
    const list = await this.opts.collection.list(this.selectors(), stop);
    this.stats.lists++;
    this.rv = list.resourceVersion;
    this.handlers.replace(list.items);
    this.syncedResolve();
  }

  /**
   * One watch through client-node's Watch, from the tracked resourceVersion.
   * Resolves when the stream ends (server timeout, dropped connection, our
   * stop, an ERROR event); rejects on an HTTP error answer.
   */
  private watchOnce(stop: AbortSignal): Promise<{ gone: boolean; delivered: number; durationMs: number }> {
    const { collection } = this.opts;
    const started = Date.now();
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    // A half-open connection delivers nothing and never ends: client-node's inactivity timeout ends it a little
    // after the server should have, and the next watch resumes from the tracked version.
    const watch = this.opts.api.newWatch((timeoutSeconds + 30) * 1000);
    this.stats.watches++;
    let delivered = 0;
    let gone = false;
    return new Promise((resolve, reject) => {
      let ctl: AbortController | undefined;
      let finished = false;
      const finish = (err?: Error) => {
        if (finished) return;
        finished = true;
        stop.removeEventListener('abort', onStop);
        ctl?.abort();
        if (err) reject(err);
        else resolve({ gone, delivered, durationMs: Date.now() - started });
      };
      const onStop = () => finish();
      stop.addEventListener('abort', onStop);
      const onEvent = (type: string, obj: Record<string, unknown> | undefined) => {
        if (finished) return;
        const o = obj ?? {};
        if (type === 'ERROR') {
          const code = (o as { code?: number }).code;
          if (code === 410) {
            gone = true;
            finish();
          } else finish(new Error(`watch ${collection.path}: ERROR event: ${(o as { message?: string }).message ?? JSON.stringify(o)}`));
          return;
        }
        delivered++;
        const rv = (o.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
        if (rv) this.rv = rv;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.handlers.event(type, { ...o, apiVersion: collection.apiVersion, kind: collection.kind });
        }
        // BOOKMARK: only the resourceVersion moves.
      };
      // client-node calls done with an error before watch() returns when there was no 200 answer (connection
      // refused, HTTP error status); afterwards an error means the stream ended (dropped connection, its
      // inactivity timeout), and the next watch resumes from the tracked version.
      let streaming = false;
      const onDone = (err: unknown) => {
        if (!err || stop.aborted || streaming) return finish();
        const status = httpStatusOf(err);
        if (status === 410) {
          gone = true;
          return finish();
        }
        const e = new Error(`watch ${collection.path}: ${describeKubeError(err)}`);
        if (status !== undefined) (e as Error & { statusCode?: number }).statusCode = status;
        finish(e);
      };
      const query: Record<string, string | number | boolean | undefined> = {
        ...this.selectors(),
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds,
      };
      watch.watch(collection.path, query, onEvent, onDone).then(
        (c) => {
          ctl = c;
          streaming = true;
          if (finished) c.abort();
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }
}
