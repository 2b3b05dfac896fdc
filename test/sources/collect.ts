/** Test helper: collects source events and waits for conditions on them. */
import type { SourceEvent } from '../../src/sources/source';

export class Collector {
  readonly events: SourceEvent[] = [];
  private waiters: (() => void)[] = [];

  readonly listener = (ev: SourceEvent): void => {
    this.events.push(ev);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  };

  /** Resolves when pred holds over events received since index `from`; rejects after timeoutMs (a failure, not a timing assertion). */
  async waitFor<T>(pred: (evs: SourceEvent[]) => T | undefined | false, what: string, from = 0, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = pred(this.events.slice(from));
      if (r) return r;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${this.events.slice(from).map(describe).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  mark(): number {
    return this.events.length;
  }
}

export function describe(e: SourceEvent): string {
  switch (e.type) {
    case 'upsert':
    case 'delete':
      return `${e.type} ${e.key}`;
    case 'invalid':
      return `invalid ${e.key ?? '?'}: ${e.error.message}`;
    case 'error':
      return `error: ${e.error.message}`;
    case 'synced':
      return `synced ${e.source}`;
  }
}
