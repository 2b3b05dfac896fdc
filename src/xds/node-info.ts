/** The client identity a stream announces in its first request (Envoy's core.v3.Node), as plain data. */
import type { NodeProto } from './wire';

export interface NodeInfo {
  id: string;
  cluster: string;
  /** google.protobuf.Struct converted to plain JSON. */
  metadata: Record<string, unknown>;
  userAgentName: string;
  userAgentVersion: string;
  locality?: { region?: string; zone?: string; sub_zone?: string };
}

interface ValueProto {
  null_value?: number; number_value?: number; string_value?: string; bool_value?: boolean;
  struct_value?: { fields?: Record<string, ValueProto> }; list_value?: { values?: ValueProto[] };
}

function valueToJson(v: ValueProto | undefined, depth: number): unknown {
  if (!v || depth > 32) return null;
  if (v.string_value !== undefined && v.string_value !== null) return v.string_value;
  if (v.number_value !== undefined && v.number_value !== null) return v.number_value;
  if (v.bool_value !== undefined && v.bool_value !== null) return v.bool_value;
  if (v.struct_value) return structToJson(v.struct_value, depth + 1);
  if (v.list_value) return (v.list_value.values ?? []).map((x) => valueToJson(x, depth + 1));
  return null;
}

export function structToJson(s: { fields?: Record<string, unknown> } | undefined, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = valueToJson(v as ValueProto, depth);
  return out;
}

export function nodeInfoFrom(n: NodeProto): NodeInfo {
  const build = n.user_agent_build_version?.version;
  const version = n.user_agent_version || (build ? `${build.major_number ?? 0}.${build.minor_number ?? 0}.${build.patch ?? 0}` : '');
  const info: NodeInfo = {
    id: n.id ?? '',
    cluster: n.cluster ?? '',
    metadata: structToJson(n.metadata),
    userAgentName: n.user_agent_name ?? '',
    userAgentVersion: version,
  };
  if (n.locality && (n.locality.region || n.locality.zone || n.locality.sub_zone)) {
    info.locality = {};
    if (n.locality.region) info.locality.region = n.locality.region;
    if (n.locality.zone) info.locality.zone = n.locality.zone;
    if (n.locality.sub_zone) info.locality.sub_zone = n.locality.sub_zone;
  }
  return info;
}
