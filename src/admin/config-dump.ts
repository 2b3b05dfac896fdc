/**
 * Builds an Envoy-style config dump (envoy.admin.v3.ConfigDump JSON) from
 * the resources of one client view, so the output reads like Envoy's own
 * /config_dump: clusters, endpoints, listeners, routes, secrets, each
 * resource in proto3 JSON with its @type. Sensitive fields are redacted as
 * Envoy redacts them.
 */
import { typeForUrl } from '../envoy/proto-root';
import { TypeUrl } from '../envoy/type-urls';
import { toJson } from '../envoy/json-codec';
import type { Resource, ResourceTable } from '../xds/resource';
import type { ClientStatus } from '../observability/xds-contract';
import { redactSensitive } from './redact';

const admin = 'type.googleapis.com/envoy.admin.v3.';

interface Group {
  readonly typeUrl: string;
  readonly dumpType: string;
  readonly list: string;
  entry(r: Resource, json: unknown): Record<string, unknown>;
}

/** Envoy's config dump order, with the field each resource sits in. */
const groups: readonly Group[] = [
  { typeUrl: TypeUrl.Cluster, dumpType: 'ClustersConfigDump', list: 'dynamic_active_clusters', entry: (r, j) => ({ version_info: r.version, cluster: j }) },
  { typeUrl: TypeUrl.ClusterLoadAssignment, dumpType: 'EndpointsConfigDump', list: 'dynamic_endpoint_configs', entry: (r, j) => ({ version_info: r.version, endpoint_config: j }) },
  { typeUrl: TypeUrl.Listener, dumpType: 'ListenersConfigDump', list: 'dynamic_listeners', entry: (r, j) => ({ name: r.name, active_state: { version_info: r.version, listener: j } }) },
  { typeUrl: TypeUrl.RouteConfiguration, dumpType: 'RoutesConfigDump', list: 'dynamic_route_configs', entry: (r, j) => ({ version_info: r.version, route_config: j }) },
  { typeUrl: TypeUrl.Secret, dumpType: 'SecretsConfigDump', list: 'dynamic_active_secrets', entry: (r, j) => ({ name: r.name, version_info: r.version, secret: j }) },
];

/** One resource as proto3 JSON with its @type first, sensitive fields redacted. */
export function resourceJson(r: Resource): Record<string, unknown> {
  const type = typeForUrl(r.typeUrl);
  if (!type) return { '@type': r.typeUrl, error: `no message type for ${r.typeUrl}` };
  try {
    // Decoded protobufjs message: a plain object keyed by snake_case field names.
    const msg = type.decode(r.body) as unknown as Record<string, unknown>;
    redactSensitive(type, msg);
    const json = toJson(type, msg);
    return { '@type': r.typeUrl, ...(json as Record<string, unknown>) };
  } catch (err) {
    return { '@type': r.typeUrl, error: `cannot render ${r.typeUrl} ${r.name}: ${(err as Error).message}` };
  }
}

export interface ConfigDumpOptions {
  /** Restrict to what this client subscribed to (named subscriptions are filtered by name). */
  readonly client?: ClientStatus;
  /** Only these type URLs. */
  readonly typeUrls?: readonly string[];
}

function subscribedNames(client: ClientStatus | undefined, typeUrl: string): ReadonlySet<string> | '*' | undefined {
  if (!client) return '*';
  const t = client.types[typeUrl];
  if (!t) return undefined; // never requested: nothing would be sent
  return t.subscribed === '*' ? '*' : new Set(t.subscribed);
}

export function configDump(table: ResourceTable, opts: ConfigDumpOptions = {}): { configs: Record<string, unknown>[] } {
  const configs: Record<string, unknown>[] = [];
  for (const g of groups) {
    if (opts.typeUrls && !opts.typeUrls.includes(g.typeUrl)) continue;
    const wanted = subscribedNames(opts.client, g.typeUrl);
    if (wanted === undefined) continue;
    const byName = table.get(g.typeUrl);
    const names = [...(byName?.keys() ?? [])].filter((n) => wanted === '*' || wanted.has(n)).sort();
    const entries = names.map((n) => {
      const r = byName!.get(n)!;
      return g.entry(r, resourceJson(r));
    });
    const dump: Record<string, unknown> = { '@type': admin + g.dumpType };
    if (g.typeUrl === TypeUrl.Cluster || g.typeUrl === TypeUrl.Listener) {
      const sent = opts.client?.types[g.typeUrl]?.sentVersion;
      if (sent) dump.version_info = sent;
    }
    dump[g.list] = entries;
    configs.push(dump);
  }
  return { configs };
}
