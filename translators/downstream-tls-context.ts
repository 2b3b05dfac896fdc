/** transport_socket with a DownstreamTlsContext whose certificates come by SDS over ADS. */
import { adsConfigSource, any } from './config-source';
import type { Json } from './types';

export function downstreamTlsTransportSocket(secretNames: readonly string[]): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: any('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      common_tls_context: {
        tls_certificate_sds_secret_configs: secretNames.map((name) => ({ name, sds_config: adsConfigSource() })),
        alpn_protocols: ['h2', 'http/1.1'],
      },
    }),
  };
}
