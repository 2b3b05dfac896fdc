/** transport_socket with a DownstreamTlsContext whose certificates come by SDS over ADS. */
import { adsConfigSource, any } from './config-source';
import { identitySecretName, meshValidationContext } from './mesh-mtls';
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

/**
 * Mesh mTLS on a sidecar's inbound filter chain: the workload's identity
 * (SDS "default"), a client certificate required and validated against the
 * mesh root (SDS "ROOTCA", meshValidationContext) with a URI SAN in the trust
 * domain. ALPN h2/http/1.1 only: callers offer "tower-mtls", which matches
 * neither, so no protocol is negotiated and the HCM detects HTTP/2 from the
 * connection preface (a negotiated "tower-mtls" would make it pick HTTP/1.1).
 */
export function meshDownstreamTlsTransportSocket(trustDomain: string): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: any('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      require_client_certificate: true,
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: identitySecretName, sds_config: adsConfigSource() }],
        ...meshValidationContext(trustDomain),
        alpn_protocols: ['h2', 'http/1.1'],
      },
    }),
  };
}
