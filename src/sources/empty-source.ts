/**
 * A source with no objects: `tower serve` with no --files, --kubeconfig or
 * --in-cluster serves an empty mesh (proxies connect and get an empty,
 * valid configuration), which is also what an embedder starts from.
 */
import type { Source, SourceListener } from './source';

export class EmptySource implements Source {
  readonly name = 'empty';

  async start(listener: SourceListener): Promise<void> {
    listener({ type: 'synced', source: this.name });
  }

  async stop(): Promise<void> {}
}
