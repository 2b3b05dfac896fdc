/**
 * envoy.extensions.transport_sockets.tls.v3.Secret builders: certificates of
 * kubernetes.io/tls Secrets (gateways), and the mesh identity Secrets every
 * sidecar and gateway receives when mTLS is in use ("default": the workload's
 * certificate and key; "ROOTCA": the mesh root it trusts; Istio's names).
 */
import type { TlsSecretModel } from '../src/model/types';
import type { Json } from './types';

export function tlsCertificateSecret(name: string, s: TlsSecretModel): Json {
  return {
    name,
    tls_certificate: { certificate_chain: { inline_bytes: s.certificateChain }, private_key: { inline_bytes: s.privateKey } },
  };
}

/** What `tower dump` and golden tests show instead of certificates: only a running Tower's mesh CA issues them. */
export const identityPlaceholder = '(issued by the Tower mesh CA at run time)';

/** The workload identity: certificate chain and key, PEM. */
export function identityCertificateSecret(name: string, certChainPem: string, privateKeyPem: string): Json {
  return { name, tls_certificate: { certificate_chain: { inline_string: certChainPem }, private_key: { inline_string: privateKeyPem } } };
}

/** The mesh root certificate, PEM, as a validation context. */
export function rootCaSecret(name: string, rootCertPem: string): Json {
  return { name, validation_context: { trusted_ca: { inline_string: rootCertPem } } };
}
