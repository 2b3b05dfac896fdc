/**
 * SecurityPolicy (tower.dev/v1alpha1): who may call a Gateway, a RoutePolicy
 * (or one of its rules) or a Service. jwt validates bearer tokens; authorization
 * allows or denies by caller identity (the calling sidecar's namespace and
 * service account, proven by mTLS, or JWT claims) and by request (path,
 * method, headers).
 *
 * Evaluation: if any Deny rule matches, the request is denied; otherwise, if
 * any Allow rule matches, it is allowed; otherwise defaultAction applies.
 * (This is what a DENY RBAC filter followed by an ALLOW RBAC filter does.)
 * Within a rule every field that is set must match; list entries are ORed.
 */
import { z } from 'zod';
import { ObjectMeta } from '../k8s/types';
import { Duration, HeaderName, HeaderValue, HttpMethod, Namespace, ObjectName, reportDuplicates, towerApiVersion, uniqueSet } from './common';
import { refKey, targetRef } from './refs';
import { PathMatch } from './route-match';
import { PolicyStatus } from './status';

const Claim = z.string().min(1).max(253).describe('claim name; nested claims with "." (e.g. realm.roles)');

export const RemoteJwks = z.strictObject({
  uri: z.string().min(9).max(2048).regex(/^https:\/\/[^\s/?#]+[^\s]*$/, 'must be an https:// URL'),
  cacheDuration: Duration.optional().describe('default 5m'),
});
export type RemoteJwks = z.infer<typeof RemoteJwks>;

export const JwtProvider = z
  .strictObject({
    name: z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain'),
    issuer: z.string().min(1).max(2048).optional(),
    audiences: uniqueSet(z.string().min(1).max(2048), 16).optional(),
    localJWKS: z.strictObject({ inline: z.string().min(2).max(65536) }).optional().describe('JWKS JSON inline'),
    remoteJWKS: RemoteJwks.optional(),
    claimToHeaders: z.array(z.strictObject({ claim: Claim, header: HeaderName })).max(16).optional(),
    forward: z.boolean().optional().describe('keep the token in the request sent upstream (default removed)'),
  })
  .superRefine((p, ctx) => {
    if ((p.localJWKS === undefined) === (p.remoteJWKS === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must set exactly one of localJWKS, remoteJWKS' });
    }
    if (p.localJWKS) {
      try {
        const j = JSON.parse(p.localJWKS.inline) as { keys?: unknown };
        if (!Array.isArray(j.keys)) throw new Error('no "keys" array');
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['localJWKS', 'inline'], message: `must be a JWKS JSON document: ${(e as Error).message}` });
      }
    }
    reportDuplicates(ctx, p.claimToHeaders, (c) => c.header.toLowerCase(), ['claimToHeaders'], 'header');
  });
export type JwtProvider = z.infer<typeof JwtProvider>;

/** Requests whose path matches need a valid token from one of `providers` (all providers when omitted), unless optional. */
export const JwtRule = z.strictObject({
  path: PathMatch,
  providers: uniqueSet(z.string().min(1).max(253), 8).optional(),
  optional: z.boolean().optional().describe('accept requests without a token (a present token must still be valid)'),
});
export type JwtRule = z.infer<typeof JwtRule>;

export const Jwt = z
  .strictObject({
    providers: z.array(JwtProvider).min(1).max(8),
    rules: z.array(JwtRule).max(32).optional().describe('first match applies; absent means a token is required on every request'),
  })
  .superRefine((j, ctx) => {
    reportDuplicates(ctx, j.providers, (p) => p.name, ['providers'], 'provider name');
    const names = new Set(j.providers.map((p) => p.name));
    (j.rules ?? []).forEach((r, i) =>
      (r.providers ?? []).forEach((n, k) => {
        if (!names.has(n)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'providers', k], message: `no provider named ${JSON.stringify(n)}` });
      }),
    );
  });
export type Jwt = z.infer<typeof Jwt>;

/** A calling workload: its namespace and, optionally, its service account (SPIFFE spiffe://<td>/ns/<ns>/sa/<sa>). */
export const Principal = z.strictObject({
  namespace: Namespace,
  serviceAccount: ObjectName.optional().describe('any service account of the namespace when omitted'),
});
export type Principal = z.infer<typeof Principal>;

export const ClaimMatch = z.strictObject({
  name: Claim,
  values: uniqueSet(z.string().max(1024), 16, 1).describe('the claim (or one element of a list claim) equals one of these'),
});
export type ClaimMatch = z.infer<typeof ClaimMatch>;

export const AuthorizationRule = z
  .strictObject({
    name: z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label').optional(),
    action: z.enum(['Allow', 'Deny']),
    from: z
      .strictObject({
        principals: z.array(Principal).min(1).max(16).optional(),
        jwtClaims: z.array(ClaimMatch).min(1).max(16).optional().describe('all must match'),
      })
      .optional()
      .describe('any caller when omitted'),
    to: z
      .strictObject({
        paths: z.array(PathMatch).min(1).max(16).optional(),
        methods: uniqueSet(HttpMethod, 9, 1).optional(),
        headers: z.array(z.strictObject({ name: HeaderName, values: uniqueSet(HeaderValue, 16, 1) })).min(1).max(16).optional(),
      })
      .optional()
      .describe('any request when omitted'),
  })
  .superRefine((r, ctx) => {
    if (!r.from && !r.to) ctx.addIssue({ code: 'custom', message: 'must set from or to (a rule matching everything is defaultAction)' });
  });
export type AuthorizationRule = z.infer<typeof AuthorizationRule>;

export const Authorization = z
  .strictObject({
    defaultAction: z.enum(['Allow', 'Deny']).default('Deny'),
    rules: z.array(AuthorizationRule).max(64).optional(),
  })
  .superRefine((a, ctx) => reportDuplicates(ctx, a.rules, (r) => r.name, ['rules'], 'rule name'));
export type Authorization = z.infer<typeof Authorization>;

export const SecurityTargetRef = targetRef(['Gateway', 'RoutePolicy', 'Service']);
export type SecurityTargetRef = z.infer<typeof SecurityTargetRef>;

export const SecurityPolicySpec = z
  .strictObject({
    targetRefs: z.array(SecurityTargetRef).min(1).max(16),
    jwt: Jwt.optional(),
    authorization: Authorization.optional(),
  })
  .superRefine((s, ctx) => {
    reportDuplicates(ctx, s.targetRefs, refKey, ['targetRefs'], 'targetRef');
    if (!s.jwt && !s.authorization) ctx.addIssue({ code: 'custom', message: 'must set jwt or authorization' });
    (s.authorization?.rules ?? []).forEach((r, i) => {
      if (r.from?.jwtClaims && !s.jwt) {
        ctx.addIssue({ code: 'custom', path: ['authorization', 'rules', i, 'from', 'jwtClaims'], message: 'needs spec.jwt (claims come from a validated token)' });
      }
    });
  });
export type SecurityPolicySpec = z.infer<typeof SecurityPolicySpec>;

export const SecurityPolicy = z.looseObject({
  apiVersion: z.literal(towerApiVersion),
  kind: z.literal('SecurityPolicy'),
  metadata: ObjectMeta,
  spec: SecurityPolicySpec,
  status: PolicyStatus.optional(),
});
export type SecurityPolicy = z.infer<typeof SecurityPolicy>;
