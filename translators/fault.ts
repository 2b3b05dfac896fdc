/**
 * Fault injection: the envoy.filters.http.fault HTTP filter (empty HTTPFault,
 * inert until a route overrides it) and the per-route HTTPFault with a fixed
 * delay and/or an abort (HTTP or gRPC status), each with a percentage.
 * Proxyless gRPC implements the same filter (gRFC A33).
 */
import type { FaultModel } from '../src/model/types';
import { any } from './config-source';
import { durationJson, fractionalPercent } from './duration';
import type { Json } from './types';

export const faultFilterName = 'envoy.filters.http.fault';
const faultType = 'envoy.extensions.filters.http.fault.v3.HTTPFault';

export function faultFilter(): Json {
  return { name: faultFilterName, typed_config: any(faultType) };
}

export function faultPerRoute(f: FaultModel): Json {
  return any(faultType, {
    ...(f.delay ? { delay: { fixed_delay: durationJson(f.delay.fixedDelayMs), percentage: fractionalPercent(f.delay.percent) } } : {}),
    ...(f.abort
      ? {
          abort: {
            ...(f.abort.grpcStatus !== undefined ? { grpc_status: f.abort.grpcStatus } : { http_status: f.abort.httpStatus ?? 500 }),
            percentage: fractionalPercent(f.abort.percent),
          },
        }
      : {}),
  });
}
