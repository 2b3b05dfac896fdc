/** envoy.config.accesslog.v3.AccessLog: JSON lines on stdout. */
import { any } from './config-source';
import type { Json } from './types';

export const accessLogFields: Readonly<Record<string, string>> = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  status: '%RESPONSE_CODE%',
  grpc_status: '%GRPC_STATUS%',
  response_flags: '%RESPONSE_FLAGS%',
  duration_ms: '%DURATION%',
  upstream_service_time_ms: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  request_id: '%REQ(X-REQUEST-ID)%',
  authority: '%REQ(:AUTHORITY)%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  upstream_host: '%UPSTREAM_HOST%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  route_name: '%ROUTE_NAME%',
};

export function stdoutAccessLog(): Json {
  return {
    name: 'envoy.access_loggers.stdout',
    typed_config: any('envoy.extensions.access_loggers.stream.v3.StdoutAccessLog', { log_format: { json_format: { ...accessLogFields } } }),
  };
}
