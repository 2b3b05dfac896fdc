/** Exponential backoff with jitter, and an abortable sleep. */
export interface BackoffOptions {
  /** First delay (default 250 ms). */
  initialMs?: number;
  /** Cap (default 30 s). */
  maxMs?: number;
  /** Random source in [0,1) (tests may pass a fixed one). */
  random?: () => number;
}

/** Delay before retry number `attempt` (1-based): base doubles per attempt, then 50-100% of it. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 30_000;
  const base = Math.min(max, initial * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(base * (0.5 + 0.5 * (opts.random ?? Math.random)()));
}

/** Resolves after ms, or at once when signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
