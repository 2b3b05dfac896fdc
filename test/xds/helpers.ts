/** Shared assertions for the xDS protocol tests. */
import * as assert from 'node:assert/strict';

export function assertUnique(names: string[]): void {
  assert.equal(new Set(names).size, names.length, `duplicate names in a response: ${names.join(',')}`);
}

/** Polls `cond` every 10 ms until true or `ms` elapse (convergence with a bound, not a timing assertion). */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
