/**
 * The one explicit list of translators: role builders by role kind, and the
 * message builders they are made of. No import side effects: nothing
 * registers itself.
 */
import type { ClientRole } from '../src/model/roles';
import type { MeshModel } from '../src/model/types';
import { stdoutAccessLog } from './access-log';
import { edsCluster, originalDstCluster, outboundClusterSpecs, staticCluster } from './cluster';
import { clusterPolicyFields, lbFields, outlierDetection } from './cluster-policy';
import { hashPolicy, portHashPolicy, routeHashPolicy, tcpProxyHashPolicy } from './hash-policy';
import { healthChecks } from './health-check';
import { caValidationSecret, upstreamTlsTransportSocket } from './upstream-tls-context';
import { clusterLoadAssignment } from './cluster-load-assignment';
import { downstreamTlsTransportSocket } from './downstream-tls-context';
import { gatewayTranslator } from './gateway/gateway';
import { hcmFilter, httpConnectionManager } from './http-connection-manager';
import { routerFilter } from './http-filters';
import { apiListener, listener, originalDstFilter, tlsInspector } from './listener';
import { proxylessTranslator } from './proxyless/proxyless';
import { corsFilter, corsPolicy } from './cors-policy';
import { faultFilter, faultPerRoute } from './fault';
import { headerMutation } from './header-mutation';
import { jwksCluster, jwtAuthnFilter, jwtProvider } from './jwt-authn';
import { rbacFilters, rbacPermission, rbacPrincipal } from './rbac';
import { localRateLimitFilter, localRateLimitPerRoute } from './local-rate-limit';
import { redirectAction, ruleAction } from './route-action';
import { httpFiltersForRoutes, routeConfiguration, routesForRules, virtualHost } from './route-configuration';
import { routeMatch } from './route-match';
import { grpcRetryPolicy, retryPolicy } from './retry-policy';
import { clusterSpecifier } from './weighted-clusters';
import { tlsCertificateSecret } from './secret';
import { sidecarTranslator } from './sidecar/sidecar';
import { tcpProxyFilter } from './tcp-proxy';
import { openTelemetryTracing } from './tracing';
import type { ResourceSpec, RoleTranslator } from './types';

/** Message builders, named after the Envoy message they return. */
export const messageBuilders = {
  'envoy.config.cluster.v3.Cluster': { edsCluster, staticCluster, originalDstCluster, outboundClusterSpecs, clusterPolicyFields, lbFields, jwksCluster },
  'envoy.config.core.v3.HealthCheck': { healthChecks },
  'envoy.config.route.v3.RouteAction.HashPolicy': { hashPolicy, routeHashPolicy, portHashPolicy },
  'envoy.type.v3.HashPolicy': { tcpProxyHashPolicy },
  'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext': { upstreamTlsTransportSocket },
  'envoy.config.cluster.v3.OutlierDetection': { outlierDetection },
  'envoy.config.endpoint.v3.ClusterLoadAssignment': { clusterLoadAssignment },
  'envoy.config.listener.v3.Listener': { listener, apiListener, tlsInspector, originalDstFilter },
  'envoy.config.route.v3.RouteConfiguration': { routeConfiguration, virtualHost, routesForRules },
  'envoy.config.route.v3.Route': { ruleAction, redirectAction, headerMutation },
  'envoy.config.route.v3.RouteMatch': { routeMatch },
  'envoy.config.route.v3.RouteAction': { clusterSpecifier },
  'envoy.config.route.v3.RetryPolicy': { retryPolicy, grpcRetryPolicy },
  'envoy.extensions.filters.http.fault.v3.HTTPFault': { faultFilter, faultPerRoute },
  'envoy.extensions.filters.http.cors.v3.CorsPolicy': { corsFilter, corsPolicy },
  'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit': { localRateLimitFilter, localRateLimitPerRoute },
  'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication': { jwtAuthnFilter, jwtProvider },
  'envoy.extensions.filters.http.rbac.v3.RBAC': { rbacFilters, rbacPermission, rbacPrincipal },
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter': { httpFiltersForRoutes },
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager': { httpConnectionManager, hcmFilter },
  'envoy.extensions.filters.http.router.v3.Router': { routerFilter },
  'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy': { tcpProxyFilter },
  'envoy.config.accesslog.v3.AccessLog': { stdoutAccessLog },
  'envoy.config.trace.v3.OpenTelemetryConfig': { openTelemetryTracing },
  'envoy.extensions.transport_sockets.tls.v3.Secret': { tlsCertificateSecret, caValidationSecret },
  'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext': { downstreamTlsTransportSocket },
} as const;

/** Role builders. */
export const roleTranslators = {
  gateway: gatewayTranslator,
  sidecar: sidecarTranslator,
  proxyless: proxylessTranslator,
} as const;

/** The role builder for a client role (the one place that branches on role). */
export function translatorFor(role: ClientRole): RoleTranslator {
  switch (role.kind) {
    case 'gateway':
      return roleTranslators.gateway as RoleTranslator;
    case 'sidecar':
      return roleTranslators.sidecar as RoleTranslator;
    case 'proxyless':
      return roleTranslators.proxyless as RoleTranslator;
  }
}

/** Every resource a client of `role` receives, uncompiled, in a stable order. */
export function translate(model: MeshModel, role: ClientRole): ResourceSpec[] {
  const t = translatorFor(role);
  const out: ResourceSpec[] = [];
  for (const key of Object.keys(model.services).sort()) {
    const svc = model.services[key];
    if (!svc) continue;
    out.push(...t.service(svc, role, model), ...t.endpoints(svc, model.endpoints[key], role, model));
  }
  out.push(...t.mesh(model, role));
  return out;
}
