/**
 * BackendPolicy (tower.dev/v1alpha1) → BackendPolicyModel, and attaching
 * policies to Services: loadBalancer (RoundRobin, LeastRequest, Random,
 * RingHash and Maglev with their hash), circuitBreaker, outlierDetection,
 * connectTimeout, healthCheck (HTTP, gRPC), http2, tls. Upstream TLS CA
 * references are resolved when a policy is attached: the CA bundles (ca.crt
 * of Secrets) that exist are concatenated into the model; a missing one is a
 * 'missing-secret' error naming spec.tls.caCertificateRefs[i]. ConfigMap
 * references are not read yet ('unsupported-policy'). Several policies on
 * one Service port: the oldest (creationTimestamp, then namespace/name) wins,
 * the others get a 'policy-conflict' error.
 */
import { parseDurationMs } from '../api/common';
import { oldestFirst } from './creation-order';
import type { BackendPolicy } from '../api/backend-policy';
import type { BackendPolicyModel, BackendTlsModel, CaBundleModel, HashPolicyModel, HealthCheckModel, MeshModel, ModelError, ServiceModel, SourceRef } from './types';

export interface BackendPolicyEntry {
  readonly key: string;
  readonly model: BackendPolicyModel;
  /** "ns/name" of the Service and the port name ("*" = all ports). */
  readonly targets: readonly { readonly service: string; readonly port: string; readonly index: number }[];
  readonly createdAt?: string;
  readonly errors: readonly ModelError[];
}

const lbTypes = { RoundRobin: 'round-robin', LeastRequest: 'least-request', Random: 'random', RingHash: 'ring-hash', Maglev: 'maglev' } as const;

type Spec = BackendPolicy['spec'];

function hashPolicy(h: NonNullable<NonNullable<Spec['loadBalancer']>['consistentHash']>): HashPolicyModel {
  if (h.type === 'Header' && h.header) return { type: 'header', name: h.header.name.toLowerCase() };
  if (h.type === 'Cookie' && h.cookie) {
    const c = h.cookie;
    return { type: 'cookie', name: c.name, ...(c.ttl !== undefined ? { ttlMs: parseDurationMs(c.ttl) } : {}), ...(c.path !== undefined ? { path: c.path } : {}) };
  }
  return { type: 'source-ip' };
}

function healthCheck(a: NonNullable<Spec['healthCheck']>['active']): HealthCheckModel {
  const h = a.http;
  return {
    intervalMs: parseDurationMs(a.interval),
    timeoutMs: parseDurationMs(a.timeout),
    healthyThreshold: a.healthyThreshold,
    unhealthyThreshold: a.unhealthyThreshold,
    ...(a.type === 'HTTP' && h
      ? {
          http: {
            path: h.path,
            ...(h.host !== undefined ? { host: h.host } : {}),
            ...(h.method !== undefined ? { method: h.method } : {}),
            ...(h.expectedStatuses !== undefined ? { expectedStatuses: [...h.expectedStatuses] } : {}),
          },
        }
      : {}),
    ...(a.type === 'GRPC' ? { grpc: { ...(a.grpc?.service !== undefined ? { service: a.grpc.service } : {}), ...(a.grpc?.authority !== undefined ? { authority: a.grpc.authority } : {}) } } : {}),
  };
}

function backendTls(t: NonNullable<Spec['tls']>, ns: string): BackendTlsModel {
  return {
    ...(t.sni !== undefined ? { sni: t.sni } : {}),
    ...(t.subjectAltNames ? { subjectAltNames: t.subjectAltNames.map((n) => (n.type === 'URI' ? { type: 'uri' as const, value: n.uri ?? '' } : { type: 'dns' as const, value: n.hostname ?? '' })) } : {}),
    trust: t.caCertificateRefs ? { kind: 'refs', refs: t.caCertificateRefs.map((r) => ({ kind: r.kind, namespace: ns, name: r.name })) } : { kind: 'system' },
  };
}

export function backendPolicyEntry(p: BackendPolicy, source: SourceRef): BackendPolicyEntry {
  const ns = p.metadata.namespace ?? 'default';
  const s = p.spec;
  const errors: ModelError[] = [];
  let lb: BackendPolicyModel['lb'];
  if (s.loadBalancer) lb = lbTypes[s.loadBalancer.type];
  (s.tls?.caCertificateRefs ?? []).forEach((r, i) => {
    if (r.kind === 'ConfigMap') errors.push({ code: 'unsupported-policy', source, path: `spec.tls.caCertificateRefs[${i}]`, message: `ConfigMap ${ns}/${r.name}: CA bundles in ConfigMaps are not read yet; put ca.crt in a Secret and use kind Secret` });
  });
  const o = s.outlierDetection;
  const model: BackendPolicyModel = {
    ...(lb ? { lb } : {}),
    ...(s.loadBalancer?.consistentHash && (lb === 'ring-hash' || lb === 'maglev') ? { hash: hashPolicy(s.loadBalancer.consistentHash) } : {}),
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
    ...(s.healthCheck ? { healthCheck: healthCheck(s.healthCheck.active) } : {}),
    ...(s.tls ? { tls: backendTls(s.tls, ns) } : {}),
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

/** Keys ("ns/name") of the Secrets a policy's upstream TLS trusts. */
export function caSecretKeys(model: BackendPolicyModel): string[] {
  const t = model.tls?.trust;
  return t?.kind === 'refs' ? t.refs.filter((r) => r.kind === 'Secret').map((r) => `${r.namespace}/${r.name}`) : [];
}

/** "Secret/ns/name" of every CA Secret the BackendPolicies attached to the model's Services trust (for Store.setReferencedSecrets). */
export function caSecretsReferencedBy(model: Pick<MeshModel, 'services'>): Set<string> {
  const out = new Set<string>();
  for (const svc of Object.values(model.services)) for (const p of Object.values(svc.backendPolicies ?? {})) for (const k of caSecretKeys(p)) out.add(`Secret/${k}`);
  return out;
}

/** The policy with its CA references resolved into one PEM bundle (base64); errors name each missing Secret. */
function resolveCa(model: BackendPolicyModel, svcKey: string, caBundles: (key: string) => CaBundleModel | undefined, errors: ModelError[]): BackendPolicyModel {
  const tls = model.tls;
  if (tls?.trust.kind !== 'refs') return model;
  const pems: string[] = [];
  tls.trust.refs.forEach((r, i) => {
    if (r.kind !== 'Secret') return; // reported once by backendPolicyEntry
    const b = caBundles(`${r.namespace}/${r.name}`);
    if (b) pems.push(Buffer.from(b.caCertificates, 'base64').toString('utf8').trim());
    else errors.push({ code: 'missing-secret', source: model.source, path: `spec.tls.caCertificateRefs[${i}]`, message: `Secret ${r.namespace}/${r.name} does not exist or has no valid ca.crt; the cluster of service ${svcKey} is not updated (clients keep the version they have) until it does` });
  });
  const { caBundle: _old, ...rest } = tls;
  return { ...model, tls: pems.length > 0 ? { ...rest, caBundle: Buffer.from(pems.join('\n') + '\n', 'utf8').toString('base64') } : rest };
}

/**
 * The Service with the policies targeting it attached (the same object when
 * none does), and conflict and missing-CA errors. `caBundles` looks up CA
 * Secrets by "ns/name".
 */
export function attachBackendPolicies(
  svc: ServiceModel,
  svcKey: string,
  entries: Iterable<BackendPolicyEntry>,
  caBundles: (key: string) => CaBundleModel | undefined = () => undefined,
): { service: ServiceModel; errors: ModelError[] } {
  const mine = [...entries].filter((e) => e.targets.some((t) => t.service === svcKey)).sort(oldestFirst);
  if (mine.length === 0) {
    if (!svc.backendPolicies) return { service: svc, errors: [] };
    const { backendPolicies: _dropped, ...rest } = svc;
    return { service: rest, errors: [] };
  }
  const byPort: Record<string, BackendPolicyModel> = {};
  const winner: Record<string, BackendPolicyEntry> = {};
  const errors: ModelError[] = [];
  // CA bundles are resolved (and missing ones reported) once per policy, whatever the number of ports it wins
  const resolved = new Map<BackendPolicyEntry, BackendPolicyModel>();
  for (const e of mine) {
    for (const t of e.targets) {
      if (t.service !== svcKey) continue;
      const w = winner[t.port];
      if (w) {
        errors.push({ code: 'policy-conflict', source: e.model.source, path: `spec.targetRefs[${t.index}]`, message: `BackendPolicy ${w.key} (older, or same age and first by namespace/name) already applies to service ${svcKey} port ${t.port === '*' ? '(all)' : t.port}; this target is ignored` });
        continue;
      }
      winner[t.port] = e;
      let m = resolved.get(e);
      if (!m) resolved.set(e, (m = resolveCa(e.model, svcKey, caBundles, errors)));
      byPort[t.port] = m;
    }
  }
  return { service: { ...svc, backendPolicies: byPort }, errors };
}
