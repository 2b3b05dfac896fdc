/** envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy as a network filter. */
import { stdoutAccessLog } from './access-log';
import { any } from './config-source';
import type { Json } from './types';

/** `extra`: further TcpProxy fields, e.g. a hash_policy (translators/hash-policy.ts tcpProxyHashPolicy). */
export function tcpProxyFilter(statPrefix: string, cluster: string, extra: Json = {}): Json {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: any('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: statPrefix, cluster, ...extra, access_log: [stdoutAccessLog()] }),
  };
}
