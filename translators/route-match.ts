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

export function pathSpecifier(path: RouteMatchModel['path']): Json {
  switch (path.type) {
    case 'exact':
      return { path: path.value };
    case 'regex':
      return { safe_regex: { regex: path.value } };
    case 'prefix':
      return { prefix: path.value };
  }
}

export function routeMatch(m: RouteMatchModel): Json {
  const headers: Json[] = (m.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), string_match: stringMatch(h) }));
  if (m.method) headers.push({ name: ':method', string_match: { exact: m.method } });
  const query = (m.queryParams ?? []).map((q) => ({ name: q.name, string_match: stringMatch(q) }));
  return { ...pathSpecifier(m.path), ...(headers.length > 0 ? { headers } : {}), ...(query.length > 0 ? { query_parameters: query } : {}) };
}
