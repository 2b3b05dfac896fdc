/**
 * RoutePolicy (tower.dev/v1alpha1, already validated by its CRD schema) →
 * RouteModel. Gateway parents attach the rules to listeners (virtual hosts
 * per spec.hostnames); Service parents (GAMMA) replace the Service's default
 * route for sidecars and proxyless clients. Durations become milliseconds;
 * namespaces default to the policy's.
 */
import { parseDurationMs } from '../api/common';
import type { RoutePolicy, RouteRule } from '../api/route-policy';
import type { HeaderModifier, PathModifier, RouteFilter } from '../api/route-filters';
import type { RouteMatch } from '../api/route-match';
import type { HeaderModifierModel, PathModifierModel, RouteFiltersModel, RouteMatchModel, RouteModel, RouteRuleModel, SourceRef } from './types';

/** Default Envoy retry_on when a retry names no conditions. */
export const defaultRetryOn = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'] as const;

const unitMs = { Second: 1000, Minute: 60_000, Hour: 3_600_000 } as const;

function matchModel(m: RouteMatch): RouteMatchModel {
  const p = m.path ?? { type: 'PathPrefix', value: '/' };
  const type = p.type === 'Exact' ? 'exact' : p.type === 'RegularExpression' ? 'regex' : 'prefix';
  const vm = (x: { name: string; type: string; value: string }) => ({ name: x.name, type: x.type === 'RegularExpression' ? ('regex' as const) : ('exact' as const), value: x.value });
  return {
    path: { type, value: p.value },
    ...(m.headers && m.headers.length > 0 ? { headers: m.headers.map(vm) } : {}),
    ...(m.queryParams && m.queryParams.length > 0 ? { queryParams: m.queryParams.map(vm) } : {}),
    ...(m.method ? { method: m.method } : {}),
  };
}

function headerModel(h: HeaderModifier): HeaderModifierModel {
  return {
    ...(h.set?.length ? { set: h.set.map((x) => ({ name: x.name, value: x.value })) } : {}),
    ...(h.add?.length ? { add: h.add.map((x) => ({ name: x.name, value: x.value })) } : {}),
    ...(h.remove?.length ? { remove: [...h.remove] } : {}),
  };
}

function pathModel(p: PathModifier | undefined): PathModifierModel | undefined {
  if (!p) return undefined;
  return p.type === 'ReplaceFullPath' ? { type: 'full', value: p.replaceFullPath ?? '/' } : { type: 'prefix', value: p.replacePrefixMatch ?? '/' };
}

function filtersModel(filters: readonly RouteFilter[], ns: string): RouteFiltersModel | undefined {
  const out: { -readonly [K in keyof RouteFiltersModel]: RouteFiltersModel[K] } = {};
  const mirrors: NonNullable<RouteFiltersModel['mirrors']>[number][] = [];
  filters.forEach((f, fi) => {
    if (f.requestHeaderModifier) out.requestHeaders = headerModel(f.requestHeaderModifier);
    if (f.responseHeaderModifier) out.responseHeaders = headerModel(f.responseHeaderModifier);
    if (f.requestRedirect) {
      const r = f.requestRedirect;
      const path = pathModel(r.path);
      out.redirect = { ...(r.scheme ? { scheme: r.scheme } : {}), ...(r.hostname ? { hostname: r.hostname } : {}), ...(r.port ? { port: r.port } : {}), ...(path ? { path } : {}), statusCode: r.statusCode };
    }
    if (f.urlRewrite) {
      const path = pathModel(f.urlRewrite.path);
      out.rewrite = { ...(f.urlRewrite.hostname ? { hostname: f.urlRewrite.hostname } : {}), ...(path ? { path } : {}) };
    }
    if (f.requestMirror) {
      const b = f.requestMirror.backendRef;
      mirrors.push({ backend: { namespace: b.namespace ?? ns, name: b.name, port: b.port, weight: 1 }, percent: f.requestMirror.percent, filterIndex: fi });
    }
    if (f.cors) {
      const c = f.cors;
      out.cors = {
        allowOrigins: [...c.allowOrigins],
        ...(c.allowMethods ? { allowMethods: [...c.allowMethods] } : {}),
        ...(c.allowHeaders ? { allowHeaders: [...c.allowHeaders] } : {}),
        ...(c.exposeHeaders ? { exposeHeaders: [...c.exposeHeaders] } : {}),
        ...(c.maxAge !== undefined ? { maxAgeSeconds: c.maxAge } : {}),
        ...(c.allowCredentials !== undefined ? { allowCredentials: c.allowCredentials } : {}),
      };
    }
    if (f.faultInjection) {
      const { delay, abort } = f.faultInjection;
      out.fault = {
        ...(delay ? { delay: { fixedDelayMs: parseDurationMs(delay.fixedDelay), percent: delay.percent } } : {}),
        ...(abort ? { abort: { ...(abort.httpStatus !== undefined ? { httpStatus: abort.httpStatus } : {}), ...(abort.grpcStatus !== undefined ? { grpcStatus: abort.grpcStatus } : {}), percent: abort.percent } } : {}),
      };
    }
    if (f.localRateLimit) out.rateLimit = { requests: f.localRateLimit.requests, fillIntervalMs: unitMs[f.localRateLimit.unit], burst: f.localRateLimit.burst };
  });
  if (mirrors.length > 0) out.mirrors = mirrors;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function ruleModel(rule: RouteRule, index: number, ns: string): RouteRuleModel {
  const filters = filtersModel(rule.filters ?? [], ns);
  const t = rule.timeouts;
  const r = rule.retry;
  const perTry = t?.backendRequest ?? r?.perTryTimeout;
  return {
    index,
    ...(rule.name !== undefined ? { name: rule.name } : {}),
    matches: rule.matches && rule.matches.length > 0 ? rule.matches.map(matchModel) : [{ path: { type: 'prefix', value: '/' } }],
    backends: (rule.backendRefs ?? []).map((b) => ({ namespace: b.namespace ?? ns, name: b.name, port: b.port, weight: b.weight })),
    ...(filters ? { filters } : {}),
    ...(t?.request !== undefined ? { timeoutMs: parseDurationMs(t.request) } : {}),
    ...(perTry !== undefined ? { perTryTimeoutMs: parseDurationMs(perTry) } : {}),
    ...(r
      ? {
          retry: {
            attempts: r.attempts,
            retryOn: r.retryOn && r.retryOn.length > 0 ? [...r.retryOn] : [...defaultRetryOn],
            ...(r.retriableStatusCodes?.length ? { retriableStatusCodes: [...r.retriableStatusCodes] } : {}),
            ...(r.backoff && (r.backoff.baseInterval || r.backoff.maxInterval)
              ? {
                  backoff: {
                    ...(r.backoff.baseInterval ? { baseIntervalMs: parseDurationMs(r.backoff.baseInterval) } : {}),
                    ...(r.backoff.maxInterval ? { maxIntervalMs: parseDurationMs(r.backoff.maxInterval) } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}

export function routeFromRoutePolicy(p: RoutePolicy, source: SourceRef): RouteModel {
  const ns = p.metadata.namespace ?? 'default';
  return {
    key: `routepolicy/${ns}/${p.metadata.name}`,
    parents: p.spec.parentRefs.map((r) =>
      r.kind === 'Service'
        ? { kind: 'service' as const, service: { namespace: r.namespace ?? ns, name: r.name }, ...(r.port !== undefined ? { port: r.port } : {}) }
        : { kind: 'gateway' as const, gateway: { namespace: r.namespace ?? ns, name: r.name }, ...(r.sectionName ? { sectionName: r.sectionName } : {}), ...(r.port !== undefined ? { port: r.port } : {}) },
    ),
    hostnames: [...(p.spec.hostnames ?? [])],
    rules: p.spec.rules.map((r, i) => ruleModel(r, i, ns)),
    source,
    ...(p.metadata.creationTimestamp ? { createdAt: p.metadata.creationTimestamp } : {}),
  };
}
