/**
 * Request matching for RoutePolicy rules, as in the Gateway API HTTPRouteMatch:
 * a match is the AND of its path, headers, query parameters and method; a
 * rule's matches are ORed. Regexes are RE2 (Envoy safe_regex) and checked here.
 */
import { z } from 'zod';
import { HeaderName, HeaderValue, HttpMethod, maxRegexLength, re2Error, reportDuplicates } from './common';

export const PathMatchType = z.enum(['Exact', 'PathPrefix', 'RegularExpression']);
export type PathMatchType = z.infer<typeof PathMatchType>;

/** Path match; type defaults to PathPrefix, value to "/". Exact and PathPrefix values start with "/". */
export const PathMatch = z
  .strictObject({
    type: PathMatchType.default('PathPrefix'),
    value: z.string().min(1).max(maxRegexLength).default('/'),
  })
  .superRefine((m, ctx) => checkMatchValue(ctx, m.type, m.value, true));
export type PathMatch = z.infer<typeof PathMatch>;

export const ValueMatchType = z.enum(['Exact', 'RegularExpression']);

export const HeaderMatch = z
  .strictObject({
    type: ValueMatchType.default('Exact'),
    name: HeaderName,
    value: HeaderValue,
  })
  .superRefine((m, ctx) => checkMatchValue(ctx, m.type, m.value, false));
export type HeaderMatch = z.infer<typeof HeaderMatch>;

export const QueryParamMatch = z
  .strictObject({
    type: ValueMatchType.default('Exact'),
    name: z.string().min(1).max(256).regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be a query parameter name'),
    value: z.string().max(1024),
  })
  .superRefine((m, ctx) => checkMatchValue(ctx, m.type, m.value, false));
export type QueryParamMatch = z.infer<typeof QueryParamMatch>;

export const RouteMatch = z
  .strictObject({
    path: PathMatch.optional(),
    headers: z.array(HeaderMatch).max(16).optional(),
    queryParams: z.array(QueryParamMatch).max(16).optional(),
    method: HttpMethod.optional(),
  })
  .superRefine((m, ctx) => {
    reportDuplicates(ctx, m.headers, (h) => h.name.toLowerCase(), ['headers'], 'header name');
    reportDuplicates(ctx, m.queryParams, (q) => q.name, ['queryParams'], 'query parameter name');
  });
export type RouteMatch = z.infer<typeof RouteMatch>;

function checkMatchValue(ctx: z.RefinementCtx, type: string, value: string, isPath: boolean): void {
  if (type === 'RegularExpression') {
    const err = re2Error(value);
    if (err) ctx.addIssue({ code: 'custom', path: ['value'], message: `invalid RE2 regex ${JSON.stringify(value)}: ${err}` });
    return;
  }
  if (isPath) {
    if (!value.startsWith('/')) ctx.addIssue({ code: 'custom', path: ['value'], message: `must start with "/" for type ${type}` });
    if (/[?#]/.test(value) || value.includes('//')) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must not contain "?", "#" or "//"' });
    }
  }
}
