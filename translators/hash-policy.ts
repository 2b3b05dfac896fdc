/**
 * envoy.config.route.v3.RouteAction.HashPolicy for a BackendPolicy's
 * consistent hash (RingHash, Maglev). Envoy hashes per route, not per
 * cluster, so every route to the Service carries it. A route splitting
 * traffic over several Services (weighted_clusters) has one hash policy:
 * Tower uses the first backend (in rule order) whose policy hashes, and the
 * hash picks the host inside whichever cluster the weights chose.
 *
 * Proxyless gRPC (gRFC A42) hashes on headers only (and the channel id):
 * cookie and source-IP hashing do not apply there (see cluster-policy.ts,
 * whose proxyless clusters stay ROUND_ROBIN for them).
 */
import type { BackendPolicyModel, HashPolicyModel, MeshModel, RouteRuleModel } from '../src/model/types';
import { durationJson } from './duration';
import type { Json } from './types';

export type HashFlavor = 'envoy' | 'proxyless';

/** Whether proxyless gRPC can hash on this (A42: header hash policies only). */
export function proxylessHashes(h: HashPolicyModel | undefined): boolean {
  return h?.type === 'header';
}

export function hashPolicy(h: HashPolicyModel): Json {
  switch (h.type) {
    case 'header':
      return { header: { header_name: h.name } };
    case 'cookie':
      return { cookie: { name: h.name, ...(h.ttlMs !== undefined ? { ttl: durationJson(h.ttlMs) } : {}), ...(h.path !== undefined ? { path: h.path } : {}) } };
    case 'source-ip':
      return { connection_properties: { source_ip: true } };
  }
}

/** The BackendPolicy in effect for a Service port (port name, else all ports). */
export function backendPolicyFor(model: MeshModel, b: { namespace: string; name: string; port: number }): BackendPolicyModel | undefined {
  const svc = model.services[`${b.namespace}/${b.name}`];
  const port = svc?.ports.find((p) => p.port === b.port);
  if (!svc || !port) return undefined;
  return svc.backendPolicies?.[port.name] ?? svc.backendPolicies?.['*'];
}

/** RouteAction.hash_policy for a rule: from the first live backend whose BackendPolicy hashes; {} when none does. */
export function routeHashPolicy(rule: RouteRuleModel, model: MeshModel, flavor: HashFlavor): Json {
  for (const b of rule.backends) {
    if (b.weight <= 0) continue;
    const h = backendPolicyFor(model, b)?.hash;
    if (!h || (flavor === 'proxyless' && !proxylessHashes(h))) continue;
    return { hash_policy: [hashPolicy(h)] };
  }
  return {};
}

/** hash_policy for a route straight to one Service port (proxyless catch-all routes); {} when its policy does not hash. */
export function portHashPolicy(model: MeshModel, b: { namespace: string; name: string; port: number }, flavor: HashFlavor): Json {
  const h = backendPolicyFor(model, b)?.hash;
  return h && (flavor === 'envoy' || proxylessHashes(h)) ? { hash_policy: [hashPolicy(h)] } : {};
}

/**
 * TcpProxy.hash_policy (envoy.type.v3.HashPolicy) for a TCP Service port whose
 * policy hashes on the source IP; {} otherwise (header and cookie hashes need
 * HTTP). To spread into the TcpProxy config of sidecar TCP listeners.
 */
export function tcpProxyHashPolicy(model: MeshModel, b: { namespace: string; name: string; port: number }): Json {
  return backendPolicyFor(model, b)?.hash?.type === 'source-ip' ? { hash_policy: [{ source_ip: {} }] } : {};
}
