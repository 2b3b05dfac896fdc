/**
 * RoutePolicy rule filters. Like the Gateway API's HTTPRouteFilter each filter
 * is {type, <member named after type>}; Tower adds CORS, FaultInjection and
 * LocalRateLimit beside the standard header modifiers, redirect, rewrite and
 * mirror.
 */
import { z } from 'zod';
import {
  Duration,
  HeaderName,
  HeaderValue,
  HttpMethod,
  Percent,
  PortNumber,
  PreciseHostname,
  checkUnionMember,
  reportDuplicates,
  uniqueSet,
} from './common';
import { BackendObjectRef } from './refs';

const HeaderPair = z.strictObject({ name: HeaderName, value: HeaderValue });

/** add appends a value, set replaces it, remove deletes the header. */
export const HeaderModifier = z
  .strictObject({
    set: z.array(HeaderPair).max(16).optional(),
    add: z.array(HeaderPair).max(16).optional(),
    remove: uniqueSet(HeaderName, 16).optional(),
  })
  .superRefine((m, ctx) => {
    if (!m.set?.length && !m.add?.length && !m.remove?.length) ctx.addIssue({ code: 'custom', message: 'must set at least one of set, add, remove' });
    reportDuplicates(ctx, m.set, (h) => h.name.toLowerCase(), ['set'], 'header name');
    reportDuplicates(ctx, m.add, (h) => h.name.toLowerCase(), ['add'], 'header name');
  });
export type HeaderModifier = z.infer<typeof HeaderModifier>;

const PathValue = z.string().min(1).max(1024).regex(/^\/[^?#]*$/, 'must start with "/" and contain no "?" or "#"');

/** ReplacePrefixMatch replaces the part matched by a PathPrefix match (the rule's matches must all be PathPrefix). */
export const PathModifier = z
  .strictObject({
    type: z.enum(['ReplaceFullPath', 'ReplacePrefixMatch']),
    replaceFullPath: PathValue.optional(),
    replacePrefixMatch: PathValue.optional(),
  })
  .superRefine((p, ctx) =>
    checkUnionMember(ctx, p, p.type, { ReplaceFullPath: 'replaceFullPath', ReplacePrefixMatch: 'replacePrefixMatch' }),
  );
export type PathModifier = z.infer<typeof PathModifier>;

export const RequestRedirect = z.strictObject({
  scheme: z.enum(['http', 'https']).optional(),
  hostname: PreciseHostname.optional(),
  path: PathModifier.optional(),
  port: PortNumber.optional(),
  statusCode: z.literal([301, 302, 303, 307, 308]).default(302),
});
export type RequestRedirect = z.infer<typeof RequestRedirect>;

export const UrlRewrite = z
  .strictObject({ hostname: PreciseHostname.optional(), path: PathModifier.optional() })
  .superRefine((r, ctx) => {
    if (!r.hostname && !r.path) ctx.addIssue({ code: 'custom', message: 'must set hostname or path' });
  });
export type UrlRewrite = z.infer<typeof UrlRewrite>;

export const RequestMirror = z.strictObject({
  backendRef: BackendObjectRef,
  percent: Percent.default(100),
});
export type RequestMirror = z.infer<typeof RequestMirror>;

/** "*", an exact origin ("https://a.example.com:8443") or a wildcard host ("https://*.example.com"). */
export const CorsOrigin = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?)$/,
    'must be "*" or scheme://host[:port] where host may start with "*."',
  );

export const Cors = z
  .strictObject({
    allowOrigins: uniqueSet(CorsOrigin, 64, 1),
    allowMethods: uniqueSet(z.enum([...HttpMethod.options, '*']), 10).optional(),
    allowHeaders: uniqueSet(HeaderName, 64).optional().describe('header names, or "*" for any'),
    exposeHeaders: uniqueSet(HeaderName, 64).optional(),
    maxAge: z.number().int().min(1).max(86400).optional().describe('seconds a preflight response may be cached'),
    allowCredentials: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.allowCredentials && c.allowOrigins.includes('*')) {
      ctx.addIssue({ code: 'custom', path: ['allowOrigins'], message: 'must list origins, not "*", when allowCredentials is true' });
    }
  });
export type Cors = z.infer<typeof Cors>;

export const FaultInjection = z
  .strictObject({
    delay: z.strictObject({ fixedDelay: Duration, percent: Percent.default(100) }).optional(),
    abort: z
      .strictObject({
        httpStatus: z.number().int().min(200).max(599).optional(),
        grpcStatus: z.number().int().min(0).max(16).optional(),
        percent: Percent.default(100),
      })
      .superRefine((a, ctx) => {
        if ((a.httpStatus === undefined) === (a.grpcStatus === undefined)) {
          ctx.addIssue({ code: 'custom', message: 'must set exactly one of httpStatus, grpcStatus' });
        }
      })
      .optional(),
  })
  .superRefine((f, ctx) => {
    if (!f.delay && !f.abort) ctx.addIssue({ code: 'custom', message: 'must set delay or abort' });
  });
export type FaultInjection = z.infer<typeof FaultInjection>;

/** Token bucket per Envoy: holds requests + burst tokens, refilled with `requests` tokens every unit. */
export const LocalRateLimit = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000_000),
  unit: z.enum(['Second', 'Minute', 'Hour']),
  burst: z.number().int().min(0).max(1_000_000_000).default(0),
});
export type LocalRateLimit = z.infer<typeof LocalRateLimit>;

export const filterMembers = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  RequestMirror: 'requestMirror',
  CORS: 'cors',
  FaultInjection: 'faultInjection',
  LocalRateLimit: 'localRateLimit',
} as const;
export type FilterType = keyof typeof filterMembers;

export const RouteFilter = z
  .strictObject({
    type: z.enum(Object.keys(filterMembers) as [FilterType, ...FilterType[]]),
    requestHeaderModifier: HeaderModifier.optional(),
    responseHeaderModifier: HeaderModifier.optional(),
    requestRedirect: RequestRedirect.optional(),
    urlRewrite: UrlRewrite.optional(),
    requestMirror: RequestMirror.optional(),
    cors: Cors.optional(),
    faultInjection: FaultInjection.optional(),
    localRateLimit: LocalRateLimit.optional(),
  })
  .superRefine((f, ctx) => checkUnionMember(ctx, f, f.type, filterMembers));
export type RouteFilter = z.infer<typeof RouteFilter>;
