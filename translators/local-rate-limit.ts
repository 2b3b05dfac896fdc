/**
 * Local rate limiting: the envoy.filters.http.local_ratelimit HTTP filter
 * (no token bucket: it limits nothing by itself) and the per-route
 * LocalRateLimit with its token bucket (max_tokens = requests + burst,
 * refilled with `requests` tokens every unit), enabled and enforced for 100%.
 */
import type { LocalRateLimitModel } from '../src/model/types';
import { any } from './config-source';
import { durationJson, fractionalPercent } from './duration';
import type { Json } from './types';

export const localRateLimitFilterName = 'envoy.filters.http.local_ratelimit';
const rlType = 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const statPrefix = 'http_local_rate_limiter';

export function localRateLimitFilter(): Json {
  return { name: localRateLimitFilterName, typed_config: any(rlType, { stat_prefix: statPrefix }) };
}

export function localRateLimitPerRoute(r: LocalRateLimitModel): Json {
  const all = fractionalPercent(100);
  return any(rlType, {
    stat_prefix: statPrefix,
    token_bucket: { max_tokens: r.requests + r.burst, tokens_per_fill: r.requests, fill_interval: durationJson(r.fillIntervalMs) },
    filter_enabled: { runtime_key: 'local_rate_limit_enabled', default_value: all },
    filter_enforced: { runtime_key: 'local_rate_limit_enforced', default_value: all },
  });
}
