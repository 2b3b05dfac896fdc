/**
 * envoy.config.route.v3.RouteMatch from a model match: path (prefix, exact
 * path, RE2 safe_regex), headers (string_match), query parameters and the
 * method as a ":method" header. Proxyless gRPC takes no query parameters
 * (a gRPC request has none): the caller drops such matches for proxyless.
 */
import type { RouteMatchModel, ValueMatchModel } from '../src/model/types';
import type { Json } from './types';

function stringMatch(v: Pick<ValueMatchModel, 'type' | 'value'>): Json {
  return v.type === 'regex' ? { safe_regex: { regex: v.value } } : { exact: v.value };
}

/**
 * How a PathPrefix is written. RoutePolicy's PathPrefix matches whole path
 * elements, as the Gateway API's does: "/api" (or "/api/") matches "/api",
 * "/api/" and "/api/v1", never "/apix".
 *  - 'envoy': path_separated_prefix (Envoy ≥ 1.24); "/" stays prefix "/".
 *  - 'proxyless': gRPC clients know only prefix, path and safe_regex, so a
 *    full-match regex "<prefix>(/.*)?".
 *  - 'plain': a character prefix (jwt_authn requirement rules, where matching
 *    more paths than asked only asks for a token more often).
 */
export type PathFlavor = 'envoy' | 'proxyless' | 'plain';

const re2Special = /[\\.+*?()|[\]{}^$]/g;
export const re2Escape = (s: string): string => s.replace(re2Special, '\\$&');

/** The prefix without trailing slashes ("/" for "/" or "//"). */
export function elementPrefix(value: string): string {
  return value.replace(/\/+$/, '') || '/';
}

export function pathSpecifier(path: RouteMatchModel['path'], flavor: PathFlavor = 'plain'): Json {
  switch (path.type) {
    case 'exact':
      return { path: path.value };
    case 'regex':
      return { safe_regex: { regex: path.value } };
    case 'prefix': {
      const p = elementPrefix(path.value);
      if (flavor === 'plain' || p === '/') return { prefix: flavor === 'plain' ? path.value : '/' };
      return flavor === 'envoy' ? { path_separated_prefix: p } : { safe_regex: { regex: `${re2Escape(p)}(/.*)?` } };
    }
  }
}

export function routeMatch(m: RouteMatchModel, flavor: Exclude<PathFlavor, 'plain'> = 'envoy'): Json {
  const headers: Json[] = (m.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), string_match: stringMatch(h) }));
  if (m.method) headers.push({ name: ':method', string_match: { exact: m.method } });
  const query = (m.queryParams ?? []).map((q) => ({ name: q.name, string_match: stringMatch(q) }));
  return { ...pathSpecifier(m.path, flavor), ...(headers.length > 0 ? { headers } : {}), ...(query.length > 0 ? { query_parameters: query } : {}) };
}
