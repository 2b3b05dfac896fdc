/**
 * What a route does for one model rule, spread into an
 * envoy.config.route.v3.Route beside its match:
 *   redirect (RequestRedirect) | direct_response 500 (no backend left) |
 *   route (cluster or weighted_clusters, timeout, retry_policy, prefix/regex
 *   rewrite, host_rewrite_literal, request_mirror_policies)
 * plus header mutations and typed_per_filter_config (fault, CORS, local rate
 * limit). Backends (and mirrors) naming a missing Service or port are
 * dropped; validate() reports them.
 *
 * Proxyless gRPC (gRFC A28/A31/A33/A44) accepts only route actions with a
 * cluster specifier, max_stream_duration as the timeout, gRPC retry
 * conditions, header hash policies (A42) and the fault filter: redirects, rules without backends,
 * rewrites, mirrors, header mutations, CORS and rate limits are left out.
 */
import type { MeshModel, RouteRuleModel } from '../src/model/types';
import { corsFilterName, corsPolicy } from './cors-policy';
import { durationJson, fractionalPercent } from './duration';
import { faultFilterName, faultPerRoute } from './fault';
import { routeHashPolicy } from './hash-policy';
import { headerMutation } from './header-mutation';
import { localRateLimitFilterName, localRateLimitPerRoute } from './local-rate-limit';
import { outboundClusterName } from './names';
import { grpcRetryPolicy, retryPolicy } from './retry-policy';
import type { Json } from './types';
import { clusterSpecifier, type WeightedCluster } from './weighted-clusters';

export type RouteFlavor = 'envoy' | 'proxyless';

const redirectCodes: Readonly<Record<number, string>> = { 301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT' };

/** The cluster of a backend if its Service and port exist. */
function clusterOf(b: { namespace: string; name: string; port: number }, model: MeshModel): string | undefined {
  const svc = model.services[`${b.namespace}/${b.name}`];
  return svc && svc.ports.some((p) => p.port === b.port) ? outboundClusterName(svc, b.port) : undefined;
}

export function liveClusters(rule: RouteRuleModel, model: MeshModel): WeightedCluster[] {
  const out: WeightedCluster[] = [];
  for (const b of rule.backends) {
    const name = b.weight > 0 ? clusterOf(b, model) : undefined;
    if (name) out.push({ name, weight: b.weight });
  }
  return out;
}

export function redirectAction(r: NonNullable<NonNullable<RouteRuleModel['filters']>['redirect']>): Json {
  return {
    redirect: {
      ...(r.scheme ? { scheme_redirect: r.scheme } : {}),
      ...(r.hostname ? { host_redirect: r.hostname } : {}),
      ...(r.port ? { port_redirect: r.port } : {}),
      ...(r.path ? (r.path.type === 'full' ? { path_redirect: r.path.value } : { prefix_rewrite: r.path.value }) : {}),
      response_code: redirectCodes[r.statusCode] ?? 'FOUND',
    },
  };
}

function perFilterConfig(rule: RouteRuleModel, flavor: RouteFlavor): Json {
  const f = rule.filters;
  const cfg: Json = {};
  if (f?.fault) cfg[faultFilterName] = faultPerRoute(f.fault);
  if (flavor === 'envoy' && f?.cors) cfg[corsFilterName] = corsPolicy(f.cors);
  if (flavor === 'envoy' && f?.rateLimit) cfg[localRateLimitFilterName] = localRateLimitPerRoute(f.rateLimit);
  return Object.keys(cfg).length > 0 ? { typed_per_filter_config: cfg } : {};
}

function envoyRouteAction(rule: RouteRuleModel, clusters: readonly WeightedCluster[], model: MeshModel): Json {
  const f = rule.filters;
  const retry = retryPolicy(rule.retry, rule.perTryTimeoutMs);
  const rw = f?.rewrite;
  const mirrors = (f?.mirrors ?? []).flatMap((m) => {
    const cluster = clusterOf(m.backend, model);
    return cluster ? [{ cluster, runtime_fraction: { default_value: fractionalPercent(m.percent) } }] : [];
  });
  return {
    ...clusterSpecifier(clusters),
    ...(rule.timeoutMs !== undefined ? { timeout: durationJson(rule.timeoutMs) } : {}),
    ...(retry ? { retry_policy: retry } : {}),
    ...(rw?.path ? (rw.path.type === 'prefix' ? { prefix_rewrite: rw.path.value } : { regex_rewrite: { pattern: { regex: '^.*$' }, substitution: rw.path.value } }) : {}),
    ...(rw?.hostname ? { host_rewrite_literal: rw.hostname } : {}),
    ...(mirrors.length > 0 ? { request_mirror_policies: mirrors } : {}),
    ...routeHashPolicy(rule, model, 'envoy'),
  };
}

function proxylessRouteAction(rule: RouteRuleModel, clusters: readonly WeightedCluster[], model: MeshModel): Json {
  const retry = grpcRetryPolicy(rule.retry);
  return {
    ...clusterSpecifier(clusters),
    ...(rule.timeoutMs ? { max_stream_duration: { max_stream_duration: durationJson(rule.timeoutMs) } } : {}),
    ...(retry ? { retry_policy: retry } : {}),
    ...routeHashPolicy(rule, model, 'proxyless'),
  };
}

/** The Route fields (all but match) for a rule; undefined when the flavor cannot express the rule. */
export function ruleAction(rule: RouteRuleModel, model: MeshModel, flavor: RouteFlavor): Json | undefined {
  const f = rule.filters;
  if (flavor === 'proxyless') {
    const clusters = liveClusters(rule, model);
    if (f?.redirect || clusters.length === 0) return undefined;
    return { route: proxylessRouteAction(rule, clusters, model), ...perFilterConfig(rule, flavor) };
  }
  const headers = { ...headerMutation(f?.requestHeaders, 'request'), ...headerMutation(f?.responseHeaders, 'response') };
  if (f?.redirect) return { ...redirectAction(f.redirect), ...headers, ...perFilterConfig(rule, flavor) };
  const clusters = liveClusters(rule, model);
  if (clusters.length === 0) return { direct_response: { status: 500 }, ...headers, ...perFilterConfig(rule, flavor) };
  return { route: envoyRouteAction(rule, clusters, model), ...headers, ...perFilterConfig(rule, flavor) };
}
