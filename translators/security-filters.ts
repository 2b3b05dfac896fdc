/**
 * What a SecurityPolicy adds to an HCM: jwt_authn, then RBAC (DENY, ALLOW),
 * all before the route-configured filters and the router; and the JWKS
 * clusters its remote providers fetch from. Finds the policy for a Gateway
 * listener or a Service port (conflicts are resolved in the model: at most
 * one policy per Gateway or Service).
 */
import { TypeUrl } from '../src/envoy/type-urls';
import type { MeshModel, SecurityPolicyModel } from '../src/model/types';
import { jwksCluster, jwksClusterName, jwtAuthnFilter } from './jwt-authn';
import { rbacFilters } from './rbac';
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
