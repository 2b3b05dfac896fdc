/**
 * Gateway role. Without a named gateway (no TOWER_GATEWAY): one HTTP listener
 * on 8080 routing Host = service FQDN to the service's default HTTP port.
 * With TOWER_GATEWAY naming a Gateway in the model: its listeners, grouped by
 * port; HTTPS ports terminate TLS with SNI filter chains whose certificates
 * come by SDS. A named gateway missing from the model gets no listeners.
 */
import { TypeUrl } from '../../src/envoy/type-urls';
import type { ClientRole } from '../../src/model/roles';
import type { GatewayListenerModel, GatewayModel, MeshModel, RouteModel, SecurityPolicyModel, SourceRef } from '../../src/model/types';
import { downstreamTlsTransportSocket } from '../downstream-tls-context';
import { hcmFilter } from '../http-connection-manager';
import { listener, tlsInspector } from '../listener';
import { defaultHttpPort, secretName } from '../names';
import { outboundClusters, outboundLoadAssignments } from '../outbound';
import { httpFilterChain, routeConfiguration, routesForRules, virtualHost } from '../route-configuration';
import { tlsCertificateSecret } from '../secret';
import { jwksClusters, policyForGateway, securityHttpFilters } from '../security-filters';
import { openTelemetryTracing } from '../tracing';
import type { Json, ResourceSpec, RoleTranslator } from '../types';

type GatewayRole = Extract<ClientRole, { kind: 'gateway' }>;

export const defaultGatewayPort = 8080;

function hostMatches(listenerHost: string | undefined, host: string): boolean {
  if (!listenerHost) return true;
  if (listenerHost === host) return true;
  if (listenerHost.startsWith('*.')) return host.endsWith(listenerHost.slice(1)) && host.length > listenerHost.length - 1;
  return false;
}

/** Virtual hosts for the routes attached to a set of gateway listeners, one per host name. */
function virtualHostsFor(gw: GatewayModel, listeners: readonly GatewayListenerModel[], model: MeshModel): { vhosts: Json[]; sources: SourceRef[] } {
  const byHost = new Map<string, RouteModel[]>();
  const sources: SourceRef[] = [gw.source];
  for (const route of model.routes) {
    for (const l of listeners) {
      // sectionName names a tower.dev listener and the "<name>.<i>" listeners split from its extra hostnames
      const attached = route.parents.some((p) => p.kind === 'gateway' && p.gateway.namespace === gw.namespace && p.gateway.name === gw.name && (p.sectionName === undefined || p.sectionName === l.name || l.name.startsWith(`${p.sectionName}.`)));
      if (!attached) continue;
      const hosts = route.hostnames.length === 0 ? [l.hostname ?? '*'] : route.hostnames.filter((h) => hostMatches(l.hostname, h));
      for (const h of hosts) {
        let list = byHost.get(h);
        if (!list) byHost.set(h, (list = []));
        if (!list.includes(route)) list.push(route);
      }
      if (hosts.length > 0 && !sources.includes(route.source)) sources.push(route.source);
    }
  }
  const vhosts = [...byHost.keys()].sort().map((h) => virtualHost(h, [h], routesForRules((byHost.get(h) ?? []).flatMap((r) => r.rules), model)));
  return { vhosts, sources };
}

function statName(gw: { namespace: string; name: string } | undefined): string {
  return gw ? `gateway_${gw.namespace}_${gw.name}` : 'gateway_default';
}

function defaultGateway(model: MeshModel): ResourceSpec[] {
  const vhosts: Json[] = [];
  const sources: SourceRef[] = [];
  const routeByKey = new Map(model.routes.map((r) => [r.key, r]));
  for (const key of Object.keys(model.services).sort()) {
    const svc = model.services[key];
    const port = svc && defaultHttpPort(svc);
    if (!svc || !port) continue;
    const route = routeByKey.get(`default/${svc.namespace}/${svc.name}/${port.port}`);
    if (!route) continue;
    vhosts.push(virtualHost(svc.hostname, [svc.hostname], routesForRules(route.rules, model)));
    sources.push(svc.source);
  }
  const rds = `http.${defaultGatewayPort}`;
  const stat = statName(undefined);
  return [
    {
      typeUrl: TypeUrl.Listener,
      name: `0.0.0.0_${defaultGatewayPort}`,
      json: listener({
        name: `0.0.0.0_${defaultGatewayPort}`,
        address: '0.0.0.0',
        port: defaultGatewayPort,
        filterChains: [{ filters: [hcmFilter({ statPrefix: `${stat}_${defaultGatewayPort}`, routes: { rds }, observability: true, tracing: openTelemetryTracing(model, stat), edge: true })] }],
      }),
      sources: [],
    },
    { typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources },
  ];
}

function namedGateway(gw: GatewayModel, model: MeshModel): ResourceSpec[] {
  const out: ResourceSpec[] = [];
  const stat = statName(gw);
  const tracing = openTelemetryTracing(model, stat);
  const ports = [...new Set(gw.listeners.map((l) => l.port))].sort((a, b) => a - b);
  const secretsUsed = new Map<string, ResourceSpec>();
  const td = model.config.clusterDomain;
  const policiesUsed = new Set<SecurityPolicyModel>();
  const security = (ls: readonly GatewayListenerModel[]): Json[] => {
    const p = policyForGateway(model, gw, ls.map((l) => l.name));
    if (p) policiesUsed.add(p);
    return securityHttpFilters(p, td);
  };
  for (const port of ports) {
    const ls = gw.listeners.filter((l) => l.port === port);
    const name = `0.0.0.0_${port}`;
    if ((ls[0] as GatewayListenerModel).protocol === 'HTTP') {
      const rds = `http.${port}`;
      const { vhosts, sources } = virtualHostsFor(gw, ls, model);
      out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
      out.push({
        typeUrl: TypeUrl.Listener,
        name,
        json: listener({ name, address: '0.0.0.0', port, filterChains: [{ filters: [hcmFilter({ statPrefix: `${stat}_${port}`, routes: { rds }, observability: true, tracing, edge: true, httpFilters: httpFilterChain(security(ls), vhosts) })] }] }),
        sources: [gw.source],
      });
      continue;
    }
    const chains: Json[] = [];
    // More specific SNI first is not needed (Envoy picks the most specific server_names); keep model order.
    for (const l of ls) {
      const secrets = l.certificateRefs.filter((c) => model.secrets[`${c.namespace}/${c.name}`]);
      if (secrets.length === 0) continue; // validate() reports the missing secret
      for (const c of secrets) {
        const sname = secretName(c);
        const s = model.secrets[`${c.namespace}/${c.name}`];
        if (s && !secretsUsed.has(sname)) secretsUsed.set(sname, { typeUrl: TypeUrl.Secret, name: sname, json: tlsCertificateSecret(sname, s), sources: [s.source] });
      }
      const rds = `https.${port}.${l.name}`;
      const { vhosts, sources } = virtualHostsFor(gw, [l], model);
      out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
      chains.push({
        name: l.name,
        ...(l.hostname ? { filter_chain_match: { server_names: [l.hostname] } } : {}),
        filters: [hcmFilter({ statPrefix: `${stat}_${port}_${l.name}`, routes: { rds }, observability: true, tracing, edge: true, httpFilters: httpFilterChain(security([l]), vhosts) })],
        transport_socket: downstreamTlsTransportSocket(secrets.map(secretName)),
      });
    }
    if (chains.length === 0) continue;
    out.push({ typeUrl: TypeUrl.Listener, name, json: listener({ name, address: '0.0.0.0', port, listenerFilters: [tlsInspector()], filterChains: chains }), sources: [gw.source] });
  }
  return [...out, ...secretsUsed.values(), ...jwksClusters(policiesUsed)];
}

export const gatewayTranslator: RoleTranslator<GatewayRole> = {
  kind: 'gateway',
  shareKey: () => 'outbound',
  service: (svc) => outboundClusters(svc),
  endpoints: (svc, eps) => outboundLoadAssignments(svc, eps),
  mesh(model, role) {
    if (!role.gateway) return defaultGateway(model);
    const ref = role.gateway;
    const gw = model.gateways.find((g) => g.namespace === ref.namespace && g.name === ref.name);
    return gw ? namedGateway(gw, model) : [];
  },
};
