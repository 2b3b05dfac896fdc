/**
 * Wire codec for the simulated Envoys and the baseline server: ADS requests
 * and responses (state-of-the-world and delta) as raw bytes, and an
 * inspector that decodes Clusters, Listeners and ClusterLoadAssignments with
 * protobufjs (Envoy's own protos via envoyRoot()) to learn the EDS and RDS
 * names a real Envoy would subscribe to next.
 */
import * as protobuf from 'protobufjs';
import { messageType, typeForUrl } from '../src/envoy/proto-root';
import { TypeUrl } from '../src/envoy/type-urls';
import { parseMarker } from './mesh';

export const adsService = 'envoy.service.discovery.v3.AggregatedDiscoveryService';
export const sotwMethod = `/${adsService}/StreamAggregatedResources`;
export const deltaMethod = `/${adsService}/DeltaAggregatedResources`;

const types = {
  res: () => messageType('envoy.service.discovery.v3.DiscoveryResponse'),
  dreq: () => messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest'),
  dres: () => messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
};

/** Plain-JSON node (snake_case, metadata as a plain object converted to Struct). */
export interface BenchNode {
  id: string;
  cluster: string;
  metadata: Record<string, string>;
  zone?: string;
}

function nodeMessage(node: BenchNode): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  // protobufjs's bundled google/protobuf/struct types keep their camelCase field names (stringValue) even with keepCase.
  for (const [k, v] of Object.entries(node.metadata)) fields[k] = { stringValue: v };
  return {
    id: node.id,
    cluster: node.cluster,
    metadata: { fields },
    user_agent_name: 'envoy',
    user_agent_version: '1.31.0-bench',
    locality: node.zone ? { region: 'bench', zone: node.zone } : undefined,
  };
}

export interface SotwRequest {
  node?: BenchNode;
  typeUrl: string;
  versionInfo: string;
  names: readonly string[];
  nonce: string;
  errorMessage?: string;
  /** resource_names already encoded with encodeNames() (clients re-send the same list in every ACK). */
  encodedNames?: Uint8Array;
}

/** The repeated resource_names field (3) of a DiscoveryRequest, encoded once per distinct list. */
export function encodeNames(names: Iterable<string>): Uint8Array {
  const w = protobuf.Writer.create();
  for (const n of names) w.uint32(26).string(n);
  return w.finish();
}

export function encodeSotwRequest(r: SotwRequest): Buffer {
  const head = protobuf.Writer.create();
  if (r.versionInfo) head.uint32(10).string(r.versionInfo);
  if (r.node) {
    const t = messageType('envoy.config.core.v3.Node');
    head.uint32(18).bytes(t.encode(t.fromObject(nodeMessage(r.node))).finish());
  }
  const tail = protobuf.Writer.create().uint32(34).string(r.typeUrl);
  if (r.nonce) tail.uint32(42).string(r.nonce);
  if (r.errorMessage) {
    const st = messageType('google.rpc.Status');
    tail.uint32(50).bytes(st.encode(st.fromObject({ code: 3, message: r.errorMessage })).finish());
  }
  return Buffer.concat([head.finish(), r.encodedNames ?? encodeNames(r.names), tail.finish()]);
}

export interface DeltaRequest {
  node?: BenchNode;
  typeUrl: string;
  subscribe?: readonly string[];
  unsubscribe?: readonly string[];
  initialVersions?: Record<string, string>;
  nonce?: string;
}

export function encodeDeltaRequest(r: DeltaRequest): Buffer {
  const t = types.dreq();
  const msg = t.fromObject({
    node: r.node ? nodeMessage(r.node) : undefined,
    type_url: r.typeUrl,
    resource_names_subscribe: r.subscribe ? [...r.subscribe] : [],
    resource_names_unsubscribe: r.unsubscribe ? [...r.unsubscribe] : [],
    initial_resource_versions: r.initialVersions ?? {},
    response_nonce: r.nonce ?? '',
  });
  return Buffer.from(t.encode(msg).finish());
}

export interface SotwResponse {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  /** Serialized resource bodies (Any.value). */
  bodies: Uint8Array[];
}

export function decodeSotwResponse(buf: Uint8Array): SotwResponse {
  // protobufjs decode with keepCase: fields are snake_case.
  const m = types.res().decode(buf) as unknown as { version_info: string; type_url: string; nonce: string; resources: { type_url: string; value: Uint8Array }[] };
  return { versionInfo: m.version_info, typeUrl: m.type_url, nonce: m.nonce, bodies: m.resources.map((a) => a.value) };
}

export interface DeltaResponse {
  systemVersionInfo: string;
  typeUrl: string;
  nonce: string;
  resources: { name: string; version: string; body: Uint8Array }[];
  removed: string[];
}

export function decodeDeltaResponse(buf: Uint8Array): DeltaResponse {
  const m = types.dres().decode(buf) as unknown as {
    system_version_info: string; type_url: string; nonce: string; removed_resources: string[];
    resources: { name: string; version: string; resource?: { type_url: string; value: Uint8Array } }[];
  };
  return {
    systemVersionInfo: m.system_version_info,
    typeUrl: m.type_url,
    nonce: m.nonce,
    removed: m.removed_resources,
    resources: m.resources.map((r) => ({ name: r.name, version: r.version, body: r.resource?.value ?? new Uint8Array() })),
  };
}

/** DiscoveryResponse from pre-encoded Any bytes (baseline server). */
export function encodeSotwResponse(versionInfo: string, typeUrl: string, nonce: string, anys: readonly Uint8Array[]): Buffer {
  const w = protobuf.Writer.create().uint32(10).string(versionInfo);
  for (const a of anys) w.uint32(18).bytes(a);
  w.uint32(34).string(typeUrl).uint32(42).string(nonce);
  return Buffer.from(w.finish());
}

/** DeltaDiscoveryResponse from pre-encoded delta Resource bytes (baseline server). */
export function encodeDeltaResponse(systemVersion: string, typeUrl: string, nonce: string, resources: readonly Uint8Array[], removed: readonly string[]): Buffer {
  const w = protobuf.Writer.create().uint32(10).string(systemVersion);
  for (const r of resources) w.uint32(18).bytes(r);
  w.uint32(34).string(typeUrl).uint32(42).string(nonce);
  for (const n of removed) w.uint32(50).string(n);
  return Buffer.from(w.finish());
}

/** What a simulated Envoy learns from one resource. */
export interface Inspected {
  name: string;
  /** Names this resource makes the client subscribe to (EDS for a Cluster, RDS for a Listener). */
  refs: string[];
  /** Marker sequence numbers found in a ClusterLoadAssignment's addresses. */
  markers: number[];
}

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' ? (v as Obj) : undefined;
}

/** Route names an HttpConnectionManager (inside an Any) points to via RDS. */
function rdsNames(typedConfig: unknown, out: Set<string>): void {
  const any = asObj(typedConfig);
  if (!any || typeof any.type_url !== 'string' || !(any.value instanceof Uint8Array)) return;
  if (!any.type_url.endsWith('.HttpConnectionManager')) return;
  const t = typeForUrl(any.type_url);
  if (!t) return;
  const hcm = t.decode(any.value) as unknown as Obj;
  const rds = asObj(hcm.rds);
  if (rds && typeof rds.route_config_name === 'string' && rds.route_config_name) out.add(rds.route_config_name);
}

function listenerRoutes(l: Obj): string[] {
  const out = new Set<string>();
  const chains = [...((l.filter_chains as Obj[] | undefined) ?? [])];
  const dfc = asObj(l.default_filter_chain);
  if (dfc) chains.push(dfc);
  for (const fc of chains) for (const f of ((fc.filters as Obj[] | undefined) ?? [])) rdsNames(f.typed_config, out);
  const api = asObj(l.api_listener);
  if (api) rdsNames(api.api_listener, out);
  return [...out];
}

function clusterEds(c: Obj): string[] {
  // type: EDS = 3 (enum as number after decode)
  const eds = asObj(c.eds_cluster_config);
  if (c.type !== 3 && !eds) return [];
  const svc = eds && typeof eds.service_name === 'string' && eds.service_name ? eds.service_name : String(c.name);
  return [svc];
}

function claMarkers(cla: Obj): number[] {
  const out: number[] = [];
  for (const le of ((cla.endpoints as Obj[] | undefined) ?? [])) {
    for (const lb of ((le.lb_endpoints as Obj[] | undefined) ?? [])) {
      const sa = asObj(asObj(asObj(asObj(lb.endpoint)?.address)?.socket_address));
      const addr = sa?.address;
      if (typeof addr === 'string') {
        const m = parseMarker(addr);
        if (m !== undefined) out.push(m);
      }
    }
  }
  return out;
}

/**
 * Decodes resources, memoized on their exact bytes: the simulated Envoys of
 * one worker process receive identical bytes, and the harness should spend
 * its CPU on the wire, not on decoding the same Cluster 250 times.
 */
export class ResourceInspector {
  private memo = new Map<string, Inspected>();
  decoded = 0;

  inspect(typeUrl: string, body: Uint8Array): Inspected {
    const key = typeUrl.length + typeUrl + Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
    const hit = this.memo.get(key);
    if (hit) return hit;
    const found = this.decode(typeUrl, body);
    if (this.memo.size > 200_000) this.memo.clear();
    this.memo.set(key, found);
    return found;
  }

  private decode(typeUrl: string, body: Uint8Array): Inspected {
    this.decoded++;
    const t = typeForUrl(typeUrl);
    if (!t) return { name: '', refs: [], markers: [] };
    const m = t.decode(body) as unknown as Obj;
    switch (typeUrl) {
      case TypeUrl.Cluster: return { name: String(m.name), refs: clusterEds(m), markers: [] };
      case TypeUrl.Listener: return { name: String(m.name), refs: listenerRoutes(m), markers: [] };
      case TypeUrl.ClusterLoadAssignment: return { name: String(m.cluster_name), refs: [], markers: claMarkers(m) };
      default: return { name: String(m.name ?? ''), refs: [], markers: [] };
    }
  }
}
