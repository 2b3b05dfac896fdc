/**
 * Mesh mTLS (docs/mtls.md), the way Istio names it: every sidecar and
 * gateway gets two SDS Secrets on its ADS stream, "default" (its workload
 * identity spiffe://<trustDomain>/ns/<ns>/sa/<sa>) and "ROOTCA" (the mesh
 * root); outbound clusters to Services whose mode is permissive or strict
 * originate mTLS with them (ALPN "tower-mtls", peer URI SAN in the trust
 * domain); sidecars' inbound chains require it (strict) or accept both
 * (permissive, told apart by tls_inspector). The trust domain is the
 * cluster domain, as in translators/rbac.ts.
 *
 * Pure: certificates are read from model.config.mtls.identities (the mesh
 * CA's store, filled before a view is translated); without one (tower dump,
 * golden tests) the Secrets carry a placeholder.
 */
import { TypeUrl } from '../src/envoy/type-urls';
import type { ClientRole } from '../src/model/roles';
import type { MeshModel, MtlsMode, ServiceModel, ServicePortModel } from '../src/model/types';
import { adsConfigSource, any } from './config-source';
import { identityCertificateSecret, identityPlaceholder, rootCaSecret } from './secret';
import type { Json, ResourceSpec } from './types';

export const identitySecretName = 'default';
export const rootCaSecretName = 'ROOTCA';
/** ALPN callers offer; permissive inbound chains match it to tell mesh mTLS from an application's own TLS. */
export const meshMtlsAlpn = 'tower-mtls';

export function serviceMtlsMode(svc: Pick<ServiceModel, 'mtls'>): MtlsMode {
  return svc.mtls ?? 'disabled';
}

/** Trust domain of a Service: the cluster domain, taken from its hostname (<name>.<ns>.svc.<domain>). */
function trustDomainOf(svc: Pick<ServiceModel, 'name' | 'namespace' | 'hostname'>): string {
  const prefix = `${svc.name}.${svc.namespace}.svc.`;
  return svc.hostname.startsWith(prefix) ? svc.hostname.slice(prefix.length) : 'cluster.local';
}

/** Whether any Service is meshed with mTLS (then every sidecar and gateway view needs the identity Secrets). */
export function meshUsesMtls(model: MeshModel): boolean {
  for (const svc of Object.values(model.services)) if (serviceMtlsMode(svc) !== 'disabled') return true;
  return false;
}

/** The identity a client presents: sidecars' NAMESPACE / SERVICE_ACCOUNT (default "default"); gateways: their Gateway's namespace and name. */
export function identityOf(role: ClientRole): { namespace: string; serviceAccount: string } | undefined {
  switch (role.kind) {
    case 'sidecar':
      return { namespace: role.namespace, serviceAccount: role.serviceAccount ?? 'default' };
    case 'gateway':
      return role.gateway ? { namespace: role.gateway.namespace, serviceAccount: role.gateway.name } : { namespace: 'default', serviceAccount: 'tower-gateway' };
    case 'proxyless':
      return undefined;
  }
}

/** The "default" and "ROOTCA" Secrets of a sidecar or gateway view, when some Service uses mTLS. */
export function meshIdentitySecrets(model: MeshModel, role: ClientRole): ResourceSpec[] {
  const id = identityOf(role);
  if (!id || !meshUsesMtls(model)) return [];
  const store = model.config.mtls?.identities;
  const issued = store?.identity(id.namespace, id.serviceAccount);
  return [
    {
      typeUrl: TypeUrl.Secret,
      name: identitySecretName,
      json: identityCertificateSecret(identitySecretName, issued?.certChainPem ?? identityPlaceholder, issued?.privateKeyPem ?? identityPlaceholder),
      sources: [],
    },
    { typeUrl: TypeUrl.Secret, name: rootCaSecretName, json: rootCaSecret(rootCaSecretName, store?.rootCertPem ?? identityPlaceholder), sources: [] },
  ];
}

/** Validation against the mesh root with a URI SAN in the trust domain. */
export function meshValidationContext(trustDomain: string): Json {
  return {
    combined_validation_context: {
      default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: `spiffe://${trustDomain}/` } }] },
      validation_context_sds_secret_config: { name: rootCaSecretName, sds_config: adsConfigSource() },
    },
  };
}

/**
 * transport_socket of an outbound Envoy cluster to a meshed Service port
 * (mode permissive or strict), or undefined (plaintext). Called by
 * cluster.ts only when no BackendPolicy TLS applies. Proxyless clusters stay
 * plaintext (docs/mtls.md: what proxyless mTLS would need).
 */
export function meshUpstreamTlsSocket(svc: ServiceModel, _port: ServicePortModel, flavor: 'envoy' | 'proxyless'): Json | undefined {
  if (flavor !== 'envoy' || serviceMtlsMode(svc) === 'disabled') return undefined;
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: any('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
      sni: svc.hostname,
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: identitySecretName, sds_config: adsConfigSource() }],
        ...meshValidationContext(trustDomainOf(svc)),
        alpn_protocols: [meshMtlsAlpn],
      },
    }),
  };
}
