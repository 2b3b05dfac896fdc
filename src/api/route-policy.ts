/**
 * RoutePolicy (tower.dev/v1alpha1): HTTP routing, shaped like the Gateway API
 * HTTPRoute. parentRefs attach it to Gateway listeners (north-south) or to
 * Services (east-west, GAMMA: the rules then apply to traffic sent to that
 * Service by sidecars and proxyless clients). Rules match requests, apply
 * filters and forward to weighted Service backends with timeouts and retries.
 */
import { z } from 'zod';
import { ObjectMeta } from '../k8s/types';
import { Duration, Hostname, HttpStatusCode, SectionName, tryParseDurationMs, reportDuplicates, towerApiVersion, uniqueSet } from './common';
import { BackendRef, ParentRef, refKey } from './refs';
import { RouteFilter } from './route-filters';
import { RouteMatch } from './route-match';
import { RouteStatus } from './status';

export const RetryOn = z.enum([
  '5xx',
  'gateway-error',
  'reset',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);
export type RetryOn = z.infer<typeof RetryOn>;

export const Retry = z
  .strictObject({
    attempts: z.number().int().min(0).max(10).default(1).describe('retries after the first try'),
    retryOn: uniqueSet(RetryOn, 12).optional().describe('Envoy retry_on conditions; default connect-failure,refused-stream,unavailable,cancelled'),
    retriableStatusCodes: uniqueSet(HttpStatusCode, 16).optional().describe('needs retryOn retriable-status-codes'),
    perTryTimeout: Duration.optional(),
    backoff: z
      .strictObject({ baseInterval: Duration.optional(), maxInterval: Duration.optional() })
      .superRefine((b, ctx) => {
        const base = tryParseDurationMs(b.baseInterval);
        const max = tryParseDurationMs(b.maxInterval);
        if (base === 0) ctx.addIssue({ code: 'custom', path: ['baseInterval'], message: 'must be greater than 0' });
        if (base !== undefined && max !== undefined && max < base) {
          ctx.addIssue({ code: 'custom', path: ['maxInterval'], message: 'must not be shorter than baseInterval' });
        }
      })
      .optional(),
  })
  .superRefine((r, ctx) => {
    const wantsCodes = r.retryOn?.includes('retriable-status-codes') ?? false;
    const hasCodes = (r.retriableStatusCodes?.length ?? 0) > 0;
    if (wantsCodes && !hasCodes) {
      ctx.addIssue({ code: 'custom', path: ['retriableStatusCodes'], message: 'must list codes when retryOn has retriable-status-codes' });
    }
    if (hasCodes && !wantsCodes) {
      ctx.addIssue({ code: 'custom', path: ['retryOn'], message: 'must include retriable-status-codes when retriableStatusCodes is set' });
    }
  });
export type Retry = z.infer<typeof Retry>;

/** request bounds the whole exchange (all retries); backendRequest bounds each try (Envoy per_try_timeout). "0s" disables. */
export const Timeouts = z.strictObject({
  request: Duration.optional(),
  backendRequest: Duration.optional(),
});
export type Timeouts = z.infer<typeof Timeouts>;

export const RouteRule = z
  .strictObject({
    name: SectionName.optional().describe('unique within the RoutePolicy; SecurityPolicy targetRefs sectionName names it'),
    matches: z.array(RouteMatch).max(16).optional().describe('ORed; absent means PathPrefix "/"'),
    filters: z.array(RouteFilter).max(16).optional(),
    backendRefs: z.array(BackendRef).max(16).optional(),
    timeouts: Timeouts.optional(),
    retry: Retry.optional(),
  })
  .superRefine((r, ctx) => {
    const types = (r.filters ?? []).map((f) => f.type);
    types.forEach((t, i) => {
      if (t !== 'RequestMirror' && types.indexOf(t) !== i) {
        ctx.addIssue({ code: 'custom', path: ['filters', i, 'type'], message: `filter ${t} appears more than once` });
      }
    });
    const redirect = r.filters?.find((f) => f.type === 'RequestRedirect')?.requestRedirect;
    const rewrite = r.filters?.find((f) => f.type === 'URLRewrite')?.urlRewrite;
    if (redirect && rewrite) ctx.addIssue({ code: 'custom', path: ['filters'], message: 'RequestRedirect and URLRewrite cannot be used together' });
    if (redirect && (r.backendRefs?.length ?? 0) > 0) {
      ctx.addIssue({ code: 'custom', path: ['backendRefs'], message: 'must be empty when the rule has a RequestRedirect filter' });
    }
    const prefixRewrite = [redirect?.path, rewrite?.path].some((p) => p?.type === 'ReplacePrefixMatch');
    if (prefixRewrite) {
      const ok = (r.matches?.length ?? 0) > 0 && r.matches!.every((m) => (m.path?.type ?? 'PathPrefix') === 'PathPrefix');
      if (!ok) ctx.addIssue({ code: 'custom', path: ['matches'], message: 'must all be PathPrefix matches when a filter uses ReplacePrefixMatch' });
    }
    if (r.backendRefs && r.backendRefs.length > 0 && r.backendRefs.every((b) => b.weight === 0)) {
      ctx.addIssue({ code: 'custom', path: ['backendRefs'], message: 'weights must not all be 0 (no backend could receive traffic)' });
    }
    reportDuplicates(ctx, r.backendRefs, (b) => `${b.namespace ?? ''}/${b.name}:${b.port}`, ['backendRefs'], 'backendRef');
    const t = r.timeouts;
    const req = tryParseDurationMs(t?.request);
    const perTry = tryParseDurationMs(t?.backendRequest);
    if (req !== undefined && perTry !== undefined) {
      if (req !== 0 && perTry > req) {
        ctx.addIssue({ code: 'custom', path: ['timeouts', 'backendRequest'], message: 'must not be longer than timeouts.request' });
      }
    }
    if (t?.backendRequest && r.retry?.perTryTimeout) {
      ctx.addIssue({ code: 'custom', path: ['retry', 'perTryTimeout'], message: 'must not be set together with timeouts.backendRequest (both are the per-try timeout)' });
    }
  });
export type RouteRule = z.infer<typeof RouteRule>;

export const RoutePolicySpec = z
  .strictObject({
    parentRefs: z.array(ParentRef).min(1).max(32),
    hostnames: uniqueSet(Hostname, 16).optional().describe('Host headers to match (Gateway parents only); empty means all the listener serves'),
    rules: z.array(RouteRule).min(1).max(32),
  })
  .superRefine((s, ctx) => {
    const kinds = new Set(s.parentRefs.map((p) => p.kind));
    if (kinds.size > 1) {
      ctx.addIssue({ code: 'custom', path: ['parentRefs'], message: 'must all be Gateways or all be Services, not a mix' });
    }
    if (kinds.has('Service') && (s.hostnames?.length ?? 0) > 0) {
      ctx.addIssue({ code: 'custom', path: ['hostnames'], message: 'must be empty when parentRefs are Services (the Service is the destination)' });
    }
    reportDuplicates(ctx, s.parentRefs, refKey, ['parentRefs'], 'parentRef');
    reportDuplicates(ctx, s.rules, (r) => r.name, ['rules'], 'rule name');
  });
export type RoutePolicySpec = z.infer<typeof RoutePolicySpec>;

export const RoutePolicy = z.looseObject({
  apiVersion: z.literal(towerApiVersion),
  kind: z.literal('RoutePolicy'),
  metadata: ObjectMeta,
  spec: RoutePolicySpec,
  status: RouteStatus.optional(),
});
export type RoutePolicy = z.infer<typeof RoutePolicy>;
