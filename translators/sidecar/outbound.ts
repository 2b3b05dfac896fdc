/**
 * Sidecar outbound. Transparent: a virtual listener on 15001 (use_original_dst)
 * hands each connection to the listener for its original destination:
 * 0.0.0.0_<port> (bind_to_port false) for HTTP ports, routing by Host with
 * route table "<port>"; <clusterIP>_<port> with tcp_proxy for TCP ports;
 * anything else passes through unchanged. Explicit: one HTTP listener on
 * 127.0.0.1:15001 routing by Host (clients use it as their HTTP proxy).
 */
import { TypeUrl } from '../../src/envoy/type-urls';
import { isHttpFamily } from '../../src/model/protocol';
import type { ClientRole } from '../../src/model/roles';
import type { MeshModel, RouteRuleModel, SecurityPolicyModel, ServiceModel, ServicePortModel, SourceRef } from '../../src/model/types';
import { originalDstCluster } from '../cluster';
import { hcmFilter } from '../http-connection-manager';
import { listener } from '../listener';
import { defaultHttpPort, outboundClusterName, passthroughClusterName, serviceAliases } from '../names';
import { httpFilterChain, routeConfiguration, routesForRules, virtualHost } from '../route-configuration';
import { hcmSecurity, jwksClusters, policyForServicePorts } from '../security-filters';
import { servicesSelecting } from './inbound';
import { servicePortRoutes } from '../service-routes';
import { tcpProxyHashPolicy } from '../hash-policy';
import { tcpProxyFilter } from '../tcp-proxy';
import { openTelemetryTracing } from '../tracing';
import type { Json, ResourceSpec } from '../types';

export type SidecarRole = Extract<ClientRole, { kind: 'sidecar' }>;

export const outboundPort = 15001;
export const explicitListenerName = 'explicit_outbound';

/** Domains for a service port: aliases with ":port", portless aliases when `portless`, and ClusterIP forms. */
export function domainsFor(svc: ServiceModel, port: ServicePortModel, namespace: string, portless: boolean): string[] {
  const aliases = serviceAliases(svc, namespace);
  const out = aliases.map((a) => `${a}:${port.port}`);
  if (portless) out.unshift(...aliases);
  if (svc.clusterIP) {
    const ip = svc.clusterIP.includes(':') ? `[${svc.clusterIP}]` : svc.clusterIP;
    out.push(`${ip}:${port.port}`);
    if (portless) out.push(ip);
  }
  return out;
}

interface PortVhosts {
  vhosts: Json[];
  sources: SourceRef[];
  /** Security filters of route-level SecurityPolicies (RoutePolicy targets) on these routes; the caller is this sidecar's workload. */
  httpFilters: Json[];
  policies: readonly SecurityPolicyModel[];
}

/**
 * Virtual hosts from the model's default routes (or the Service's
 * RoutePolicies), for services ports selected by `pick`. SecurityPolicies
 * targeting those RoutePolicies apply per route, here on the caller's side.
 */
function vhostsFor(model: MeshModel, role: SidecarRole, pick: (svc: ServiceModel) => { port: ServicePortModel; portless: boolean }[]): PortVhosts {
  const entries: { name: string; domains: string[]; rules: readonly RouteRuleModel[] }[] = [];
  const sources: SourceRef[] = [];
  const used = new Set<string>();
  const routeByKey = new Map(model.routes.map((r) => [r.key, r]));
  for (const key of Object.keys(model.services).sort()) {
    const svc = model.services[key] as ServiceModel;
    for (const { port, portless } of pick(svc)) {
      const route = routeByKey.get(`default/${svc.namespace}/${svc.name}/${port.port}`);
      if (!route) continue;
      // RoutePolicies attached to the Service (GAMMA) replace its default route
      const policy = servicePortRoutes(model, svc, port.port);
      const all = domainsFor(svc, port, role.namespace, portless);
      const domains: string[] = [];
      for (const d of all) if (!used.has(d)) domains.push(d);
      if (domains.length === 0) continue;
      for (const d of domains) used.add(d);
      entries.push({ name: `${svc.hostname}:${port.port}`, domains, rules: policy ? policy.rules : route.rules });
      sources.push(svc.source);
      for (const s of policy?.sources ?? []) if (!sources.includes(s)) sources.push(s);
    }
  }
  const caller = { namespace: role.namespace, ...(role.serviceAccount ? { serviceAccount: role.serviceAccount } : {}) };
  const security = hcmSecurity(undefined, entries.flatMap((e) => e.rules), model, caller);
  const vhosts = entries.map((e) => virtualHost(e.name, e.domains, routesForRules(e.rules, model, 'envoy', security.perRoute)));
  for (const p of security.policies) if (!sources.includes(p.source)) sources.push(p.source);
  return { vhosts, sources, httpFilters: security.filters, policies: security.policies };
}

/** HTTP filters of an outbound HCM: route filters around the security filters, as on gateways. */
function outboundHttpFilters(v: PortVhosts): Json[] {
  return httpFilterChain(v.httpFilters, v.vhosts);
}

export function transparentOutbound(model: MeshModel, role: SidecarRole): ResourceSpec[] {
  const out: ResourceSpec[] = [];
  const tracing = openTelemetryTracing(model, `sidecar_${role.namespace}`);
  const policiesUsed = new Set<SecurityPolicyModel>();
  const httpPorts = new Set<number>();
  const tcp: { svc: ServiceModel; port: ServicePortModel }[] = [];
  for (const key of Object.keys(model.services).sort()) {
    const svc = model.services[key] as ServiceModel;
    for (const p of svc.ports) {
      if (isHttpFamily(p.protocol)) httpPorts.add(p.port);
      else if (svc.clusterIP) tcp.push({ svc, port: p });
    }
  }
  for (const port of [...httpPorts].sort((a, b) => a - b)) {
    const rds = String(port);
    const pv = vhostsFor(model, role, (svc) => svc.ports.filter((p) => p.port === port && isHttpFamily(p.protocol)).map((p) => ({ port: p, portless: true })));
    const { vhosts, sources } = pv;
    for (const p of pv.policies) policiesUsed.add(p);
    out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
    const name = `0.0.0.0_${port}`;
    out.push({
      typeUrl: TypeUrl.Listener,
      name,
      json: listener({ name, address: '0.0.0.0', port, bindToPort: false, direction: 'OUTBOUND', filterChains: [{ filters: [hcmFilter({ statPrefix: `outbound_0.0.0.0_${port}`, routes: { rds }, observability: true, tracing, httpFilters: outboundHttpFilters(pv) })] }] }),
      sources: [],
    });
  }
  for (const { svc, port } of tcp) {
    const name = `${svc.clusterIP}_${port.port}`;
    const cluster = outboundClusterName(svc, port.port);
    out.push({
      typeUrl: TypeUrl.Listener,
      name,
      json: listener({ name, address: svc.clusterIP as string, port: port.port, bindToPort: false, direction: 'OUTBOUND', filterChains: [{ filters: [tcpProxyFilter(`outbound_${svc.name}.${svc.namespace}_${port.port}`, cluster, tcpProxyHashPolicy(model, { namespace: svc.namespace, name: svc.name, port: port.port }))] }] }),
      sources: [svc.source],
    });
  }
  out.push({
    typeUrl: TypeUrl.Listener,
    name: 'virtualOutbound',
    json: listener({
      name: 'virtualOutbound',
      address: '0.0.0.0',
      port: outboundPort,
      useOriginalDst: true,
      direction: 'OUTBOUND',
      filterChains: [{ name: 'virtualOutbound-catchall-tcp', filters: [tcpProxyFilter('PassthroughCluster', passthroughClusterName)] }],
    }),
    sources: [],
  });
  out.push({ typeUrl: TypeUrl.Cluster, name: passthroughClusterName, json: originalDstCluster(passthroughClusterName), sources: [] });
  // virtualInbound emits the JWKS clusters of the Service-level policies on this workload: never send a name twice
  const inbound = new Set(jwksClusters(inboundPolicies(model, role)).map((c) => c.name));
  out.push(...jwksClusters(policiesUsed).filter((c) => !inbound.has(c.name)));
  return out;
}

/** Service-level policies the inbound side of this workload applies (as transparentInbound finds them, per HTTP port). */
function inboundPolicies(model: MeshModel, role: SidecarRole): SecurityPolicyModel[] {
  if (!model.securityPolicies) return [];
  const out = new Set<SecurityPolicyModel>();
  for (const svc of servicesSelecting(model, role)) {
    for (const p of svc.ports) {
      if (!isHttpFamily(p.protocol)) continue;
      const policy = policyForServicePorts(model, [{ namespace: svc.namespace, name: svc.name, portName: p.name }]);
      if (policy) out.add(policy);
    }
  }
  return [...out];
}

export function explicitOutbound(model: MeshModel, role: SidecarRole): ResourceSpec[] {
  const tracing = openTelemetryTracing(model, `sidecar_${role.namespace}`);
  const pv = vhostsFor(model, role, (svc) => {
    const def = defaultHttpPort(svc);
    return svc.ports.filter((p) => isHttpFamily(p.protocol)).map((p) => ({ port: p, portless: p === def }));
  });
  const { vhosts, sources } = pv;
  return [
    { typeUrl: TypeUrl.RouteConfiguration, name: explicitListenerName, json: routeConfiguration(explicitListenerName, vhosts), sources },
    {
      typeUrl: TypeUrl.Listener,
      name: explicitListenerName,
      json: listener({
        name: explicitListenerName,
        address: '127.0.0.1',
        port: outboundPort,
        direction: 'OUTBOUND',
        filterChains: [{ filters: [hcmFilter({ statPrefix: 'outbound_explicit', routes: { rds: explicitListenerName }, observability: true, tracing, httpFilters: outboundHttpFilters(pv) })] }],
      }),
      sources: [],
    },
    ...jwksClusters(pv.policies),
  ];
}
