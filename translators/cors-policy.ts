/**
 * CORS: the envoy.filters.http.cors HTTP filter (empty config, inert until a
 * route carries a policy) and the per-route
 * envoy.extensions.filters.http.cors.v3.CorsPolicy for typed_per_filter_config.
 * Origins: "*" → any; "https://*.example.com" → RE2 for one or more labels.
 */
import type { CorsModel } from '../src/model/types';
import { any } from './config-source';
import type { Json } from './types';

export const corsFilterName = 'envoy.filters.http.cors';

export function corsFilter(): Json {
  return { name: corsFilterName, typed_config: any('envoy.extensions.filters.http.cors.v3.Cors') };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function originMatch(origin: string): Json {
  if (origin === '*') return { safe_regex: { regex: '.*' } };
  const m = /^(https?:\/\/)\*\.(.*)$/.exec(origin);
  if (m) return { safe_regex: { regex: `${escapeRe(m[1] as string)}[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.${escapeRe(m[2] as string)}` } };
  return { exact: origin };
}

export function corsPolicy(c: CorsModel): Json {
  return any('envoy.extensions.filters.http.cors.v3.CorsPolicy', {
    allow_origin_string_match: c.allowOrigins.map(originMatch),
    ...(c.allowMethods?.length ? { allow_methods: c.allowMethods.join(',') } : {}),
    ...(c.allowHeaders?.length ? { allow_headers: c.allowHeaders.join(',') } : {}),
    ...(c.exposeHeaders?.length ? { expose_headers: c.exposeHeaders.join(',') } : {}),
    ...(c.maxAgeSeconds !== undefined ? { max_age: String(c.maxAgeSeconds) } : {}),
    ...(c.allowCredentials !== undefined ? { allow_credentials: c.allowCredentials } : {}),
  });
}
