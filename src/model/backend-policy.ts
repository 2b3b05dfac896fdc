/**
 * BackendPolicy (tower.dev/v1alpha1) → BackendPolicyModel, and attaching
 * policies to Services. Applied now: loadBalancer RoundRobin, LeastRequest,
 * Random; circuitBreaker; outlierDetection; connectTimeout; http2. Not yet
 * (reported as 'unsupported-policy', the rest of the policy still applies):
 * RingHash/Maglev, healthCheck, tls. Several policies on one Service port:
 * the oldest (creationTimestamp, then namespace/name) wins, the others get a
 * 'policy-conflict' error.
 */
import { parseDurationMs } from '../api/common';
import type { BackendPolicy } from '../api/backend-policy';
import type { BackendPolicyModel, ModelError, ServiceModel, SourceRef } from './types';

export interface BackendPolicyEntry {
  readonly key: string;
  readonly model: BackendPolicyModel;
  /** "ns/name" of the Service and the port name ("*" = all ports). */
  readonly targets: readonly { readonly service: string; readonly port: string; readonly index: number }[];
  readonly createdAt?: string;
  readonly errors: readonly ModelError[];
}

const lbTypes = { RoundRobin: 'round-robin', LeastRequest: 'least-request', Random: 'random' } as const;

export function backendPolicyEntry(p: BackendPolicy, source: SourceRef): BackendPolicyEntry {
  const ns = p.metadata.namespace ?? 'default';
  const s = p.spec;
  const errors: ModelError[] = [];
  const unsupported = (path: string, what: string) => errors.push({ code: 'unsupported-policy', source, path, message: `${what} is not applied yet; the rest of the policy is` });
  let lb: BackendPolicyModel['lb'];
  if (s.loadBalancer) {
    const t = s.loadBalancer.type;
    if (t === 'RingHash' || t === 'Maglev') unsupported('spec.loadBalancer.type', `load balancer ${t}`);
    else lb = lbTypes[t];
  }
  if (s.healthCheck) unsupported('spec.healthCheck', 'active health checking');
  if (s.tls) unsupported('spec.tls', 'upstream TLS');
  const o = s.outlierDetection;
  const model: BackendPolicyModel = {
    ...(lb ? { lb } : {}),
    ...(s.circuitBreaker && Object.keys(s.circuitBreaker).length > 0 ? { circuitBreaker: { ...s.circuitBreaker } } : {}),
    ...(o
      ? {
          outlierDetection: {
            ...(o.consecutive5xx !== undefined ? { consecutive5xx: o.consecutive5xx } : {}),
            ...(o.consecutiveGatewayErrors !== undefined ? { consecutiveGatewayErrors: o.consecutiveGatewayErrors } : {}),
            ...(o.interval ? { intervalMs: parseDurationMs(o.interval) } : {}),
            ...(o.baseEjectionTime ? { baseEjectionTimeMs: parseDurationMs(o.baseEjectionTime) } : {}),
            ...(o.maxEjectionPercent !== undefined ? { maxEjectionPercent: o.maxEjectionPercent } : {}),
          },
        }
      : {}),
    ...(s.connectTimeout ? { connectTimeoutMs: parseDurationMs(s.connectTimeout) } : {}),
    ...(s.http2 !== undefined ? { http2: s.http2 } : {}),
    source,
  };
  return {
    key: `${ns}/${p.metadata.name}`,
    model,
    targets: s.targetRefs.map((t, index) => ({ service: `${ns}/${t.name}`, port: t.sectionName ?? '*', index })),
    ...(p.metadata.creationTimestamp ? { createdAt: p.metadata.creationTimestamp } : {}),
    errors,
  };
}

function age(e: BackendPolicyEntry): number {
  const t = e.createdAt ? Date.parse(e.createdAt) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/** The Service with the policies targeting it attached (the same object when none does), and conflict errors. */
export function attachBackendPolicies(svc: ServiceModel, svcKey: string, entries: Iterable<BackendPolicyEntry>): { service: ServiceModel; errors: ModelError[] } {
  const mine = [...entries].filter((e) => e.targets.some((t) => t.service === svcKey)).sort((a, b) => age(a) - age(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (mine.length === 0) {
    if (!svc.backendPolicies) return { service: svc, errors: [] };
    const { backendPolicies: _dropped, ...rest } = svc;
    return { service: rest, errors: [] };
  }
  const byPort: Record<string, BackendPolicyModel> = {};
  const winner: Record<string, BackendPolicyEntry> = {};
  const errors: ModelError[] = [];
  for (const e of mine) {
    for (const t of e.targets) {
      if (t.service !== svcKey) continue;
      const w = winner[t.port];
      if (w) {
        errors.push({ code: 'policy-conflict', source: e.model.source, path: `spec.targetRefs[${t.index}]`, message: `BackendPolicy ${w.key} (older, or same age and first by namespace/name) already applies to service ${svcKey} port ${t.port === '*' ? '(all)' : t.port}; this target is ignored` });
        continue;
      }
      winner[t.port] = e;
      byPort[t.port] = e.model;
    }
  }
  return { service: { ...svc, backendPolicies: byPort }, errors };
}
