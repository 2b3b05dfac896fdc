/**
 * JWT validation: envoy.filters.http.jwt_authn
 * (envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication). One
 * provider per SecurityPolicy provider (inline JWKS, or remote JWKS fetched
 * through a LOGICAL_DNS cluster with TLS to the JWKS host); every provider
 * writes the token's payload to dynamic metadata under "jwt_payload" so RBAC
 * can match claims. Rules: the policy's, first match applies; without rules
 * every request needs a token from one of the providers.
 */
import type { JwtModel, JwtProviderModel, SecurityPathModel } from '../src/model/types';
import { connectTimeout } from './cluster';
import { any, socketAddress } from './config-source';
import { durationJson } from './duration';
import { pathSpecifier } from './route-match';
import type { Json } from './types';

export const jwtAuthnFilterName = 'envoy.filters.http.jwt_authn';
const jwtType = 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
export const jwtPerRouteType = 'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig';
/** Dynamic metadata key (under the filter name) holding the verified payload. */
export const jwtPayloadKey = 'jwt_payload';

/** Cluster that fetches a remote JWKS: jwks|<host>:<port>. */
export function jwksClusterName(r: { host: string; port: number }): string {
  return `jwks|${r.host}:${r.port}`;
}

/** LOGICAL_DNS cluster to the JWKS host, TLS with SNI = host. */
export function jwksCluster(r: { host: string; port: number }): Json {
  const name = jwksClusterName(r);
  return {
    name,
    type: 'LOGICAL_DNS',
    dns_lookup_family: 'V4_PREFERRED',
    connect_timeout: connectTimeout,
    lb_policy: 'ROUND_ROBIN',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(r.host, r.port) } }] }] },
    transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: any('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', { sni: r.host }) },
  };
}

export function jwtProvider(p: JwtProviderModel): Json {
  const r = p.remoteJwks;
  return {
    ...(p.issuer ? { issuer: p.issuer } : {}),
    ...(p.audiences ? { audiences: [...p.audiences] } : {}),
    ...(p.localJwks !== undefined ? { local_jwks: { inline_string: p.localJwks } } : {}),
    ...(r
      ? {
          remote_jwks: {
            http_uri: { uri: r.uri, cluster: jwksClusterName(r), timeout: '5s' },
            ...(r.cacheDurationMs !== undefined ? { cache_duration: durationJson(r.cacheDurationMs) } : {}),
          },
        }
      : {}),
    ...(p.forward ? { forward: true } : {}),
    ...(p.claimToHeaders ? { claim_to_headers: p.claimToHeaders.map((c) => ({ header_name: c.header, claim_name: c.claim })) } : {}),
    payload_in_metadata: jwtPayloadKey,
  };
}

function requirement(providers: readonly string[], optional: boolean): Json {
  const one = providers.map((n) => ({ provider_name: n }));
  if (!optional && one.length === 1) return one[0] as Json;
  return { requires_any: { requirements: [...one, ...(optional ? [{ allow_missing: {} }] : [])] } };
}

function ruleMatch(path: SecurityPathModel): Json {
  return pathSpecifier(path);
}

function listenerRules(jwt: JwtModel): Json[] {
  const all = jwt.providers.map((p) => p.name);
  return jwt.rules
    ? jwt.rules.map((r) => ({ match: ruleMatch(r.path), requires: requirement(r.providers ?? all, r.optional ?? false) }))
    : [{ match: { prefix: '/' }, requires: requirement(all, false) }];
}

export function jwtAuthnFilter(jwt: JwtModel): Json {
  return {
    name: jwtAuthnFilterName,
    typed_config: any(jwtType, { providers: Object.fromEntries(jwt.providers.map((p) => [p.name, jwtProvider(p)])), rules: listenerRules(jwt) }),
  };
}

/** A route-level policy's JWT: its requirement_map entries are "<key>" (no rules: any provider) and "<key>#<i>" (rule i). */
export interface RouteJwt {
  readonly key: string;
  readonly jwt: JwtModel;
  /** Providers keyed by their own names (the policy is also the listener-level one); otherwise "<key>/<name>". */
  readonly plainNames: boolean;
}

/**
 * One jwt_authn filter for an HCM mixing a listener-level JWT (filter rules,
 * absent = no rules) and route-level ones (requirement_map, chosen per route
 * by a PerRouteConfig requirement_name).
 */
export function jwtAuthnWithRoutes(listener: JwtModel | undefined, routes: readonly RouteJwt[]): Json {
  const providers: Record<string, Json> = {};
  for (const p of listener?.providers ?? []) providers[p.name] = jwtProvider(p);
  const requirementMap: Record<string, Json> = {};
  for (const r of routes) {
    const keyOf = (name: string) => (r.plainNames ? name : `${r.key}/${name}`);
    for (const p of r.jwt.providers) providers[keyOf(p.name)] = jwtProvider(p);
    const all = r.jwt.providers.map((p) => keyOf(p.name));
    if (!r.jwt.rules) requirementMap[r.key] = requirement(all, false);
    else r.jwt.rules.forEach((rule, i) => (requirementMap[`${r.key}#${i}`] = requirement(rule.providers ? rule.providers.map(keyOf) : all, rule.optional ?? false)));
  }
  return {
    name: jwtAuthnFilterName,
    typed_config: any(jwtType, {
      providers,
      ...(listener ? { rules: listenerRules(listener) } : {}),
      ...(Object.keys(requirementMap).length > 0 ? { requirement_map: requirementMap } : {}),
    }),
  };
}
