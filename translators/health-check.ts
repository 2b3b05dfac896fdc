/**
 * envoy.config.core.v3.HealthCheck list for Cluster.health_checks (active
 * health checking from a BackendPolicy): HTTP (path, host, method, expected
 * statuses) or gRPC (grpc.health.v1, optional service name and authority).
 * Envoy only: proxyless gRPC clients ignore health_checks (they rely on
 * connectivity and outlier detection), so proxyless clusters leave it out.
 */
import type { HealthCheckModel } from '../src/model/types';
import { durationJson } from './duration';
import type { Json } from './types';

/** Expected statuses as half-open Int64Range [start, end), adjacent codes merged. */
export function statusRanges(codes: readonly number[]): Json[] {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const out: { start: number; end: number }[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === c) last.end = c + 1;
    else out.push({ start: c, end: c + 1 });
  }
  return out.map((r) => ({ start: String(r.start), end: String(r.end) }));
}

/**
 * `http2`: the cluster speaks HTTP/2 upstream, so HTTP checks do too.
 * `defaultHost`: Host / :authority when the policy sets none (the Service
 * hostname; Envoy would otherwise send the cluster name, "outbound|80||…").
 */
export function healthChecks(h: HealthCheckModel, http2 = false, defaultHost?: string): Json[] {
  const common = {
    timeout: durationJson(h.timeoutMs),
    interval: durationJson(h.intervalMs),
    healthy_threshold: h.healthyThreshold,
    unhealthy_threshold: h.unhealthyThreshold,
  };
  if (h.grpc) {
    const authority = h.grpc.authority ?? defaultHost;
    return [{ ...common, grpc_health_check: { ...(h.grpc.service !== undefined ? { service_name: h.grpc.service } : {}), ...(authority !== undefined ? { authority } : {}) } }];
  }
  const http = h.http ?? { path: '/' };
  const host = http.host ?? defaultHost;
  return [
    {
      ...common,
      http_health_check: {
        path: http.path,
        ...(host !== undefined ? { host } : {}),
        ...(http.method !== undefined && http.method !== 'GET' ? { method: http.method } : {}),
        ...(http.expectedStatuses !== undefined ? { expected_statuses: statusRanges(http.expectedStatuses) } : {}),
        ...(http2 ? { codec_client_type: 'HTTP2' } : {}),
      },
    },
  ];
}
