/**
 * Resource naming scheme (documented in docs/model.md):
 *   outbound cluster / CLA   outbound|<port>||<svc>.<ns>.svc.<domain>
 *   inbound cluster          inbound|<targetPort>||
 *   sidecar listeners        virtualOutbound, virtualInbound, 0.0.0.0_<port>, <clusterIP>_<port>, explicit_outbound
 *   sidecar route tables     <port> (transparent), explicit_outbound (explicit)
 *   gateway                  listener 0.0.0.0_<port>; routes http.<port>, https.<port>.<listener>
 *   proxyless                listener = target ("<fqdn>:<port>", "<svc>.<ns>:<port>", …); route table <fqdn>:<port>
 *   secrets                  <namespace>/<name>
 */
import type { ServiceModel, ServicePortModel } from '../src/model/types';
import { isHttpFamily } from '../src/model/protocol';

export function outboundClusterName(svc: Pick<ServiceModel, 'hostname'>, port: number): string {
  return `outbound|${port}||${svc.hostname}`;
}

export function inboundClusterName(targetPort: number): string {
  return `inbound|${targetPort}||`;
}

export const passthroughClusterName = 'PassthroughCluster';
export const inboundPassthroughClusterName = 'InboundPassthroughCluster';

export function secretName(ref: { namespace: string; name: string }): string {
  return `${ref.namespace}/${ref.name}`;
}

/** The port a portless Host ("api.shop") means: 80 if HTTP, else the first HTTP-family port. */
export function defaultHttpPort(svc: ServiceModel): ServicePortModel | undefined {
  const http = svc.ports.filter((p) => isHttpFamily(p.protocol));
  return http.find((p) => p.port === 80) ?? http[0];
}

/**
 * Host names a client in `clientNamespace` may use for a service:
 * fqdn, svc.ns.svc, svc.ns, and svc alone when in the same namespace.
 */
export function serviceAliases(svc: ServiceModel, clientNamespace: string | undefined): string[] {
  const names = [svc.hostname, `${svc.name}.${svc.namespace}.svc`, `${svc.name}.${svc.namespace}`];
  if (clientNamespace === svc.namespace) names.push(svc.name);
  return names;
}
