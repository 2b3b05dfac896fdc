/**
 * envoy.config.route.v3.RouteConfiguration, VirtualHost and Route builders.
 * Route rules come from the model (RouteModel); backends that do not exist
 * in the model are dropped, and a rule left without backends answers 500
 * (as Gateway API specifies).
 */
import type { MeshModel, RouteRuleModel, ServiceModel } from '../src/model/types';
import { outboundClusterName } from './names';
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
 * Routes per rules object, with the backend services they were built from:
 * reused (the same JSON objects, so views and re-translations share them)
 * while every backend lookup returns the same ServiceModel object.
 */
const routesCache = new WeakMap<readonly RouteRuleModel[], { readonly backends: readonly (ServiceModel | undefined)[]; readonly routes: Json[] }>();

function sameBackends(rules: readonly RouteRuleModel[], model: MeshModel, backends: readonly (ServiceModel | undefined)[]): boolean {
  let i = 0;
  for (const rule of rules) for (const b of rule.backends) if (model.services[`${b.namespace}/${b.name}`] !== backends[i++]) return false;
  return i === backends.length;
}

/** Envoy routes for model rules: exact matches first, then longer prefixes first (first match wins). The result is shared: do not mutate it. */
export function routesForRules(rules: readonly RouteRuleModel[], model: MeshModel): readonly Json[] {
  const cached = routesCache.get(rules);
  if (cached && sameBackends(rules, model, cached.backends)) return cached.routes;
  const routes = deepFreeze(buildRoutes(rules, model));
  const backends: (ServiceModel | undefined)[] = [];
  for (const rule of rules) for (const b of rule.backends) backends.push(model.services[`${b.namespace}/${b.name}`]);
  routesCache.set(rules, { backends, routes });
  return routes;
}

/** Shared JSON must not change under the pipeline's feet (it compares JSON to tell what changed). */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function buildRoutes(rules: readonly RouteRuleModel[], model: MeshModel): Json[] {
  const entries: { type: 'prefix' | 'exact'; value: string; action: Json; order: number }[] = [];
  let order = 0;
  for (const rule of rules) {
    const clusters: { name: string; weight: number }[] = [];
    for (const b of rule.backends) {
      const svc = model.services[`${b.namespace}/${b.name}`];
      if (!svc || !svc.ports.some((p) => p.port === b.port) || b.weight <= 0) continue;
      clusters.push({ name: outboundClusterName(svc, b.port), weight: b.weight });
    }
    const action: Json =
      clusters.length === 0
        ? { direct_response: { status: 500 } }
        : clusters.length === 1
          ? { route: { cluster: (clusters[0] as { name: string }).name } }
          : { route: { weighted_clusters: { clusters } } };
    for (const m of rule.matches) entries.push({ type: m.path.type, value: m.path.value, action, order: order++ });
  }
  entries.sort((a, b) => (a.type !== b.type ? (a.type === 'exact' ? -1 : 1) : b.value.length - a.value.length || a.order - b.order));
  return entries.map((e) => ({ match: e.type === 'exact' ? { path: e.value } : { prefix: e.value }, ...e.action }));
}
