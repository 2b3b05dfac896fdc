/**
 * SecurityPolicy (tower.dev/v1alpha1, already validated by its CRD schema) →
 * SecurityPolicyModel. Targets: Gateways (every HCM of the gateway, or of
 * the listener named by sectionName) and Services (the inbound side of the
 * sidecars of the Service's workloads; sectionName = port name) and
 * RoutePolicies (per-route configuration on exactly the routes generated from
 * the RoutePolicy, or from its rule named sectionName, at gateways and at
 * sidecars' outbound side; it replaces the Gateway-level policy on those
 * routes). Several policies on one Gateway, Service, RoutePolicy or
 * RoutePolicy rule: the oldest (creationTimestamp, then namespace/name) wins,
 * the others' targets get a 'policy-conflict' error.
 */
import { parseDurationMs } from '../api/common';
import { oldestFirst } from './creation-order';
import type { SecurityPolicy } from '../api/security-policy';
import type { PathMatch } from '../api/route-match';
import type { AuthorizationRuleModel, JwtProviderModel, MeshModel, ModelError, SecurityPathModel, SecurityPolicyModel, SecurityRouteTargetModel, SecurityTargetModel, SourceRef } from './types';

export function securityPathModel(p: PathMatch): SecurityPathModel {
  return { type: p.type === 'Exact' ? 'exact' : p.type === 'RegularExpression' ? 'regex' : 'prefix', value: p.value };
}

function remoteJwks(uri: string, cacheDuration: string | undefined): NonNullable<JwtProviderModel['remoteJwks']> {
  const u = new URL(uri);
  return { uri, host: u.hostname, port: u.port ? Number(u.port) : 443, ...(cacheDuration ? { cacheDurationMs: parseDurationMs(cacheDuration) } : {}) };
}

export function securityPolicyEntry(p: SecurityPolicy, source: SourceRef): { model: SecurityPolicyModel; errors: ModelError[] } {
  const ns = p.metadata.namespace ?? 'default';
  const s = p.spec;
  const errors: ModelError[] = [];
  const targets: SecurityTargetModel[] = [];
  const routeTargets: SecurityRouteTargetModel[] = [];
  s.targetRefs.forEach((t, i) => {
    if (t.kind === 'Gateway') targets.push({ kind: 'gateway', gateway: { namespace: ns, name: t.name }, ...(t.sectionName ? { sectionName: t.sectionName } : {}), index: i });
    else if (t.kind === 'Service') targets.push({ kind: 'service', service: { namespace: ns, name: t.name }, ...(t.sectionName ? { portName: t.sectionName } : {}), index: i });
    else routeTargets.push({ routePolicy: { namespace: ns, name: t.name }, ...(t.sectionName ? { sectionName: t.sectionName } : {}), index: i });
  });
  const jwt = s.jwt && {
    providers: s.jwt.providers.map(
      (pr): JwtProviderModel => ({
        name: pr.name,
        ...(pr.issuer ? { issuer: pr.issuer } : {}),
        ...(pr.audiences?.length ? { audiences: [...pr.audiences] } : {}),
        ...(pr.localJWKS ? { localJwks: pr.localJWKS.inline } : {}),
        ...(pr.remoteJWKS ? { remoteJwks: remoteJwks(pr.remoteJWKS.uri, pr.remoteJWKS.cacheDuration) } : {}),
        ...(pr.claimToHeaders?.length ? { claimToHeaders: pr.claimToHeaders.map((c) => ({ claim: c.claim, header: c.header })) } : {}),
        ...(pr.forward !== undefined ? { forward: pr.forward } : {}),
      }),
    ),
    ...(s.jwt.rules?.length
      ? { rules: s.jwt.rules.map((r) => ({ path: securityPathModel(r.path), ...(r.providers?.length ? { providers: [...r.providers] } : {}), ...(r.optional ? { optional: true } : {}) })) }
      : {}),
  };
  const a = s.authorization;
  const authorization = a && {
    defaultAction: a.defaultAction === 'Allow' ? ('allow' as const) : ('deny' as const),
    rules: (a.rules ?? []).map(
      (r, i): AuthorizationRuleModel => ({
        name: r.name ?? `rule-${i}`,
        action: r.action === 'Allow' ? 'allow' : 'deny',
        ...(r.from?.principals ? { principals: r.from.principals.map((x) => ({ namespace: x.namespace, ...(x.serviceAccount ? { serviceAccount: x.serviceAccount } : {}) })) } : {}),
        ...(r.from?.jwtClaims ? { jwtClaims: r.from.jwtClaims.map((c) => ({ name: c.name, values: [...c.values] })) } : {}),
        ...(r.to?.paths ? { paths: r.to.paths.map(securityPathModel) } : {}),
        ...(r.to?.methods ? { methods: [...r.to.methods] } : {}),
        ...(r.to?.headers ? { headers: r.to.headers.map((h) => ({ name: h.name.toLowerCase(), values: [...h.values] })) } : {}),
      }),
    ),
  };
  const model: SecurityPolicyModel = {
    key: `${ns}/${p.metadata.name}`,
    targets,
    ...(routeTargets.length > 0 ? { routeTargets } : {}),
    ...(jwt ? { jwt } : {}),
    ...(authorization ? { authorization } : {}),
    source,
    ...(p.metadata.creationTimestamp ? { createdAt: p.metadata.creationTimestamp } : {}),
  };
  return { model, errors };
}

function targetKey(t: SecurityTargetModel): string {
  return t.kind === 'gateway' ? `Gateway ${t.gateway.namespace}/${t.gateway.name}` : `Service ${t.service.namespace}/${t.service.name}`;
}

function routeTargetKey(t: SecurityRouteTargetModel): string {
  return `RoutePolicy ${t.routePolicy.namespace}/${t.routePolicy.name}${t.sectionName !== undefined ? ` rule ${t.sectionName}` : ''}`;
}

/**
 * Oldest policy first; a Gateway, Service, RoutePolicy or RoutePolicy rule
 * already claimed by an older policy is dropped from the younger one with a
 * 'policy-conflict' error. (A whole-RoutePolicy target and a rule target do
 * not conflict: the rule target is more specific and wins on that rule.)
 */
export function resolveSecurityConflicts(policies: Iterable<SecurityPolicyModel>): { policies: SecurityPolicyModel[]; errors: ModelError[] } {
  const sorted = [...policies].sort(oldestFirst);
  const owner = new Map<string, string>();
  const errors: ModelError[] = [];
  const out: SecurityPolicyModel[] = [];
  const claim = (p: SecurityPolicyModel, k: string, index: number): boolean => {
    const w = owner.get(k);
    if (w !== undefined && w !== p.key) {
      errors.push({ code: 'policy-conflict', source: p.source, path: `spec.targetRefs[${index}]`, message: `SecurityPolicy ${w} (older, or same age and first by namespace/name) already applies to ${k}; this target is ignored` });
      return false;
    }
    owner.set(k, p.key);
    return true;
  };
  for (const p of sorted) {
    const kept = p.targets.filter((t) => claim(p, targetKey(t), t.index));
    const routeTargets = p.routeTargets ?? [];
    const keptRoutes = routeTargets.filter((t) => claim(p, routeTargetKey(t), t.index));
    if (kept.length === 0 && keptRoutes.length === 0) continue;
    if (kept.length === p.targets.length && keptRoutes.length === routeTargets.length) out.push(p);
    else {
      const { routeTargets: _drop, ...rest } = p;
      out.push({ ...rest, targets: kept, ...(keptRoutes.length > 0 ? { routeTargets: keptRoutes } : {}) });
    }
  }
  return { policies: out, errors };
}

/**
 * RoutePolicy targets that name nothing: a RoutePolicy missing from the
 * model, or a sectionName naming no rule of it. (Meant for validateReferences.)
 */
export function securityRouteTargetErrors(model: MeshModel): ModelError[] {
  const errors: ModelError[] = [];
  const byKey = new Map(model.routes.filter((r) => r.key.startsWith('routepolicy/')).map((r) => [r.key, r]));
  for (const p of model.securityPolicies ?? []) {
    for (const t of p.routeTargets ?? []) {
      const ref = `${t.routePolicy.namespace}/${t.routePolicy.name}`;
      const route = byKey.get(`routepolicy/${ref}`);
      if (!route) errors.push({ code: 'missing-target', source: p.source, path: `spec.targetRefs[${t.index}].name`, message: `RoutePolicy ${ref} not found; the policy applies nowhere there` });
      else if (t.sectionName !== undefined && !route.rules.some((r) => r.name === t.sectionName)) {
        errors.push({ code: 'missing-target', source: p.source, path: `spec.targetRefs[${t.index}].sectionName`, message: `RoutePolicy ${ref} has no rule named "${t.sectionName}"` });
      }
    }
  }
  return errors;
}

/**
 * Mesh mTLS gating of principals (docs/mtls.md): a SecurityPolicy rule with
 * `from.principals` on a Service whose mTLS is disabled can never match (no
 * caller presents a verified certificate there), so it fails closed; this
 * says so against the rule. Permissive and strict Services verify callers'
 * certificates: no error. (Meant for validateReferences.)
 */
export function principalMtlsErrors(model: MeshModel): ModelError[] {
  const errors: ModelError[] = [];
  for (const p of model.securityPolicies ?? []) {
    const rules = p.authorization?.rules ?? [];
    const withPrincipals = rules.map((r, i) => ({ r, i })).filter(({ r }) => r.principals !== undefined);
    if (withPrincipals.length === 0) continue;
    for (const t of p.targets) {
      if (t.kind !== 'service') continue;
      const svc = model.services[`${t.service.namespace}/${t.service.name}`];
      if (!svc || (svc.mtls ?? 'disabled') !== 'disabled') continue;
      for (const { r, i } of withPrincipals) {
        errors.push({
          code: 'unsupported-policy',
          source: p.source,
          path: `spec.authorization.rules[${i}].from.principals`,
          message: `Service ${t.service.namespace}/${t.service.name} has mTLS disabled, so no caller's identity can be verified: rule "${r.name}" matches no request (fail closed); enable mTLS (tower.dev/mtls: permissive or strict)`,
        });
      }
    }
  }
  return errors;
}
