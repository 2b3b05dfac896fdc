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
import type { MeshModel, ServiceModel, ServicePortModel, SourceRef } from '../../src/model/types';
import { originalDstCluster } from '../cluster';
import { hcmFilter } from '../http-connection-manager';
import { listener } from '../listener';
import { defaultHttpPort, outboundClusterName, passthroughClusterName, serviceAliases } from '../names';
import { httpFiltersForRoutes, routeConfiguration, routesForRules, virtualHost } from '../route-configuration';
import { servicePortRoutes } from '../service-routes';
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
}

/** Virtual hosts from the model's default routes, for services ports selected by `pick`. */
function vhostsFor(model: MeshModel, role: SidecarRole, pick: (svc: ServiceModel) => { port: ServicePortModel; portless: boolean }[]): PortVhosts {
  const vhosts: Json[] = [];
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
      vhosts.push(virtualHost(`${svc.hostname}:${port.port}`, domains, routesForRules(policy ? policy.rules : route.rules, model)));
      sources.push(svc.source);
      for (const s of policy?.sources ?? []) if (!sources.includes(s)) sources.push(s);
    }
  }
  return { vhosts, sources };
}

export function transparentOutbound(model: MeshModel, role: SidecarRole): ResourceSpec[] {
  const out: ResourceSpec[] = [];
  const tracing = openTelemetryTracing(model, `sidecar_${role.namespace}`);
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
    const { vhosts, sources } = vhostsFor(model, role, (svc) => svc.ports.filter((p) => p.port === port && isHttpFamily(p.protocol)).map((p) => ({ port: p, portless: true })));
    out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
    const name = `0.0.0.0_${port}`;
    out.push({
      typeUrl: TypeUrl.Listener,
      name,
      json: listener({ name, address: '0.0.0.0', port, bindToPort: false, direction: 'OUTBOUND', filterChains: [{ filters: [hcmFilter({ statPrefix: `outbound_0.0.0.0_${port}`, routes: { rds }, observability: true, tracing, httpFilters: httpFiltersForRoutes(vhosts) })] }] }),
      sources: [],
    });
  }
  for (const { svc, port } of tcp) {
    const name = `${svc.clusterIP}_${port.port}`;
    const cluster = outboundClusterName(svc, port.port);
    out.push({
      typeUrl: TypeUrl.Listener,
      name,
      json: listener({ name, address: svc.clusterIP as string, port: port.port, bindToPort: false, direction: 'OUTBOUND', filterChains: [{ filters: [tcpProxyFilter(`outbound_${svc.name}.${svc.namespace}_${port.port}`, cluster)] }] }),
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
  return out;
}

export function explicitOutbound(model: MeshModel, role: SidecarRole): ResourceSpec[] {
  const tracing = openTelemetryTracing(model, `sidecar_${role.namespace}`);
  const { vhosts, sources } = vhostsFor(model, role, (svc) => {
    const def = defaultHttpPort(svc);
    return svc.ports.filter((p) => isHttpFamily(p.protocol)).map((p) => ({ port: p, portless: p === def }));
  });
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
        filterChains: [{ filters: [hcmFilter({ statPrefix: 'outbound_explicit', routes: { rds: explicitListenerName }, observability: true, tracing, httpFilters: httpFiltersForRoutes(vhosts) })] }],
      }),
      sources: [],
    },
  ];
}
