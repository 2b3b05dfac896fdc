/**
 * envoy.config.route.v3.RetryPolicy. Envoy: every retry_on condition, the
 * per-try timeout, back-off and retriable status codes. Proxyless gRPC (gRFC
 * A44) honours only gRPC status conditions (cancelled, deadline-exceeded,
 * internal, resource-exhausted, unavailable), num_retries and back-off; no
 * per-try timeout. A per-try timeout without a retry is a policy with no
 * retries.
 */
import type { RetryModel } from '../src/model/types';
import { durationJson } from './duration';
import type { Json } from './types';

export const grpcRetryOn: ReadonlySet<string> = new Set(['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable']);

function backOff(r: RetryModel): Json {
  const b = r.backoff;
  if (!b || b.baseIntervalMs === undefined) return {};
  return { retry_back_off: { base_interval: durationJson(b.baseIntervalMs), ...(b.maxIntervalMs !== undefined ? { max_interval: durationJson(b.maxIntervalMs) } : {}) } };
}

export function retryPolicy(retry: RetryModel | undefined, perTryTimeoutMs: number | undefined): Json | undefined {
  if (!retry && perTryTimeoutMs === undefined) return undefined;
  return {
    retry_on: (retry?.retryOn ?? ['connect-failure']).join(','),
    num_retries: retry?.attempts ?? 0,
    ...(perTryTimeoutMs !== undefined && perTryTimeoutMs > 0 ? { per_try_timeout: durationJson(perTryTimeoutMs) } : {}),
    ...(retry ? backOff(retry) : {}),
    ...(retry?.retriableStatusCodes?.length ? { retriable_status_codes: [...retry.retriableStatusCodes] } : {}),
  };
}

/** The gRPC subset; undefined when no gRPC condition is left. */
export function grpcRetryPolicy(retry: RetryModel | undefined): Json | undefined {
  if (!retry) return undefined;
  const on = retry.retryOn.filter((c) => grpcRetryOn.has(c));
  if (on.length === 0 || retry.attempts === 0) return undefined;
  return { retry_on: on.join(','), num_retries: retry.attempts, ...backOff(retry) };
}
