/**
 * Watches a set of directories (non-recursive fs.watch on each, since Node 20
 * has no recursive watch on Linux) and calls onChange, debounced. The owner
 * re-scans on change and passes the directories it found to setDirs().
 */
import { watch, type FSWatcher } from 'node:fs';

export class DirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onChange: () => void,
    private readonly debounceMs: number,
    private readonly onError: (dir: string, err: Error) => void,
  ) {}

  setDirs(dirs: Iterable<string>): void {
    if (this.closed) return;
    const want = new Set(dirs);
    for (const [d, w] of this.watchers) {
      if (!want.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of want) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, { persistent: true }, () => this.changed());
        w.on('error', (err) => {
          // The directory went away (or became unreadable): drop it and re-scan.
          w.close();
          this.watchers.delete(d);
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EPERM') this.onError(d, err);
          this.changed();
        });
        this.watchers.set(d, w);
      } catch (e) {
        // Removed between scan and watch: the next scan will not list it.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(d, e as Error);
        this.changed();
      }
    }
  }

  /** Directories currently watched (for tests and debug pages). */
  dirs(): string[] {
    return [...this.watchers.keys()].sort();
  }

  changed(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange();
    }, this.debounceMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
