/**
 * Cluster transport_socket envoy.transport_sockets.tls with an
 * UpstreamTlsContext for a BackendPolicy's tls: SNI (default the Service
 * hostname), server certificate verified against
 *   - the system bundle (wellKnownCACertificates: System) read from
 *     /etc/ssl/certs/ca-certificates.crt, as Envoy Gateway does, or
 *   - the CA bundle of the referenced Secrets, delivered by SDS on the ADS
 *     stream as a validation_context Secret named caSecretName(cluster)
 *     (combined_validation_context: SANs inline, trust by SDS),
 * and the subject alt names (default: the SNI as a DNS name). ALPN h2 when
 * the cluster speaks HTTP/2. Not for proxyless gRPC: grpc-js-xds accepts
 * upstream TLS only with certificate_provider instances from its bootstrap
 * (xDS credentials), which Tower's proxyless bootstrap does not configure.
 */
import type { BackendTlsModel } from '../src/model/types';
import { adsConfigSource, any } from './config-source';
import type { Json } from './types';

export const systemCaBundle = '/etc/ssl/certs/ca-certificates.crt';

/** Name of the SDS Secret holding the CA bundle a cluster trusts. */
export function caSecretName(clusterName: string): string {
  return `ca/${clusterName}`;
}

/** envoy.extensions.transport_sockets.tls.v3.Secret with a validation_context (the CA bundle, base64 PEM). */
export function caValidationSecret(name: string, caBundle: string): Json {
  return { name, validation_context: { trusted_ca: { inline_bytes: caBundle } } };
}

function sanMatchers(tls: BackendTlsModel, sni: string): Json[] {
  const sans = tls.subjectAltNames ?? [{ type: 'dns' as const, value: sni }];
  return sans.map((s) => ({ san_type: s.type === 'uri' ? 'URI' : 'DNS', matcher: { exact: s.value } }));
}

/**
 * The transport socket; `defaultSni` is the Service hostname. With CA refs
 * the caller also serves caValidationSecret(caSecretName(cluster)) when the
 * model resolved a bundle (tls.caBundle).
 */
export function upstreamTlsTransportSocket(tls: BackendTlsModel, defaultSni: string, clusterName: string, http2: boolean): Json {
  const sni = tls.sni ?? defaultSni;
  const sans = sanMatchers(tls, sni);
  const validation =
    tls.trust.kind === 'system'
      ? { validation_context: { trusted_ca: { filename: systemCaBundle }, match_typed_subject_alt_names: sans } }
      : {
          combined_validation_context: {
            default_validation_context: { match_typed_subject_alt_names: sans },
            validation_context_sds_secret_config: { name: caSecretName(clusterName), sds_config: adsConfigSource() },
          },
        };
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: any('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
      sni,
      common_tls_context: { ...validation, ...(http2 ? { alpn_protocols: ['h2'] } : {}) },
    }),
  };
}
