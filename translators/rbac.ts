/**
 * Authorization: envoy.filters.http.rbac (envoy.extensions.filters.http.rbac.v3.RBAC).
 * SecurityPolicy semantics (any matching Deny denies; else a matching Allow
 * allows; else defaultAction) = a DENY filter holding the Deny rules,
 * followed, when defaultAction is Deny, by an ALLOW filter holding the Allow
 * rules (with defaultAction Allow the Allow rules change nothing).
 *
 * Principals are SPIFFE ids (spiffe://<trustDomain>/ns/<ns>/sa/<sa>) matched
 * on the peer certificate (authenticated.principal_name), which sidecars
 * verify against the mesh root (translators/mesh-mtls.ts, docs/mtls.md): on a
 * strict Service every caller is identified; on a permissive one callers with
 * a sidecar are, and a plaintext caller matches no principal rule (fail
 * closed); on a Service with mTLS disabled no caller ever matches one
 * (principalMtlsErrors in src/model/security-policy.ts reports it). JWT claims
 * match the payload jwt_authn writes to dynamic metadata (a string claim, or
 * one element of a list claim).
 */
import type { AuthorizationModel, AuthorizationRuleModel } from '../src/model/types';
import { any } from './config-source';
import { jwtAuthnFilterName, jwtPayloadKey } from './jwt-authn';
import { elementPrefix } from './route-match';
import type { Json } from './types';

export const rbacFilterName = 'envoy.filters.http.rbac';
export const rbacDenyFilterName = 'envoy.filters.http.rbac.deny';
export const rbacType = 'envoy.extensions.filters.http.rbac.v3.RBAC';
export const rbacPerRouteType = 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute';

function anyOf(list: Json[], key: 'or_rules' | 'or_ids'): Json {
  return list.length === 1 ? (list[0] as Json) : { [key]: key === 'or_rules' ? { rules: list } : { ids: list } };
}

function allOf(list: Json[], key: 'and_rules' | 'and_ids'): Json {
  if (list.length === 0) return { any: true };
  return list.length === 1 ? (list[0] as Json) : { [key]: key === 'and_rules' ? { rules: list } : { ids: list } };
}

export function spiffeId(trustDomain: string, ns: string, sa: string): string {
  return `spiffe://${trustDomain}/ns/${ns}/sa/${sa}`;
}

/** Path permissions; a PathPrefix matches whole path elements ("/api" is "/api" or "/api/…", never "/apix"). */
function urlPaths(p: NonNullable<AuthorizationRuleModel['paths']>[number]): Json[] {
  if (p.type === 'exact') return [{ url_path: { path: { exact: p.value } } }];
  if (p.type === 'regex') return [{ url_path: { path: { safe_regex: { regex: p.value } } } }];
  const prefix = elementPrefix(p.value);
  if (prefix === '/') return [{ url_path: { path: { prefix: '/' } } }];
  return [{ url_path: { path: { exact: prefix } } }, { url_path: { path: { prefix: `${prefix}/` } } }];
}

export function rbacPermission(r: AuthorizationRuleModel): Json {
  const parts: Json[] = [];
  if (r.paths) parts.push(anyOf(r.paths.flatMap(urlPaths), 'or_rules'));
  if (r.methods) parts.push(anyOf(r.methods.map((m) => ({ header: { name: ':method', string_match: { exact: m } } })), 'or_rules'));
  for (const h of r.headers ?? []) parts.push(anyOf(h.values.map((v) => ({ header: { name: h.name, string_match: { exact: v } } })), 'or_rules'));
  return allOf(parts, 'and_rules');
}

function claimMatcher(claim: string, value: string): Json {
  const path = [{ key: jwtPayloadKey }, ...claim.split('.').map((key) => ({ key }))];
  const exact = { string_match: { exact: value } };
  return {
    or_ids: {
      ids: [
        { metadata: { filter: jwtAuthnFilterName, path, value: exact } },
        { metadata: { filter: jwtAuthnFilterName, path, value: { list_match: { one_of: exact } } } },
      ],
    },
  };
}

export function rbacPrincipal(r: AuthorizationRuleModel, trustDomain: string): Json {
  const parts: Json[] = [];
  if (r.principals) {
    parts.push(
      anyOf(
        r.principals.map((p) => ({
          authenticated: { principal_name: p.serviceAccount ? { exact: spiffeId(trustDomain, p.namespace, p.serviceAccount) } : { prefix: `spiffe://${trustDomain}/ns/${p.namespace}/sa/` } },
        })),
        'or_ids',
      ),
    );
  }
  for (const c of r.jwtClaims ?? []) parts.push(anyOf(c.values.map((v) => claimMatcher(c.name, v)), 'or_ids'));
  return allOf(parts, 'and_ids');
}

/** envoy.config.rbac.v3.RBAC: one policy per rule, named after it. */
export function rbacRules(action: 'ALLOW' | 'DENY', rules: readonly AuthorizationRuleModel[], trustDomain: string): Json {
  return { action, policies: Object.fromEntries(rules.map((r) => [r.name, { permissions: [rbacPermission(r)], principals: [rbacPrincipal(r, trustDomain)] }])) };
}

function rbacFilter(name: string, action: 'ALLOW' | 'DENY', rules: readonly AuthorizationRuleModel[], trustDomain: string): Json {
  return { name, typed_config: any(rbacType, { rules: rbacRules(action, rules, trustDomain) }) };
}

/** The RBAC filters for an authorization model, in order (none when nothing can be denied). */
export function rbacFilters(a: AuthorizationModel, trustDomain: string): Json[] {
  const deny = a.rules.filter((r) => r.action === 'deny');
  const allow = a.rules.filter((r) => r.action === 'allow');
  const out: Json[] = [];
  if (deny.length > 0) out.push(rbacFilter(rbacDenyFilterName, 'DENY', deny, trustDomain));
  if (a.defaultAction === 'deny') out.push(rbacFilter(rbacFilterName, 'ALLOW', allow, trustDomain));
  return out;
}
