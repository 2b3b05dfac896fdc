/**
 * envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.
 * Routes come by RDS over ADS (or inline for the sidecar's inbound chains).
 * Observability on every Envoy HCM: JSON access log, request ids, tracing
 * when configured, stat_prefix naming the listener/service.
 */
import { adsConfigSource, any } from './config-source';
import { stdoutAccessLog } from './access-log';
import { routerFilter } from './http-filters';
import type { Json } from './types';

export const hcmTypeName = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export interface HcmOptions {
  readonly statPrefix: string;
  /** RDS route table name, or an inline RouteConfiguration. */
  readonly routes: { readonly rds: string } | { readonly inline: Json };
  /** Access logs and request ids (off for proxyless gRPC). */
  readonly observability: boolean;
  readonly tracing?: Json;
  /** Gateways: trust the client address, strip ":port" from Host before matching. */
  readonly edge?: boolean;
  /** HTTP filters before the router (fault, CORS, local rate limit) when routes configure them. */
  readonly httpFilters?: readonly Json[];
}

/** The HCM message itself (proto3 JSON with "@type"), for api_listener or a network filter's typed_config. */
export function httpConnectionManager(o: HcmOptions): Json {
  return any(hcmTypeName, {
    stat_prefix: o.statPrefix,
    ...('rds' in o.routes ? { rds: { config_source: adsConfigSource(), route_config_name: o.routes.rds } } : { route_config: o.routes.inline }),
    http_filters: [...(o.httpFilters ?? []), routerFilter()],
    ...(o.observability ? { access_log: [stdoutAccessLog()], generate_request_id: true } : {}),
    ...(o.tracing ? { tracing: o.tracing } : {}),
    ...(o.edge ? { use_remote_address: true, strip_any_host_port: true } : {}),
  });
}

/** The HCM as a listener network filter. */
export function hcmFilter(o: HcmOptions): Json {
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: httpConnectionManager(o) };
}
