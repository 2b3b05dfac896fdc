/**
 * SecurityPolicy (tower.dev/v1alpha1, already validated by its CRD schema) →
 * SecurityPolicyModel. Targets: Gateways (every HCM of the gateway, or of
 * the listener named by sectionName) and Services (the inbound side of the
 * sidecars of the Service's workloads; sectionName = port name). RoutePolicy
 * targets (per-route configuration) are not applied yet: reported as
 * 'unsupported-policy', the policy's other targets still apply. Several
 * policies on one Gateway or Service: the oldest (creationTimestamp, then
 * namespace/name) wins, the others' targets get a 'policy-conflict' error.
 */
import { parseDurationMs } from '../api/common';
import type { SecurityPolicy } from '../api/security-policy';
import type { PathMatch } from '../api/route-match';
import type { AuthorizationRuleModel, JwtProviderModel, ModelError, SecurityPathModel, SecurityPolicyModel, SecurityTargetModel, SourceRef } from './types';

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
  s.targetRefs.forEach((t, i) => {
    if (t.kind === 'Gateway') targets.push({ kind: 'gateway', gateway: { namespace: ns, name: t.name }, ...(t.sectionName ? { sectionName: t.sectionName } : {}), index: i });
    else if (t.kind === 'Service') targets.push({ kind: 'service', service: { namespace: ns, name: t.name }, ...(t.sectionName ? { portName: t.sectionName } : {}), index: i });
    else errors.push({ code: 'unsupported-policy', source, path: `spec.targetRefs[${i}]`, message: 'RoutePolicy targets (per-route security) are not applied yet; the policy\'s other targets are' });
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
    ...(jwt ? { jwt } : {}),
    ...(authorization ? { authorization } : {}),
    source,
    ...(p.metadata.creationTimestamp ? { createdAt: p.metadata.creationTimestamp } : {}),
  };
  return { model, errors };
}

function age(p: SecurityPolicyModel): number {
  const t = p.createdAt ? Date.parse(p.createdAt) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function targetKey(t: SecurityTargetModel): string {
  return t.kind === 'gateway' ? `Gateway ${t.gateway.namespace}/${t.gateway.name}` : `Service ${t.service.namespace}/${t.service.name}`;
}

/** Oldest policy first; a Gateway or Service already claimed by an older policy is dropped from the younger one with a 'policy-conflict' error. */
export function resolveSecurityConflicts(policies: Iterable<SecurityPolicyModel>): { policies: SecurityPolicyModel[]; errors: ModelError[] } {
  const sorted = [...policies].sort((a, b) => age(a) - age(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const owner = new Map<string, string>();
  const errors: ModelError[] = [];
  const out: SecurityPolicyModel[] = [];
  for (const p of sorted) {
    const kept = p.targets.filter((t) => {
      const k = targetKey(t);
      const w = owner.get(k);
      if (w !== undefined && w !== p.key) {
        errors.push({ code: 'policy-conflict', source: p.source, path: `spec.targetRefs[${t.index}]`, message: `SecurityPolicy ${w} (older, or same age and first by namespace/name) already applies to ${k}; this target is ignored` });
        return false;
      }
      owner.set(k, p.key);
      return true;
    });
    if (kept.length > 0) out.push(kept.length === p.targets.length ? p : { ...p, targets: kept });
  }
  return { policies: out, errors };
}
