/**
 * Debounce of view updates (compare Istio's pilot/pkg/xds debounce): after the
 * first change, wait until no change arrived for `quietMs` (or `endpointQuietMs`
 * when every merged change was endpoint-only), but never longer than
 * `maxWaitMs` since the first change. Changes arriving meanwhile are merged
 * into one push. Pushes are synchronous fan-outs, so exactly one is ever in flight.
 */
import type { Clock, TimerHandle } from './clock';

export interface DebounceOptions {
  quietMs: number;
  maxWaitMs: number;
  endpointQuietMs: number;
  clock: Clock;
  onFire: (info: { waitedMs: number; merged: number }) => void;
}

export class Debouncer {
  private firstAt = 0;
  private lastAt = 0;
  private merged = 0;
  private endpointsOnly = true;
  private timer: TimerHandle | undefined;
  private firing = false;
  private closed = false;

  constructor(private readonly opts: DebounceOptions) {}

  /** Records one change; `endpointsOnly` changes take the short quiet period. */
  trigger(endpointsOnly: boolean): void {
    if (this.closed) return;
    const now = this.opts.clock.now();
    if (this.merged === 0) { this.firstAt = now; this.endpointsOnly = true; }
    this.merged++;
    this.lastAt = now;
    this.endpointsOnly &&= endpointsOnly;
    this.schedule();
  }

  /** Fires now if anything is pending. */
  flush(): void {
    if (this.merged > 0) this.fire();
  }

  pending(): number { return this.merged; }

  close(): void {
    this.closed = true;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.merged = 0;
  }

  private dueAt(): number {
    const quiet = this.endpointsOnly ? this.opts.endpointQuietMs : this.opts.quietMs;
    return Math.min(this.lastAt + quiet, this.firstAt + this.opts.maxWaitMs);
  }

  private schedule(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.firing) return; // a change made during onFire is picked up right after it
    const wait = Math.max(0, this.dueAt() - this.opts.clock.now());
    this.timer = this.opts.clock.setTimeout(() => this.onTimer(), wait);
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.merged === 0) return;
    if (this.opts.clock.now() >= this.dueAt()) this.fire();
    else this.schedule();
  }

  private fire(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const info = { waitedMs: this.opts.clock.now() - this.firstAt, merged: this.merged };
    this.merged = 0;
    this.firing = true;
    try {
      this.opts.onFire(info);
    } finally {
      this.firing = false;
      if (this.merged > 0 && !this.closed) this.schedule();
    }
  }
}
