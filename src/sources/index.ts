/** Sources and their wiring to the store. */
import type { Store } from '../store/store';
import type { Source } from './source';

export * from './source';
export * from './kinds';
export { parseObject, describeOrigin, formatPath } from './validate';
export { FileSource, type FileSourceOptions } from './files/file-source';
export { KubernetesSource, type KubernetesSourceOptions } from './kubernetes/kubernetes-source';
export { ListWatcher, type ListWatchOptions, type ListWatchHandlers } from './kubernetes/list-watcher';
export { LeaderElector, type LeaderElectorOptions } from './kubernetes/lease';
export { StatusWriter, type Condition, type StatusTarget, type WriteResult } from './kubernetes/status-writer';

/**
 * Starts every source feeding the store, and keeps each source's set of
 * watched Secrets equal to the store's referenced set. Returns a stop function.
 */
export async function connectSources(store: Store, sources: readonly Source[]): Promise<() => Promise<void>> {
  store.onReferencedSecretsChange((keys) => {
    for (const s of sources) s.setReferencedSecrets?.(keys);
  });
  const started: Source[] = [];
  try {
    for (const s of sources) {
      await s.start(store.apply);
      started.push(s);
      s.setReferencedSecrets?.(store.referencedSecrets());
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  return async () => {
    await Promise.all(sources.map((s) => s.stop()));
  };
}
