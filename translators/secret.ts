/** envoy.extensions.transport_sockets.tls.v3.Secret from a kubernetes.io/tls Secret. */
import type { TlsSecretModel } from '../src/model/types';
import type { Json } from './types';

export function tlsCertificateSecret(name: string, s: TlsSecretModel): Json {
  return {
    name,
    tls_certificate: { certificate_chain: { inline_bytes: s.certificateChain }, private_key: { inline_bytes: s.privateKey } },
  };
}
