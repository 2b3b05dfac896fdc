/**
 * envoy.config.route.v3.RouteConfiguration, VirtualHost and Route builders.
 * Route rules come from the model (RouteModel); backends that do not exist
 * in the model are dropped, and a rule left without backends answers 500
 * (as Gateway API specifies).
 */
import type { MeshModel, RouteMatchModel, RouteRuleModel, ServiceModel } from '../src/model/types';
import { corsFilter, corsFilterName } from './cors-policy';
import { faultFilter, faultFilterName } from './fault';
import { localRateLimitFilter, localRateLimitFilterName } from './local-rate-limit';
import { ruleAction, type RouteFlavor } from './route-action';
import { routeMatch } from './route-match';
import type { RouteSecurity } from './security-filters';
import type { Json } from './types';

export function routeConfiguration(name: string, virtualHosts: readonly Json[]): Json {
  return { name, virtual_hosts: virtualHosts };
}

export function virtualHost(name: string, domains: readonly string[], routes: readonly Json[]): Json {
  return { name, domains, routes };
}

/** A route sending everything to one cluster. */
export function clusterRoute(cluster: string, prefix = '/'): Json {
  return { match: { prefix }, route: { cluster } };
}

/**
 * Routes per rules object and flavor, with the backend services they were
 * built from: reused (the same JSON objects, so views and re-translations
 * share them) while every backend lookup returns the same ServiceModel object.
 */
type RoutesCache = WeakMap<readonly RouteRuleModel[], { readonly backends: readonly (ServiceModel | undefined)[]; readonly routes: Json[] }>;
const routesCache: Record<RouteFlavor, RoutesCache> = { envoy: new WeakMap(), proxyless: new WeakMap() };

function backendKeys(rules: readonly RouteRuleModel[]): string[] {
  const keys: string[] = [];
  for (const rule of rules) {
    for (const b of rule.backends) keys.push(`${b.namespace}/${b.name}`);
    for (const m of rule.filters?.mirrors ?? []) keys.push(`${m.backend.namespace}/${m.backend.name}`);
  }
  return keys;
}

function sameBackends(rules: readonly RouteRuleModel[], model: MeshModel, backends: readonly (ServiceModel | undefined)[]): boolean {
  const keys = backendKeys(rules);
  return keys.length === backends.length && keys.every((k, i) => model.services[k] === backends[i]);
}

/**
 * Envoy routes for model rules, first match wins, ordered as the Gateway API
 * asks: exact paths, then regexes, then longer prefixes; within those, a
 * method match, then more header matches, then more query matches first;
 * then rule order. The result is shared: do not mutate it. `security` adds
 * per-route SecurityPolicy configuration (RoutePolicy targets) to the routes
 * of the rules it covers, possibly preceding a route with narrower copies
 * of it (other JWT requirements on sub-paths); such route lists are not cached.
 */
export function routesForRules(rules: readonly RouteRuleModel[], model: MeshModel, flavor: RouteFlavor = 'envoy', security?: RouteSecurity): readonly Json[] {
  if (security && rules.some((r) => security.has(r))) return deepFreeze(buildRoutes(rules, model, flavor, security));
  const cache = routesCache[flavor];
  const cached = cache.get(rules);
  if (cached && sameBackends(rules, model, cached.backends)) return cached.routes;
  const routes = deepFreeze(buildRoutes(rules, model, flavor));
  cache.set(rules, { backends: backendKeys(rules).map((k) => model.services[k]), routes });
  return routes;
}

/**
 * Under node's test runner (or TOWER_FREEZE_SHARED_JSON=1) shared route JSON is
 * frozen, so a builder that mutated it would throw in tests; in production the
 * walk is skipped (it only guards against such bugs and costs a pass per route).
 */
const freezeShared = process.env.NODE_TEST_CONTEXT !== undefined || process.env.TOWER_FREEZE_SHARED_JSON === '1';

/** Shared JSON must not change under the pipeline's feet (it compares JSON to tell what changed). */
function deepFreeze<T>(v: T): T {
  if (freezeShared && typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const typeRank = { exact: 0, regex: 1, prefix: 2 } as const;

function compareMatches(a: RouteMatchModel, b: RouteMatchModel): number {
  if (a.path.type !== b.path.type) return typeRank[a.path.type] - typeRank[b.path.type];
  if (a.path.value.length !== b.path.value.length) return b.path.value.length - a.path.value.length;
  if ((a.method === undefined) !== (b.method === undefined)) return a.method ? -1 : 1;
  const h = (b.headers?.length ?? 0) - (a.headers?.length ?? 0);
  if (h !== 0) return h;
  return (b.queryParams?.length ?? 0) - (a.queryParams?.length ?? 0);
}

/** The action with extra typed_per_filter_config entries merged in. */
function withPerFilterConfig(action: Json, extra: Json | undefined): Json {
  if (!extra || Object.keys(extra).length === 0) return action;
  return { ...action, typed_per_filter_config: { ...((action.typed_per_filter_config as Json | undefined) ?? {}), ...extra } };
}

function buildRoutes(rules: readonly RouteRuleModel[], model: MeshModel, flavor: RouteFlavor, security?: RouteSecurity): Json[] {
  const entries: { match: RouteMatchModel; action: Json; order: number; rule: RouteRuleModel }[] = [];
  let order = 0;
  for (const rule of rules) {
    const action = ruleAction(rule, model, flavor);
    if (!action) continue;
    for (const m of rule.matches) {
      // gRPC requests carry no query string: a match on query parameters never applies
      if (flavor === 'proxyless' && (m.queryParams?.length ?? 0) > 0) continue;
      entries.push({ match: m, action, order: order++, rule });
    }
  }
  entries.sort((a, b) => compareMatches(a.match, b.match) || a.order - b.order);
  const out: Json[] = [];
  for (const e of entries) {
    if (!security?.has(e.rule)) {
      out.push({ match: routeMatch(e.match, flavor), ...e.action });
      continue;
    }
    // narrower copies go right before the route they split, so they only take requests it would have taken
    for (const v of security.variants(e.rule, e.match)) out.push({ match: routeMatch(v.path ? { ...e.match, path: v.path } : e.match, flavor), ...withPerFilterConfig(e.action, v.config) });
  }
  return out;
}

/** HTTP filters (before the router) the routes of these virtual hosts configure per route, in a fixed order. */
export function httpFiltersForRoutes(virtualHosts: readonly Json[]): Json[] {
  return httpFilterChain([], virtualHosts);
}

/**
 * The HTTP filters of one connection manager (router excluded), in Envoy
 * Gateway's order: fault, CORS (so preflights are answered before any
 * authentication), then the security filters (jwt_authn, RBAC), then the
 * local rate limit. Route filters are added only when a route uses them.
 */
export function httpFilterChain(securityFilters: readonly Json[], virtualHosts: readonly Json[], used = usedRouteFilters(virtualHosts)): Json[] {
  const out: Json[] = [];
  if (used.has(faultFilterName)) out.push(faultFilter());
  if (used.has(corsFilterName)) out.push(corsFilter());
  out.push(...securityFilters);
  if (used.has(localRateLimitFilterName)) out.push(localRateLimitFilter());
  return out;
}

function usedRouteFilters(virtualHosts: readonly Json[]): Set<string> {
  const used = new Set<string>();
  for (const vh of virtualHosts) {
    for (const r of (vh.routes as readonly Json[] | undefined) ?? []) {
      const cfg = r.typed_per_filter_config as Json | undefined;
      if (cfg) for (const k of Object.keys(cfg)) used.add(k);
    }
  }
  return used;
}
