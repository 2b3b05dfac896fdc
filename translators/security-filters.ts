/**
 * What SecurityPolicies add to an HCM: jwt_authn, then RBAC (DENY, ALLOW),
 * all before the route-configured filters and the router; and the JWKS
 * clusters its remote providers fetch from.
 *
 * Listener-level policies target a Gateway (listener) or a Service port
 * (conflicts are resolved in the model: at most one per Gateway or Service).
 * Route-level policies target a RoutePolicy (or one of its rules, by name):
 * they apply per route, to exactly the Envoy routes generated from that
 * RoutePolicy (rule), and replace the listener-level policy there (the more
 * specific wins, as in Envoy Gateway; a rule target beats a whole-RoutePolicy
 * target). On one HCM:
 *   - one jwt_authn filter: the listener-level providers and rules, plus the
 *     route-level providers (keyed "<ns>/<policy>/<provider>") and a
 *     requirement_map; a route with a route-level policy carries a
 *     PerRouteConfig naming its requirement, or disabled;
 *   - RBAC filters holding the listener-level rules (empty, i.e. allow all,
 *     when only route-level policies need the filter); a route with a
 *     route-level policy overrides them with RBACPerRoute (its own rules, or
 *     none = disabled).
 * A route-level policy's JWT rules (path matches, first match applies) are
 * resolved per Envoy route at translation time: a rule covering the route's
 * whole path decides for it; a rule covering only part of it (an exact path
 * or a longer prefix inside the route's prefix) gets a narrower copy of the
 * route placed right before it; no covering rule = no token needed. Regex
 * paths cannot be intersected: a regex rule that may overlap the route
 * decides for the whole route (prefer exact/prefix paths, or target a
 * RoutePolicy rule by name).
 */
import { TypeUrl } from '../src/envoy/type-urls';
import type { AuthorizationModel, AuthorizationRuleModel, JwtModel, MeshModel, RouteMatchModel, RouteModel, RouteRuleModel, SecurityPathModel, SecurityPolicyModel } from '../src/model/types';
import { any } from './config-source';
import { jwksCluster, jwksClusterName, jwtAuthnFilter, jwtAuthnFilterName, jwtAuthnWithRoutes, jwtPerRouteType } from './jwt-authn';
import { rbacDenyFilterName, rbacFilterName, rbacFilters, rbacPerRouteType, rbacRules, rbacType } from './rbac';
import type { Json, ResourceSpec } from './types';

export function securityHttpFilters(p: SecurityPolicyModel | undefined, trustDomain: string): Json[] {
  if (!p) return [];
  return [...(p.jwt ? [jwtAuthnFilter(p.jwt)] : []), ...(p.authorization ? rbacFilters(p.authorization, trustDomain) : [])];
}

/** The policy for Gateway `gw` listeners named `listenerNames` (any listener when the target has no sectionName). */
export function policyForGateway(model: MeshModel, gw: { namespace: string; name: string }, listenerNames: readonly string[]): SecurityPolicyModel | undefined {
  return model.securityPolicies?.find((p) =>
    p.targets.some(
      (t) =>
        t.kind === 'gateway' &&
        t.gateway.namespace === gw.namespace &&
        t.gateway.name === gw.name &&
        (t.sectionName === undefined || listenerNames.some((l) => l === t.sectionName || l.startsWith(`${t.sectionName}.`))),
    ),
  );
}

/** The policy for the inbound side of one of these Service ports. */
export function policyForServicePorts(model: MeshModel, ports: readonly { namespace: string; name: string; portName: string }[]): SecurityPolicyModel | undefined {
  return model.securityPolicies?.find((p) =>
    p.targets.some((t) => t.kind === 'service' && ports.some((x) => t.service.namespace === x.namespace && t.service.name === x.name && (t.portName === undefined || t.portName === x.portName))),
  );
}

/** JWKS clusters (CDS) for the remote providers of these policies, unique by name. */
export function jwksClusters(policies: Iterable<SecurityPolicyModel>): ResourceSpec[] {
  const out = new Map<string, ResourceSpec>();
  for (const p of policies) {
    for (const pr of p.jwt?.providers ?? []) {
      const r = pr.remoteJwks;
      if (!r) continue;
      const name = jwksClusterName(r);
      if (!out.has(name)) out.set(name, { typeUrl: TypeUrl.Cluster, name, json: jwksCluster(r), sources: [p.source] });
    }
  }
  return [...out.values()];
}

const routeLevelCache = new WeakMap<readonly RouteModel[], WeakMap<readonly SecurityPolicyModel[], Map<RouteRuleModel, SecurityPolicyModel>>>();
const noPolicies: readonly SecurityPolicyModel[] = [];

/** RoutePolicy rule → the route-level SecurityPolicy in effect on it (a rule target beats a whole-RoutePolicy target). Cached per model. */
export function routeLevelPolicies(model: MeshModel): ReadonlyMap<RouteRuleModel, SecurityPolicyModel> {
  const policies = model.securityPolicies ?? noPolicies;
  let byPolicies = routeLevelCache.get(model.routes);
  if (!byPolicies) routeLevelCache.set(model.routes, (byPolicies = new WeakMap()));
  const hit = byPolicies.get(policies);
  if (hit) return hit;
  const out = new Map<RouteRuleModel, SecurityPolicyModel>();
  const targeted = policies.filter((p) => (p.routeTargets?.length ?? 0) > 0);
  if (targeted.length > 0) {
    for (const route of model.routes) {
      if (!route.key.startsWith('routepolicy/')) continue;
      const ref = route.key.slice('routepolicy/'.length);
      const find = (section: string | undefined) =>
        targeted.find((p) => (p.routeTargets ?? []).some((t) => `${t.routePolicy.namespace}/${t.routePolicy.name}` === ref && t.sectionName === section));
      const whole = find(undefined);
      for (const rule of route.rules) {
        const p = (rule.name !== undefined ? find(rule.name) : undefined) ?? whole;
        if (p) out.set(rule, p);
      }
    }
  }
  byPolicies.set(policies, out);
  return out;
}

/** The calling workload, when the HCM runs on the caller's side (sidecar outbound): principals are then known statically. */
export interface CallerIdentity {
  readonly namespace: string;
  readonly serviceAccount?: string;
}

/**
 * Authorization rules as seen from the caller's own sidecar: a rule whose
 * principals include the caller matches any caller there (the principals
 * part is dropped); a rule whose principals exclude it can never match and is
 * removed. (Peer certificates do not exist on the outbound side.)
 */
export function rulesForCaller(a: AuthorizationModel, caller: CallerIdentity): AuthorizationModel {
  const rules: AuthorizationRuleModel[] = [];
  for (const r of a.rules) {
    if (!r.principals) {
      rules.push(r);
      continue;
    }
    const ok = r.principals.some((p) => p.namespace === caller.namespace && (p.serviceAccount === undefined || p.serviceAccount === caller.serviceAccount));
    if (!ok) continue;
    const { principals: _dropped, ...rest } = r;
    rules.push(rest);
  }
  return { defaultAction: a.defaultAction, rules };
}

/** Route-level JWT requirement names in the jwt_authn requirement_map. */
export function requirementName(p: SecurityPolicyModel, ruleIndex: number | undefined): string {
  return ruleIndex === undefined ? p.key : `${p.key}#${ruleIndex}`;
}

type RoutePath = RouteMatchModel['path'];

/**
 * How a JWT rule path relates to a route path: 'covers' (every path the route
 * matches), 'inside' (a strict subset, expressible as a narrower route path),
 * 'disjoint', or 'unknown' (regexes).
 */
export function pathRelation(rule: SecurityPathModel, route: RoutePath): 'covers' | 'inside' | 'disjoint' | 'unknown' {
  if (rule.type === 'regex' || route.type === 'regex') return 'unknown';
  if (rule.type === 'prefix') {
    if (route.value.startsWith(rule.value)) return 'covers';
    return route.type === 'prefix' && rule.value.startsWith(route.value) ? 'inside' : 'disjoint';
  }
  if (route.type === 'exact') return rule.value === route.value ? 'covers' : 'disjoint';
  return rule.value.startsWith(route.value) ? 'inside' : 'disjoint';
}

/**
 * The JWT requirement per part of a route: narrower paths first (each with the
 * rule index deciding it), then the route's own path. A rule index of
 * undefined means no token needed, 'all' any provider (no rules).
 */
export function jwtRulesForRoute(jwt: JwtModel, path: RoutePath): { path?: RoutePath; rule: number | 'all' | undefined }[] {
  if (!jwt.rules) return [{ rule: 'all' }];
  const out: { path?: RoutePath; rule: number | 'all' | undefined }[] = [];
  for (const [i, r] of jwt.rules.entries()) {
    const rel = pathRelation(r.path, path);
    if (rel === 'covers' || rel === 'unknown') return [...out, { rule: i }];
    if (rel === 'inside' && !out.some((o) => o.path?.type === r.path.type && o.path.value === r.path.value)) out.push({ path: { type: r.path.type as 'prefix' | 'exact', value: r.path.value }, rule: i });
  }
  return [...out, { rule: undefined }];
}

export interface HcmSecurity {
  /** HTTP filters for the HCM, in order (before route filters and the router). */
  readonly filters: Json[];
  /** Policies configured on this HCM (for JWKS clusters and sources). */
  readonly policies: readonly SecurityPolicyModel[];
  /** Per-route security for the Envoy routes of rules with a route-level policy (noRouteSecurity when none). */
  readonly perRoute: RouteSecurity;
}

/**
 * Per-route security for the Envoy routes of the rules `has` accepts: for a
 * rule and one of its matches, the routes to emit in order (path: a narrower
 * path replacing the match's; config: extra typed_per_filter_config).
 */
export interface RouteSecurity {
  has(rule: RouteRuleModel): boolean;
  variants(rule: RouteRuleModel, match: RouteMatchModel): { path?: RoutePath; config: Json }[];
}

export const noRouteSecurity: RouteSecurity = { has: () => false, variants: () => [] };

/**
 * Security filters and per-route overrides for one HCM serving `rules`.
 * `listener` is the Gateway/Service-level policy (if any); route-level
 * policies come from routeLevelPolicies(model).
 */
export function hcmSecurity(listener: SecurityPolicyModel | undefined, rules: Iterable<RouteRuleModel>, model: MeshModel, caller?: CallerIdentity): HcmSecurity {
  const td = model.config.clusterDomain;
  const byRule = routeLevelPolicies(model);
  const routeLevel: SecurityPolicyModel[] = [];
  const mine = new Set<RouteRuleModel>();
  if (byRule.size > 0) {
    for (const r of rules) {
      const p = byRule.get(r);
      if (!p) continue;
      mine.add(r);
      if (!routeLevel.includes(p)) routeLevel.push(p);
    }
  }
  const authz = (p: SecurityPolicyModel | undefined): AuthorizationModel | undefined => (p?.authorization && caller ? rulesForCaller(p.authorization, caller) : p?.authorization);
  if (routeLevel.length === 0) {
    // Outbound (caller known): the listener's rules as seen from the caller.
    const filters = securityHttpFilters(listener && caller ? { ...listener, authorization: authz(listener) } : listener, td);
    return { filters, policies: listener ? [listener] : [], perRoute: noRouteSecurity };
  }
  routeLevel.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const filters: Json[] = [];
  const anyJwt = !!listener?.jwt || routeLevel.some((p) => p.jwt);
  if (anyJwt) {
    const withJwt = routeLevel.filter((p) => p.jwt).map((p) => ({ key: p.key, jwt: p.jwt as JwtModel, plainNames: p === listener }));
    filters.push(jwtAuthnWithRoutes(listener?.jwt, withJwt));
  }
  const la = authz(listener);
  const ra = new Map(routeLevel.map((p) => [p, authz(p)]));
  const denyOf = (a: AuthorizationModel | undefined) => (a ? a.rules.filter((r) => r.action === 'deny') : []);
  const allowOf = (a: AuthorizationModel | undefined) => (a ? a.rules.filter((r) => r.action === 'allow') : []);
  const needDeny = denyOf(la).length > 0 || [...ra.values()].some((a) => denyOf(a).length > 0);
  const needAllow = la?.defaultAction === 'deny' || [...ra.values()].some((a) => a?.defaultAction === 'deny');
  const listenerDeny = denyOf(la);
  if (needDeny) filters.push({ name: rbacDenyFilterName, typed_config: any(rbacType, listenerDeny.length > 0 ? { rules: rbacRules('DENY', listenerDeny, td) } : {}) });
  if (needAllow) filters.push({ name: rbacFilterName, typed_config: any(rbacType, la?.defaultAction === 'deny' ? { rules: rbacRules('ALLOW', allowOf(la), td) } : {}) });
  const rbacCfg = new Map<SecurityPolicyModel, Json>();
  const rbacFor = (p: SecurityPolicyModel): Json => {
    let cfg = rbacCfg.get(p);
    if (cfg) return cfg;
    cfg = {};
    const a = ra.get(p);
    if (needDeny) {
      const d = denyOf(a);
      cfg[rbacDenyFilterName] = any(rbacPerRouteType, d.length > 0 ? { rbac: { rules: rbacRules('DENY', d, td) } } : {});
    }
    if (needAllow) cfg[rbacFilterName] = any(rbacPerRouteType, a?.defaultAction === 'deny' ? { rbac: { rules: rbacRules('ALLOW', allowOf(a), td) } } : {});
    rbacCfg.set(p, cfg);
    return cfg;
  };
  const jwtCfg = (p: SecurityPolicyModel, which: number | 'all' | undefined): Json =>
    any(jwtPerRouteType, which === undefined ? { disabled: true } : { requirement_name: requirementName(p, which === 'all' ? undefined : which) });
  const perRoute: RouteSecurity = {
    has: (rule) => mine.has(rule),
    variants(rule, match) {
      const p = byRule.get(rule);
      if (!p || !mine.has(rule)) return [{ config: {} }];
      const rbac = rbacFor(p);
      if (!anyJwt) return [{ config: rbac }];
      const parts = p.jwt ? jwtRulesForRoute(p.jwt, match.path) : [{ rule: undefined }];
      return parts.map((x) => ({ ...(x.path ? { path: x.path } : {}), config: { [jwtAuthnFilterName]: jwtCfg(p, x.rule), ...rbac } }));
    },
  };
  return { filters, policies: listener && !routeLevel.includes(listener) ? [listener, ...routeLevel] : routeLevel, perRoute };
}
