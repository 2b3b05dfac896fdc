/**
 * Proxyless gRPC (gRFC A27). Per service port: an EDS cluster, a route table
 * "<fqdn>:<port>" whose virtual host lists every target form, and one
 * Listener per target form a channel may use, each an api_listener HCM with
 * RDS over ADS and the router as its only (last) filter:
 *   <svc>.<ns>.svc.<domain>:<port>, <svc>.<ns>.svc:<port>, <svc>.<ns>:<port>,
 *   and <svc>:<port> when the client declared NAMESPACE equal to <ns>.
 * Proxyless clients get no access logs (gRPC has none); tracing is theirs.
 */
import { TypeUrl } from '../../src/envoy/type-urls';
import type { ClientRole } from '../../src/model/roles';
import type { MeshModel, ServiceModel } from '../../src/model/types';
import { httpConnectionManager } from '../http-connection-manager';
import { apiListener } from '../listener';
import { outboundClusterName, serviceAliases } from '../names';
import { outboundClusters, outboundLoadAssignments } from '../outbound';
import { clusterRoute, httpFiltersForRoutes, routeConfiguration, routesForRules, virtualHost } from '../route-configuration';
import { servicePortRoutes } from '../service-routes';
import { portHashPolicy } from '../hash-policy';
import type { Json, ResourceSpec, RoleTranslator } from '../types';

type ProxylessRole = Extract<ClientRole, { kind: 'proxyless' }>;

export function proxylessTargets(svc: ServiceModel, port: number, namespace: string | undefined): string[] {
  return serviceAliases(svc, namespace).map((a) => `${a}:${port}`);
}

function listenersAndRoutes(svc: ServiceModel, role: ProxylessRole, model: MeshModel): ResourceSpec[] {
  const out: ResourceSpec[] = [];
  for (const p of svc.ports) {
    const targets = proxylessTargets(svc, p.port, role.namespace);
    const rds = `${svc.hostname}:${p.port}`;
    // RoutePolicies attached to the Service (GAMMA) replace the catch-all route
    const policy = servicePortRoutes(model, svc, p.port);
    const catchAll = clusterRoute(outboundClusterName(svc, p.port), '');
    const hash = portHashPolicy(model, { namespace: svc.namespace, name: svc.name, port: p.port }, 'proxyless');
    const routes = policy ? routesForRules(policy.rules, model, 'proxyless') : [{ ...catchAll, route: { ...(catchAll.route as Json), ...hash } }];
    const vhosts = [virtualHost(rds, targets, routes)];
    const sources = [svc.source, ...(policy?.sources ?? [])];
    out.push({ typeUrl: TypeUrl.RouteConfiguration, name: rds, json: routeConfiguration(rds, vhosts), sources });
    const httpFilters = httpFiltersForRoutes(vhosts);
    for (const t of targets) {
      out.push({
        typeUrl: TypeUrl.Listener,
        name: t,
        json: apiListener(t, httpConnectionManager({ statPrefix: t, routes: { rds }, observability: false, ...(httpFilters.length > 0 ? { httpFilters } : {}) })),
        sources: [svc.source],
      });
    }
  }
  return out;
}

export const proxylessTranslator: RoleTranslator<ProxylessRole> = {
  kind: 'proxyless',
  shareKey: (role, part) => (part === 'endpoints' ? 'outbound' : `proxyless|${role.namespace ?? ''}`),
  service: (svc, role, model) => [...outboundClusters(svc, 'proxyless'), ...listenersAndRoutes(svc, role, model)],
  endpoints: (svc, eps) => outboundLoadAssignments(svc, eps),
  mesh: () => [],
};
