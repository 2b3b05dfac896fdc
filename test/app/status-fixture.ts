/**
 * Shared by the object status tests: manifests of a small shop (a Gateway,
 * a Service with its EndpointSlice, RoutePolicies good, bad and conflicting,
 * a BackendPolicy) and a raw ADS gateway client that walks CDS → EDS → LDS →
 * RDS, ACKing (or NACKing RDS) like Envoy.
 */
import { typeForUrl } from '../../src/envoy/proto-root';
import { TypeUrl } from '../../src/envoy/type-urls';
import { decodeAny, SotwClient, type SotwResponse } from '../fixtures/xds-client';

const str = (s: string) => ({ stringValue: s });
export const gatewayNode = (id: string) => ({ id, cluster: 'edge', metadata: { fields: { TOWER_ROLE: str('gateway'), TOWER_GATEWAY: str('shop/public') } } });

export const gateway = { metadata: { name: 'public', namespace: 'shop' }, spec: { listeners: [{ name: 'http', port: 8080, protocol: 'HTTP', hostnames: ['shop.example.com'] }] } };
export const service = { metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 8080 }] } };
export const slice = {
  metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.1.0.1'], conditions: { ready: true } }],
  ports: [{ name: 'http', port: 8080 }],
};

/** A RoutePolicy on Gateway shop/public sending `paths` (PathPrefix, or `type`) to web:8080. */
export function routePolicy(name: string, createdAt: string, paths: readonly string[], type = 'PathPrefix'): Record<string, unknown> {
  return {
    metadata: { name, namespace: 'shop', creationTimestamp: createdAt },
    spec: {
      parentRefs: [{ name: 'public' }],
      hostnames: ['shop.example.com'],
      rules: [{ matches: paths.map((value) => ({ path: { type, value } })), backendRefs: [{ name: 'web', port: 8080 }] }],
    },
  };
}

export const backendPolicy = {
  metadata: { name: 'web-policy', namespace: 'shop' },
  spec: { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], connectTimeout: '2s' },
};

/** Every route_config_name in a value, looking inside nested Any messages (the HttpConnectionManager). */
function routeConfigNames(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) routeConfigNames(x, out);
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o = v as Record<string, unknown>;
    if (typeof o.route_config_name === 'string') out.add(o.route_config_name);
    if (typeof o.type_url === 'string' && o.value instanceof Uint8Array) {
      const t = typeForUrl(o.type_url);
      if (t) routeConfigNames(t.toObject(t.decode(o.value)), out);
    }
    for (const x of Object.values(o)) routeConfigNames(x, out);
  }
}

/** Routes of a RouteConfiguration response: "prefix /good", "regex …", … */
export function routeMatches(rds: SotwResponse): string[] {
  const out: string[] = [];
  for (const a of rds.resources) {
    const rc = decodeAny(a) as { virtual_hosts?: { routes?: { match: { prefix?: string; path_separated_prefix?: string; path?: string; safe_regex?: { regex: string } } }[] }[] };
    for (const vh of rc.virtual_hosts ?? []) {
      for (const r of vh.routes ?? []) {
        const m = r.match;
        const prefix = m.path_separated_prefix ?? m.prefix;
        out.push(prefix !== undefined ? `prefix ${prefix}` : m.path !== undefined ? `path ${m.path}` : `regex ${m.safe_regex?.regex ?? '?'}`);
      }
    }
  }
  return out;
}

/**
 * Walks a gateway client through CDS, EDS, LDS and RDS like Envoy (ADS,
 * state of the world), ACKing each response; RDS is NACKed with `nackRds`
 * when given. Returns the RDS response.
 */
export async function syncGateway(c: SotwClient, nackRds?: string): Promise<SotwResponse> {
  c.subscribe(TypeUrl.Cluster);
  const cds = await c.expect(TypeUrl.Cluster);
  c.ack(cds);
  const edsNames = cds.resources.map((a) => {
    const cl = decodeAny(a) as { name: string; eds_cluster_config?: { service_name?: string } };
    return cl.eds_cluster_config?.service_name || cl.name;
  });
  c.subscribe(TypeUrl.ClusterLoadAssignment, edsNames);
  c.ack(await c.expect(TypeUrl.ClusterLoadAssignment));
  c.subscribe(TypeUrl.Listener);
  const lds = await c.expect(TypeUrl.Listener);
  c.ack(lds);
  const rdsNames = new Set<string>();
  for (const a of lds.resources) routeConfigNames(decodeAny(a), rdsNames);
  if (rdsNames.size === 0) throw new Error('the listeners name no route configuration');
  c.subscribe(TypeUrl.RouteConfiguration, [...rdsNames]);
  const rds = await c.expect(TypeUrl.RouteConfiguration);
  if (nackRds !== undefined) c.nack(rds, nackRds);
  else c.ack(rds);
  return rds;
}

export async function until<T>(get: () => T | Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
