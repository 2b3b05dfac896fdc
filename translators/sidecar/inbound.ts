/**
 * Sidecar inbound (transparent mode only): virtualInbound on 15006 receives
 * what iptables redirects; filter chains match the original destination port
 * (a target port of a service selecting this workload) and forward to
 * inbound|<targetPort>|| = 127.0.0.1:<targetPort>. Other ports pass through
 * to the original destination, bound to 127.0.0.6 so iptables does not loop.
 *
 * Mesh mTLS (translators/mesh-mtls.ts), by the mode of the Services selecting
 * the workload on that port (the strictest wins when several do):
 *   strict      one chain per port requiring a client certificate from the
 *               mesh root (plaintext fails the handshake; no chain falls
 *               through to the passthrough chain for that port);
 *   permissive  tls_inspector tells them apart: a chain for TLS offering ALPN
 *               "tower-mtls" (mTLS), and a plaintext chain for the rest;
 *   disabled    plaintext.
 */
import { TypeUrl } from '../../src/envoy/type-urls';
import { isHttpFamily } from '../../src/model/protocol';
import type { MeshModel, MtlsMode, PortProtocol, SecurityPolicyModel, ServiceModel, SourceRef } from '../../src/model/types';
import { originalDstCluster, staticCluster } from '../cluster';
import { hcmFilter } from '../http-connection-manager';
import { meshDownstreamTlsTransportSocket } from '../downstream-tls-context';
import { listener, originalDstFilter, tlsInspector } from '../listener';
import { meshMtlsAlpn, serviceMtlsMode } from '../mesh-mtls';
import { inboundClusterName, inboundPassthroughClusterName } from '../names';
import { clusterRoute, routeConfiguration, virtualHost } from '../route-configuration';
import { jwksClusters, policyForServicePorts, securityHttpFilters } from '../security-filters';
import { tcpProxyFilter } from '../tcp-proxy';
import { openTelemetryTracing } from '../tracing';
import type { Json, ResourceSpec } from '../types';
import type { SidecarRole } from './outbound';

export const inboundPort = 15006;
export const inboundPassthroughBindAddress = '127.0.0.6';

/** Services in the sidecar's namespace whose selector matches its labels. */
export function servicesSelecting(model: MeshModel, role: SidecarRole): ServiceModel[] {
  const out: ServiceModel[] = [];
  for (const key of Object.keys(model.services).sort()) {
    const svc = model.services[key] as ServiceModel;
    if (svc.namespace !== role.namespace || !svc.selector) continue;
    const sel = Object.entries(svc.selector);
    if (sel.length > 0 && sel.every(([k, v]) => role.labels[k] === v)) out.push(svc);
  }
  return out;
}

/** Target port number: numeric targetPort, or a named one resolved from this workload's endpoint (else any endpoint). */
function resolveTargetPort(model: MeshModel, svc: ServiceModel, portName: string, target: number | string, ips: readonly string[]): number | undefined {
  if (typeof target === 'number') return target;
  const eps = model.endpoints[`${svc.namespace}/${svc.name}`]?.byPort[portName] ?? [];
  return (eps.find((e) => ips.includes(e.address)) ?? eps[0])?.port;
}

export function inboundReadsEndpointsOf(model: MeshModel, role: SidecarRole): Set<string> {
  return new Set(servicesSelecting(model, role).filter((s) => s.ports.some((p) => typeof p.targetPort === 'string')).map((s) => `${s.namespace}/${s.name}`));
}

export function transparentInbound(model: MeshModel, role: SidecarRole): ResourceSpec[] {
  type Target = { svc: ServiceModel; protocol: PortProtocol; sources: SourceRef[]; ports: { namespace: string; name: string; portName: string }[]; mtls: MtlsMode };
  const rank: Record<MtlsMode, number> = { disabled: 0, permissive: 1, strict: 2 };
  const byTarget = new Map<number, Target>();
  for (const svc of servicesSelecting(model, role)) {
    for (const p of svc.ports) {
      const target = resolveTargetPort(model, svc, p.name, p.targetPort, role.instanceIps);
      if (target === undefined) continue;
      const prev = byTarget.get(target);
      const port = { namespace: svc.namespace, name: svc.name, portName: p.name };
      const mtls = serviceMtlsMode(svc);
      if (prev) {
        prev.sources.push(svc.source);
        prev.ports.push(port);
        if (rank[mtls] > rank[prev.mtls]) prev.mtls = mtls;
      } else byTarget.set(target, { svc, protocol: p.protocol, sources: [svc.source], ports: [port], mtls });
    }
  }
  const out: ResourceSpec[] = [];
  const chains: Json[] = [];
  const policiesUsed = new Set<SecurityPolicyModel>();
  const mtlsSocket = () => meshDownstreamTlsTransportSocket(model.config.clusterDomain);
  let inspectTls = false;
  for (const target of [...byTarget.keys()].sort((a, b) => a - b)) {
    const { svc, protocol, sources, ports, mtls } = byTarget.get(target) as Target;
    // SecurityPolicies with Service targets apply here, on the called workload's side.
    const policy = isHttpFamily(protocol) ? policyForServicePorts(model, ports) : undefined;
    if (policy) policiesUsed.add(policy);
    const cluster = inboundClusterName(target);
    out.push({ typeUrl: TypeUrl.Cluster, name: cluster, json: staticCluster(cluster, '127.0.0.1', target, protocol), sources });
    const stat = `inbound_${svc.name}.${svc.namespace}_${target}`;
    const filter = isHttpFamily(protocol)
      ? hcmFilter({
          statPrefix: stat,
          routes: { inline: routeConfiguration(`inbound|${target}`, [virtualHost(`inbound|${target}`, ['*'], [clusterRoute(cluster)])]) },
          observability: true,
          tracing: openTelemetryTracing(model, `${svc.name}.${svc.namespace}`),
          ...(policy ? { httpFilters: securityHttpFilters(policy, model.config.clusterDomain) } : {}),
        })
      : tcpProxyFilter(stat, cluster);
    if (mtls === 'strict') chains.push({ name: `inbound|${target}`, filter_chain_match: { destination_port: target }, filters: [filter], transport_socket: mtlsSocket() });
    else if (mtls === 'permissive') {
      inspectTls = true;
      chains.push({
        name: `inbound|${target}|mtls`,
        filter_chain_match: { destination_port: target, transport_protocol: 'tls', application_protocols: [meshMtlsAlpn] },
        filters: [filter],
        transport_socket: mtlsSocket(),
      });
      // a copy, so dumps show it in full rather than as a YAML alias
      chains.push({ name: `inbound|${target}`, filter_chain_match: { destination_port: target }, filters: [structuredClone(filter)] });
    } else chains.push({ name: `inbound|${target}`, filter_chain_match: { destination_port: target }, filters: [filter] });
  }
  chains.push({ name: 'inbound-passthrough', filters: [tcpProxyFilter('InboundPassthroughCluster', inboundPassthroughClusterName)] });
  out.push({
    typeUrl: TypeUrl.Cluster,
    name: inboundPassthroughClusterName,
    json: originalDstCluster(inboundPassthroughClusterName, inboundPassthroughBindAddress),
    sources: [],
  });
  out.push(...jwksClusters(policiesUsed));
  out.push({
    typeUrl: TypeUrl.Listener,
    name: 'virtualInbound',
    json: listener({ name: 'virtualInbound', address: '0.0.0.0', port: inboundPort, direction: 'INBOUND', listenerFilters: inspectTls ? [originalDstFilter(), tlsInspector()] : [originalDstFilter()], filterChains: chains }),
    sources: [...[...byTarget.values()].flatMap((v) => v.sources), ...[...policiesUsed].map((p) => p.source)],
  });
  return out;
}
