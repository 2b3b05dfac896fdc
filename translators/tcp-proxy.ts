/** envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy as a network filter. */
import { stdoutAccessLog } from './access-log';
import { any } from './config-source';
import type { Json } from './types';

export function tcpProxyFilter(statPrefix: string, cluster: string): Json {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: any('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: statPrefix, cluster, access_log: [stdoutAccessLog()] }),
  };
}
