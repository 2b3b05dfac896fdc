/**
 * BackendPolicy (tower.dev/v1alpha1): how clients talk to a Service, wherever
 * the traffic comes from (gateways, sidecars, proxyless gRPC): load balancing,
 * circuit breaking, outlier detection, connect timeout, active health checks,
 * HTTP/2 and TLS to the upstream. Shaped like Envoy Gateway's
 * BackendTrafficPolicy plus the Gateway API BackendTLSPolicy.
 */
import { z } from 'zod';
import { ObjectMeta } from '../k8s/types';
import {
  Duration,
  HeaderName,
  HttpStatusCode,
  PreciseHostname,
  checkUnionMember,
  tryParseDurationMs,
  reportDuplicates,
  towerApiVersion,
  uniqueSet,
} from './common';
import { CaCertificateRef, refKey, targetRef } from './refs';
import { PolicyStatus } from './status';

const Count = z.number().int().min(0).max(2_147_483_647);

export const ConsistentHash = z
  .strictObject({
    type: z.enum(['Header', 'Cookie', 'SourceIP']),
    header: z.strictObject({ name: HeaderName }).optional(),
    cookie: z
      .strictObject({
        name: z.string().min(1).max(256).regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be a cookie name'),
        ttl: Duration.optional().describe('when set, Envoy generates the cookie if absent'),
        path: z.string().max(1024).optional(),
      })
      .optional(),
  })
  .superRefine((h, ctx) => checkUnionMember(ctx, h, h.type, { Header: 'header', Cookie: 'cookie' }));
export type ConsistentHash = z.infer<typeof ConsistentHash>;

export const LoadBalancer = z
  .strictObject({
    type: z.enum(['RoundRobin', 'LeastRequest', 'Random', 'RingHash', 'Maglev']),
    consistentHash: ConsistentHash.optional().describe('required for RingHash and Maglev'),
  })
  .superRefine((lb, ctx) => {
    const hashing = lb.type === 'RingHash' || lb.type === 'Maglev';
    if (hashing && !lb.consistentHash) ctx.addIssue({ code: 'custom', path: ['consistentHash'], message: `is required when type is ${lb.type}` });
    if (!hashing && lb.consistentHash) {
      ctx.addIssue({ code: 'custom', path: ['consistentHash'], message: `must not be set when type is ${lb.type} (only RingHash, Maglev)` });
    }
  });
export type LoadBalancer = z.infer<typeof LoadBalancer>;

export const CircuitBreaker = z.strictObject({
  maxConnections: Count.optional(),
  maxPendingRequests: Count.optional(),
  maxRequests: Count.optional(),
  maxRetries: Count.optional(),
});
export type CircuitBreaker = z.infer<typeof CircuitBreaker>;

export const OutlierDetection = z.strictObject({
  consecutive5xx: z.number().int().min(1).max(1000).optional(),
  consecutiveGatewayErrors: z.number().int().min(1).max(1000).optional(),
  interval: Duration.optional(),
  baseEjectionTime: Duration.optional(),
  maxEjectionPercent: z.number().int().min(0).max(100).optional(),
});
export type OutlierDetection = z.infer<typeof OutlierDetection>;

const HttpHealthCheck = z.strictObject({
  path: z.string().min(1).max(1024).regex(/^\/[^?#]*(\?[^#]*)?$/, 'must start with "/"'),
  host: PreciseHostname.optional().describe('Host header; default the Service hostname'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH']).optional(),
  expectedStatuses: uniqueSet(HttpStatusCode, 16).optional().describe('default 200'),
});

const GrpcHealthCheck = z.strictObject({
  service: z.string().max(1024).optional().describe('service name sent in grpc.health.v1.HealthCheckRequest; default "" (the whole server)'),
  authority: PreciseHostname.optional().describe(':authority; default the Service hostname'),
});

export const HealthCheck = z.strictObject({
  active: z
    .strictObject({
      type: z.enum(['HTTP', 'GRPC']).default('HTTP'),
      interval: Duration,
      timeout: Duration,
      healthyThreshold: z.number().int().min(1).max(100).default(1),
      unhealthyThreshold: z.number().int().min(1).max(100).default(3),
      http: HttpHealthCheck.optional().describe('required when type is HTTP'),
      grpc: GrpcHealthCheck.optional().describe('grpc.health.v1 Health/Check; only for type GRPC'),
    })
    .superRefine((a, ctx) => {
      for (const f of ['interval', 'timeout'] as const) {
        if (tryParseDurationMs(a[f]) === 0) ctx.addIssue({ code: 'custom', path: [f], message: 'must be greater than 0' });
      }
      if (a.type === 'HTTP' && !a.http) ctx.addIssue({ code: 'custom', path: ['http'], message: 'is required when type is HTTP' });
      if (a.type === 'GRPC' && a.http) ctx.addIssue({ code: 'custom', path: ['http'], message: 'must not be set when type is GRPC' });
      if (a.type === 'HTTP' && a.grpc) ctx.addIssue({ code: 'custom', path: ['grpc'], message: 'must not be set when type is HTTP' });
    }),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

export const SubjectAltName = z
  .strictObject({
    type: z.enum(['Hostname', 'URI']),
    hostname: PreciseHostname.optional(),
    uri: z.string().min(1).max(253).regex(/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/, 'must be an absolute URI (scheme:rest)').optional(),
  })
  .superRefine((n, ctx) => checkUnionMember(ctx, n, n.type, { Hostname: 'hostname', URI: 'uri' }));
export type SubjectAltName = z.infer<typeof SubjectAltName>;

export const BackendTls = z
  .strictObject({
    sni: PreciseHostname.optional().describe('server name sent and verified; default the Service hostname'),
    caCertificateRefs: z.array(CaCertificateRef).min(1).max(8).optional(),
    wellKnownCACertificates: z.literal('System').optional(),
    subjectAltNames: z
      .array(SubjectAltName)
      .min(1)
      .max(8)
      .optional()
      .describe('names the server certificate must carry (any one); default the sni (or the Service hostname) as a DNS name'),
  })
  .superRefine((t, ctx) => {
    if ((t.caCertificateRefs === undefined) === (t.wellKnownCACertificates === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must set exactly one of caCertificateRefs, wellKnownCACertificates' });
    }
  });
export type BackendTls = z.infer<typeof BackendTls>;

export const BackendTargetRef = targetRef(['Service']);
export type BackendTargetRef = z.infer<typeof BackendTargetRef>;

export const BackendPolicySpec = z
  .strictObject({
    targetRefs: z.array(BackendTargetRef).min(1).max(16).describe('Services in the policy namespace; sectionName narrows to one port name'),
    loadBalancer: LoadBalancer.optional(),
    circuitBreaker: CircuitBreaker.optional(),
    outlierDetection: OutlierDetection.optional(),
    connectTimeout: Duration.optional(),
    healthCheck: HealthCheck.optional(),
    http2: z.boolean().optional().describe('speak HTTP/2 (h2c, or h2 with tls) to the upstream'),
    tls: BackendTls.optional(),
  })
  .superRefine((s, ctx) => {
    reportDuplicates(ctx, s.targetRefs, refKey, ['targetRefs'], 'targetRef');
    if (tryParseDurationMs(s.connectTimeout) === 0) {
      ctx.addIssue({ code: 'custom', path: ['connectTimeout'], message: 'must be greater than 0' });
    }
  });
export type BackendPolicySpec = z.infer<typeof BackendPolicySpec>;

export const BackendPolicy = z.looseObject({
  apiVersion: z.literal(towerApiVersion),
  kind: z.literal('BackendPolicy'),
  metadata: ObjectMeta,
  spec: BackendPolicySpec,
  status: PolicyStatus.optional(),
});
export type BackendPolicy = z.infer<typeof BackendPolicy>;
