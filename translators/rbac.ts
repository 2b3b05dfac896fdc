/**
 * Authorization: envoy.filters.http.rbac (envoy.extensions.filters.http.rbac.v3.RBAC).
 * SecurityPolicy semantics (any matching Deny denies; else a matching Allow
 * allows; else defaultAction) = a DENY filter holding the Deny rules,
 * followed, when defaultAction is Deny, by an ALLOW filter holding the Allow
 * rules (with defaultAction Allow the Allow rules change nothing).
 *
 * Principals are SPIFFE ids (spiffe://<trustDomain>/ns/<ns>/sa/<sa>) matched
 * on the peer certificate (authenticated.principal_name): they are enforced
 * only once sidecars speak mTLS; until then a rule with principals matches
 * no plain-text caller. JWT claims match the payload jwt_authn writes to
 * dynamic metadata (a string claim, or one element of a list claim).
 */
import type { AuthorizationModel, AuthorizationRuleModel } from '../src/model/types';
import { any } from './config-source';
import { jwtAuthnFilterName, jwtPayloadKey } from './jwt-authn';
import type { Json } from './types';

export const rbacFilterName = 'envoy.filters.http.rbac';
export const rbacDenyFilterName = 'envoy.filters.http.rbac.deny';
const rbacType = 'envoy.extensions.filters.http.rbac.v3.RBAC';

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

export function rbacPermission(r: AuthorizationRuleModel): Json {
  const parts: Json[] = [];
  if (r.paths) parts.push(anyOf(r.paths.map((p) => ({ url_path: { path: p.type === 'exact' ? { exact: p.value } : p.type === 'regex' ? { safe_regex: { regex: p.value } } : { prefix: p.value } } })), 'or_rules'));
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

function rbacFilter(name: string, action: 'ALLOW' | 'DENY', rules: readonly AuthorizationRuleModel[], trustDomain: string): Json {
  const policies = Object.fromEntries(rules.map((r) => [r.name, { permissions: [rbacPermission(r)], principals: [rbacPrincipal(r, trustDomain)] }]));
  return { name, typed_config: any(rbacType, { rules: { action, policies } }) };
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
