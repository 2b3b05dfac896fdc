/**
 * Gateway role. Without a named gateway (no TOWER_GATEWAY): one HTTP listener
 * on 8080 routing Host = service FQDN to the service's default HTTP port.
 * With TOWER_GATEWAY naming a Gateway in the model: its listeners, grouped by
 * port; HTTPS ports terminate TLS with SNI filter chains whose certificates
 * come by SDS. A named gateway missing from the model gets no listeners.
 * Routes attach to listeners as the Gateway API says (sectionName, port,
 * allowedRoutes, host name intersection: src/model/gateway-api.ts), one
 * virtual host per intersected host name. The implicit gateway serves only
 * the services' default routes (RoutePolicies never attach to it).
 */
import { TypeUrl } from '../../src/envoy/type-urls';
import { parentAttachment } from '../../src/model/gateway-api';
import type { ClientRole } from '../../src/model/roles';
import type { GatewayListenerModel, GatewayModel, MeshModel, RouteModel, SecurityPolicyModel, SourceRef } from '../../src/model/types';
import { downstreamTlsTransportSocket } from '../downstream-tls-context';
import { hcmFilter } from '../http-connection-manager';
import { listener, tlsInspector } from '../listener';
import { defaultHttpPort, secretName } from '../names';
import { meshIdentitySecrets } from '../mesh-mtls';
import { outboundClusters, outboundLoadAssignments } from '../outbound';
import { httpFilterChain, routeConfiguration, routesForRules, virtualHost } from '../route-configuration';
import { tlsCertificateSecret } from '../secret';
import { hcmSecurity, jwksClusters, policyForGateway, type HcmSecurity } from '../security-filters';
import { openTelemetryTracing } from '../tracing';
import type { Json, ResourceSpec, RoleTranslator } from '../types';

type GatewayRole = Extract<ClientRole, { kind: 'gateway' }>;

export const defaultGatewayPort = 8080;

/** Routes attached to a set of gateway listeners, by host name. */
function routesByHost(gw: GatewayModel, listeners: readonly GatewayListenerModel[], model: MeshModel): { byHost: Map<string, RouteModel[]>; sources: SourceRef[] } {
  const byHost = new Map<string, RouteModel[]>();
  const sources: SourceRef[] = [gw.source];
  for (const route of model.routes) {
    for (const p of route.parents) {
      if (p.kind !== 'gateway' || p.gateway.namespace !== gw.namespace || p.gateway.name !== gw.name) continue;
      // sectionName, port, allowedRoutes and host name intersection (src/model/gateway-api.ts)
      for (const a of parentAttachment(route, p, gw).attached) {
        if (!listeners.includes(a.listener)) continue;
        for (const h of a.hosts) {
          let list = byHost.get(h);
          if (!list) byHost.set(h, (list = []));
          if (!list.includes(route)) list.push(route);
        }
        if (!sources.includes(route.source)) sources.push(route.source);
      }
    }
  }
  return { byHost, sources };
}

/**
 * The virtual hosts (one per host name) and security filters of one HCM
 * serving these listeners: the Gateway-level SecurityPolicy, replaced on the
 * routes of RoutePolicies that have their own (translators/security-filters.ts).
 */
function hcmFor(gw: GatewayModel, listeners: readonly GatewayListenerModel[], model: MeshModel): { vhosts: Json[]; sources: SourceRef[]; security: HcmSecurity } {
  const { byHost, sources } = routesByHost(gw, listeners, model);
  const hosts = [...byHost.keys()].sort();
  const rulesOf = (h: string) => (byHost.get(h) ?? []).flatMap((r) => r.rules);
  const security = hcmSecurity(policyForGateway(model, gw, listeners.map((l) => l.name)), hosts.flatMap(rulesOf), model);
  const vhosts = hosts.map((h) => virtualHost(h, [h], routesForRules(rulesOf(h), model, 'envoy', security.perRoute)));
  for (const p of security.policies) if (!sources.includes(p.source)) sources.push(p.source);
  return { vhosts, sources, security };
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
  const policiesUsed = new Set<SecurityPolicyModel>();
  const security = (s: HcmSecurity): Json[] => {
    for (const p of s.policies) policiesUsed.add(p);
    return s.filters;
  };
  for (const port of ports) {
    const ls = gw.listeners.filter((l) => l.port === port);
    const name = `0.0.0.0_${port}`;
    if ((ls[0] as GatewayListenerModel).protocol === 'HTTP') {
      const rds = `http.${port}`;
      const hcm = hcmFor(gw, ls, model);
      const { vhosts, sources } = hcm;
      out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
      out.push({
        typeUrl: TypeUrl.Listener,
        name,
        json: listener({ name, address: '0.0.0.0', port, filterChains: [{ filters: [hcmFilter({ statPrefix: `${stat}_${port}`, routes: { rds }, observability: true, tracing, edge: true, httpFilters: httpFilterChain(security(hcm.security), vhosts) })] }] }),
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
      const hcm = hcmFor(gw, [l], model);
      const { vhosts, sources } = hcm;
      out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
      chains.push({
        name: l.name,
        ...(l.hostname ? { filter_chain_match: { server_names: [l.hostname] } } : {}),
        filters: [hcmFilter({ statPrefix: `${stat}_${port}_${l.name}`, routes: { rds }, observability: true, tracing, edge: true, httpFilters: httpFilterChain(security(hcm.security), vhosts) })],
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
    // mesh mTLS: the identity Secrets its outbound clusters to meshed Services use (translators/mesh-mtls.ts)
    if (!role.gateway) return [...defaultGateway(model), ...meshIdentitySecrets(model, role)];
    const ref = role.gateway;
    const gw = model.gateways.find((g) => g.namespace === ref.namespace && g.name === ref.name);
    return [...(gw ? namedGateway(gw, model) : []), ...meshIdentitySecrets(model, role)];
  },
};
