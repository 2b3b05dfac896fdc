/**
 * Checks Envoy enforces in code rather than in protoc-gen-validate
 * annotations, keyed by message type. Each runs on a message that already
 * passed decoding; it appends FieldErrors relative to the current path.
 */
import type { DecodeCtx, ProtoObject } from './json-codec';
import { re2Problem } from './validate-re2';

export type SemanticHook = (msg: ProtoObject, ctx: DecodeCtx) => void;

/** Every safe_regex must compile as RE2 (Envoy rejects the whole resource otherwise). */
const regexMatcher: SemanticHook = (msg, ctx) => {
  const regex = typeof msg.regex === 'string' ? msg.regex : '';
  const problem = re2Problem(regex);
  if (problem !== undefined) ctx.errors.push({ path: ctx.path.render('regex'), message: problem });
};

const routerType = 'envoy.extensions.filters.http.router.v3.Router';
const routerName = 'envoy.filters.http.router';

function isRouter(filter: ProtoObject): boolean {
  const tc = filter.typed_config as ProtoObject | undefined;
  if (tc && typeof tc.type_url === 'string') return tc.type_url.endsWith(`/${routerType}`) || tc.type_url === routerType;
  return filter.name === routerName;
}

/**
 * HttpConnectionManager: the router is terminal, so it must be the last HTTP
 * filter, and the last filter must be terminal (Envoy: "non-terminal filter …
 * is the last filter in a http filter chain"). The router is the only
 * terminal HTTP filter Tower emits.
 */
const httpConnectionManager: SemanticHook = (msg, ctx) => {
  const filters = msg.http_filters as ProtoObject[] | undefined;
  if (!filters || filters.length === 0) return;
  const last = filters.length - 1;
  for (let i = 0; i < last; i++) {
    if (isRouter(filters[i])) {
      ctx.errors.push({ path: `${ctx.path.render('http_filters')}[${i}]`, message: `the router filter is terminal and must be the last HTTP filter (it is at ${i} of ${filters.length})` });
    }
  }
  if (!isRouter(filters[last])) {
    ctx.errors.push({ path: `${ctx.path.render('http_filters')}[${last}]`, message: `the last HTTP filter must be the router (${routerName}); "${String(filters[last].name ?? '')}" is not terminal` });
  }
};

export const semanticHooks: ReadonlyMap<string, SemanticHook> = new Map<string, SemanticHook>([
  ['envoy.type.matcher.v3.RegexMatcher', regexMatcher],
  ['xds.type.matcher.v3.RegexMatcher', regexMatcher],
  ['envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', httpConnectionManager],
]);
