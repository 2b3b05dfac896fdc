/**
 * BackendPolicy fields of an outbound envoy.config.cluster.v3.Cluster, spread
 * over the EDS cluster: lb_policy (RING_HASH with ring_hash_lb_config, MAGLEV
 * with maglev_lb_config), circuit_breakers (default priority thresholds),
 * outlier_detection, connect_timeout, health_checks, HTTP/2 upstream.
 * Upstream TLS is the transport socket (cluster.ts, upstream-tls-context.ts).
 * Proxyless gRPC (A32 circuit breaking, A50 outlier detection, A42 ring hash)
 * takes only max_requests, outlier detection and RING_HASH (for Maglev too:
 * gRPC has no Maglev; both are consistent hashes on the same header) when the
 * hash is on a header; otherwise its lb_policy stays ROUND_ROBIN (grpc-js-xds
 * NACKs LEAST_REQUEST, RANDOM and MAGLEV). connect_timeout, health checks and
 * the protocol options do not apply.
 */
import type { BackendPolicyModel } from '../src/model/types';
import { http2ProtocolOptions } from './cluster';
import { durationJson } from './duration';
import { proxylessHashes } from './hash-policy';
import { healthChecks } from './health-check';
import type { Json } from './types';

const lbPolicies = { 'round-robin': 'ROUND_ROBIN', 'least-request': 'LEAST_REQUEST', random: 'RANDOM', 'ring-hash': 'RING_HASH', maglev: 'MAGLEV' } as const;

/** Ring bounds: Envoy's defaults made explicit (gRPC caps the ring at 4096 entries on its side). */
export const ringHashLbConfig = { minimum_ring_size: '1024', maximum_ring_size: '8388608' } as const;
/** Maglev lookup table size (prime): Envoy's default made explicit. */
export const maglevLbConfig = { table_size: '65537' } as const;

/** lb_policy and its config for a BackendPolicy's load balancer. */
export function lbFields(p: BackendPolicyModel, flavor: 'envoy' | 'proxyless'): Json {
  if (!p.lb) return {};
  if (flavor === 'proxyless') {
    const hashing = (p.lb === 'ring-hash' || p.lb === 'maglev') && proxylessHashes(p.hash);
    return hashing ? { lb_policy: 'RING_HASH', ring_hash_lb_config: { ...ringHashLbConfig, hash_function: 'XX_HASH' } } : {};
  }
  return {
    lb_policy: lbPolicies[p.lb],
    ...(p.lb === 'ring-hash' ? { ring_hash_lb_config: { ...ringHashLbConfig } } : {}),
    ...(p.lb === 'maglev' ? { maglev_lb_config: { ...maglevLbConfig } } : {}),
  };
}

export function outlierDetection(o: NonNullable<BackendPolicyModel['outlierDetection']>): Json {
  return {
    ...(o.consecutive5xx !== undefined ? { consecutive_5xx: o.consecutive5xx } : {}),
    ...(o.consecutiveGatewayErrors !== undefined ? { consecutive_gateway_failure: o.consecutiveGatewayErrors, enforcing_consecutive_gateway_failure: 100 } : {}),
    ...(o.intervalMs !== undefined ? { interval: durationJson(o.intervalMs) } : {}),
    ...(o.baseEjectionTimeMs !== undefined ? { base_ejection_time: durationJson(o.baseEjectionTimeMs) } : {}),
    ...(o.maxEjectionPercent !== undefined ? { max_ejection_percent: o.maxEjectionPercent } : {}),
  };
}

/**
 * `http2`: the cluster speaks HTTP/2 upstream (port protocol or the policy);
 * `host`: the Service hostname. Both for health checks.
 */
export function clusterPolicyFields(p: BackendPolicyModel | undefined, flavor: 'envoy' | 'proxyless', http2 = p?.http2 === true, host?: string): Json {
  if (!p) return {};
  const cb = p.circuitBreaker;
  if (flavor === 'proxyless') {
    return {
      ...lbFields(p, flavor),
      ...(cb?.maxRequests !== undefined ? { circuit_breakers: { thresholds: [{ priority: 'DEFAULT', max_requests: cb.maxRequests }] } } : {}),
      ...(p.outlierDetection ? { outlier_detection: outlierDetection(p.outlierDetection) } : {}),
    };
  }
  const threshold = cb
    ? {
        priority: 'DEFAULT',
        ...(cb.maxConnections !== undefined ? { max_connections: cb.maxConnections } : {}),
        ...(cb.maxPendingRequests !== undefined ? { max_pending_requests: cb.maxPendingRequests } : {}),
        ...(cb.maxRequests !== undefined ? { max_requests: cb.maxRequests } : {}),
        ...(cb.maxRetries !== undefined ? { max_retries: cb.maxRetries } : {}),
      }
    : undefined;
  return {
    ...(p.connectTimeoutMs !== undefined ? { connect_timeout: durationJson(p.connectTimeoutMs) } : {}),
    ...lbFields(p, flavor),
    ...(threshold ? { circuit_breakers: { thresholds: [threshold] } } : {}),
    ...(p.outlierDetection ? { outlier_detection: outlierDetection(p.outlierDetection) } : {}),
    ...(p.healthCheck ? { health_checks: healthChecks(p.healthCheck, http2, host) } : {}),
    ...(p.http2 === true ? { typed_extension_protocol_options: http2ProtocolOptions() } : {}),
  };
}
