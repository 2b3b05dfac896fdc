/**
 * BackendPolicy fields of an outbound envoy.config.cluster.v3.Cluster, spread
 * over the EDS cluster: lb_policy, circuit_breakers (default priority
 * thresholds), outlier_detection, connect_timeout, HTTP/2 upstream.
 * Proxyless gRPC (A32 circuit breaking, A50 outlier detection) takes only
 * max_requests and outlier detection; its lb_policy stays ROUND_ROBIN
 * (grpc-js-xds NACKs LEAST_REQUEST and RANDOM) and connect_timeout and the
 * protocol options do not apply.
 */
import type { BackendPolicyModel } from '../src/model/types';
import { http2ProtocolOptions } from './cluster';
import { durationJson } from './duration';
import type { Json } from './types';

const lbPolicies = { 'round-robin': 'ROUND_ROBIN', 'least-request': 'LEAST_REQUEST', random: 'RANDOM' } as const;

export function outlierDetection(o: NonNullable<BackendPolicyModel['outlierDetection']>): Json {
  return {
    ...(o.consecutive5xx !== undefined ? { consecutive_5xx: o.consecutive5xx } : {}),
    ...(o.consecutiveGatewayErrors !== undefined ? { consecutive_gateway_failure: o.consecutiveGatewayErrors, enforcing_consecutive_gateway_failure: 100 } : {}),
    ...(o.intervalMs !== undefined ? { interval: durationJson(o.intervalMs) } : {}),
    ...(o.baseEjectionTimeMs !== undefined ? { base_ejection_time: durationJson(o.baseEjectionTimeMs) } : {}),
    ...(o.maxEjectionPercent !== undefined ? { max_ejection_percent: o.maxEjectionPercent } : {}),
  };
}

export function clusterPolicyFields(p: BackendPolicyModel | undefined, flavor: 'envoy' | 'proxyless'): Json {
  if (!p) return {};
  const cb = p.circuitBreaker;
  if (flavor === 'proxyless') {
    return {
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
    ...(p.lb ? { lb_policy: lbPolicies[p.lb] } : {}),
    ...(threshold ? { circuit_breakers: { thresholds: [threshold] } } : {}),
    ...(p.outlierDetection ? { outlier_detection: outlierDetection(p.outlierDetection) } : {}),
    ...(p.http2 === true ? { typed_extension_protocol_options: http2ProtocolOptions() } : {}),
  };
}
