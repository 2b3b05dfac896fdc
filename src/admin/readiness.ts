/**
 * Readiness: not ready until the first configuration snapshot has been
 * handed to the xDS server; the reason says what Tower is waiting for.
 */
export class Readiness {
  private readyAt: Date | undefined;
  private reason = 'starting';
  private readonly listeners = new Set<() => void>();

  /** Records what Tower is waiting for (ignored once ready). */
  waitingFor(reason: string): void {
    if (!this.readyAt) this.reason = reason;
  }

  markReady(): void {
    if (this.readyAt) return;
    this.readyAt = new Date();
    this.reason = 'first configuration snapshot served';
    for (const l of this.listeners) l();
    this.listeners.clear();
  }

  get ready(): boolean {
    return this.readyAt !== undefined;
  }

  /** Calls fn once, when (or if already) ready. */
  onReady(fn: () => void): void {
    if (this.readyAt) fn();
    else this.listeners.add(fn);
  }

  status(): { ready: boolean; reason: string; since?: string } {
    return this.readyAt ? { ready: true, reason: this.reason, since: this.readyAt.toISOString() } : { ready: false, reason: this.reason };
  }
}
