/**
 * The one clock every bench process shares.
 *
 * process.hrtime.bigint() is libuv's uv_hrtime(), which on Linux reads
 * clock_gettime(CLOCK_MONOTONIC). CLOCK_MONOTONIC is one system-wide clock,
 * so readings taken in the parent, in Tower's process and in every simulated
 * Envoy worker are directly comparable (nanoseconds since boot), with no
 * wall-clock steps (NTP) and sub-microsecond resolution. Date.now() is
 * shared too but steps and has 1 ms resolution; performance.timeOrigin is
 * computed per process and can differ by a fraction of a millisecond.
 */

/** Shared monotonic clock in milliseconds (float), same origin in every process. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
