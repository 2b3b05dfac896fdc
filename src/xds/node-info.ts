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

/**
 * google.protobuf.Value as protobufjs decodes it. protobufjs supplies the
 * well-known types from its bundled (camelCase) definitions even though the
 * Envoy protos are loaded with keepCase, so both spellings are read.
 */
interface ValueProto {
  number_value?: number | null; string_value?: string | null; bool_value?: boolean | null;
  struct_value?: { fields?: Record<string, ValueProto> }; list_value?: { values?: ValueProto[] };
  numberValue?: number | null; stringValue?: string | null; boolValue?: boolean | null;
  structValue?: { fields?: Record<string, ValueProto> }; listValue?: { values?: ValueProto[] };
}

/** The member of Value's `kind` oneof that is set: own properties only (decoded messages inherit defaults). */
function own<K extends keyof ValueProto>(v: ValueProto, a: K, b: K): ValueProto[K] | undefined {
  if (Object.prototype.hasOwnProperty.call(v, a) && v[a] !== null) return v[a];
  if (Object.prototype.hasOwnProperty.call(v, b) && v[b] !== null) return v[b];
  return undefined;
}

function valueToJson(v: ValueProto | undefined, depth: number): unknown {
  if (!v || depth > 32) return null;
  const str = own(v, 'string_value', 'stringValue');
  if (str !== undefined) return str;
  const num = own(v, 'number_value', 'numberValue');
  if (num !== undefined) return num;
  const bool = own(v, 'bool_value', 'boolValue');
  if (bool !== undefined) return bool;
  const struct = own(v, 'struct_value', 'structValue');
  if (struct) return structToJson(struct, depth + 1);
  const list = own(v, 'list_value', 'listValue');
  if (list) return (list.values ?? []).map((x) => valueToJson(x, depth + 1));
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
