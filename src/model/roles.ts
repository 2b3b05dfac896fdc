/**
 * A client's role, decided from its Envoy Node (see docs/roles.md).
 *
 *   metadata.TOWER_ROLE = gateway   (+ TOWER_GATEWAY "ns/name")
 *   metadata.TOWER_ROLE = sidecar   (+ NAMESPACE, SERVICE_ACCOUNT, LABELS, INSTANCE_IPS, INTERCEPTION_MODE)
 *   metadata.TOWER_ROLE = proxyless (+ NAMESPACE)
 *   no TOWER_ROLE: gRPC user agents (grpc-node-js, grpc-java, grpc-go, grpc-c++, …) → proxyless;
 *   anything else → sidecar, explicit mode, namespace "default".
 *
 * The node may arrive decoded either as protobufjs objects (metadata as a
 * google.protobuf.Struct with fields / *_value) or as plain JSON; both work.
 */

export type InterceptionMode = 'transparent' | 'explicit';

export type ClientRole =
  | { readonly kind: 'gateway'; readonly nodeId: string; readonly gateway?: { readonly namespace: string; readonly name: string }; readonly reason: string }
  | {
      readonly kind: 'sidecar';
      readonly nodeId: string;
      readonly mode: InterceptionMode;
      readonly namespace: string;
      readonly serviceAccount?: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly instanceIps: readonly string[];
      readonly reason: string;
    }
  | { readonly kind: 'proxyless'; readonly nodeId: string; readonly namespace?: string; readonly reason: string };

export type RoleKind = ClientRole['kind'];

const grpcAgents = /^grpc-(node-js|java|go|c\+\+|cpp|python|ruby|php|csharp|dotnet|objc|swift|rust|core)/i;

type Plain = { [k: string]: unknown };

function isObj(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** google.protobuf.Value (protobufjs object, either casing) → plain JSON. */
function fromValue(v: unknown): unknown {
  if (!isObj(v)) return v;
  for (const k of ['string_value', 'stringValue', 'number_value', 'numberValue', 'bool_value', 'boolValue']) if (k in v) return v[k];
  if ('null_value' in v || 'nullValue' in v) return null;
  const sv = v.struct_value ?? v.structValue;
  if (sv !== undefined) return fromStruct(sv);
  const lv = v.list_value ?? v.listValue;
  if (lv !== undefined) return isObj(lv) && Array.isArray(lv.values) ? lv.values.map(fromValue) : [];
  return v;
}

function looksLikeValue(v: unknown): boolean {
  return isObj(v) && Object.keys(v).length === 1 && /^(string|number|bool|null|struct|list)_?[vV]alue$/.test(Object.keys(v)[0] as string);
}

/** google.protobuf.Struct (protobufjs) or plain object → plain object. */
function fromStruct(s: unknown): Plain {
  if (!isObj(s)) return {};
  if (isObj(s.fields) && Object.values(s.fields).every(looksLikeValue)) {
    const out: Plain = {};
    for (const [k, v] of Object.entries(s.fields)) out[k] = fromValue(v);
    return out;
  }
  return s;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === 'string') {
    // also accept "a=b,c=d"
    for (const part of v.split(',')) {
      const i = part.indexOf('=');
      if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    return out;
  }
  if (isObj(v)) for (const [k, val] of Object.entries(fromStruct(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

function ipsOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [];
}

function nsName(v: string | undefined): { namespace: string; name: string } | undefined {
  if (!v) return undefined;
  const parts = v.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 1 && parts[0]) return { namespace: 'default', name: parts[0] };
  return undefined;
}

export function roleFromNode(node: unknown): ClientRole {
  const n = isObj(node) ? node : {};
  const nodeId = str(n.id) ?? '';
  const md = fromStruct(n.metadata);
  const agent = str(n.user_agent_name) ?? str(n.userAgentName) ?? '';
  const declared = str(md.TOWER_ROLE)?.toLowerCase();
  const namespace = str(md.NAMESPACE);
  const sidecar = (reason: string): ClientRole => {
    const modeRaw = str(md.INTERCEPTION_MODE)?.toLowerCase();
    const mode: InterceptionMode = modeRaw === 'transparent' || modeRaw === 'redirect' || modeRaw === 'tproxy' ? 'transparent' : 'explicit';
    const sa = str(md.SERVICE_ACCOUNT);
    return {
      kind: 'sidecar',
      nodeId,
      mode,
      namespace: namespace ?? 'default',
      ...(sa ? { serviceAccount: sa } : {}),
      labels: labelsOf(md.LABELS),
      instanceIps: ipsOf(md.INSTANCE_IPS),
      reason: modeRaw && modeRaw !== mode ? `${reason}; INTERCEPTION_MODE "${modeRaw}" unknown, using explicit` : reason,
    };
  };
  switch (declared) {
    case 'gateway': {
      const gw = nsName(str(md.TOWER_GATEWAY));
      const bad = str(md.TOWER_GATEWAY) && !gw ? `; TOWER_GATEWAY "${String(md.TOWER_GATEWAY)}" is not "ns/name", using the default gateway` : '';
      return { kind: 'gateway', nodeId, ...(gw ? { gateway: gw } : {}), reason: `metadata TOWER_ROLE=gateway${bad}` };
    }
    case 'sidecar':
      return sidecar('metadata TOWER_ROLE=sidecar');
    case 'proxyless':
      return { kind: 'proxyless', nodeId, ...(namespace ? { namespace } : {}), reason: 'metadata TOWER_ROLE=proxyless' };
  }
  const unknownNote = declared ? `unknown TOWER_ROLE "${declared}"; ` : '';
  if (grpcAgents.test(agent)) return { kind: 'proxyless', nodeId, ...(namespace ? { namespace } : {}), reason: `${unknownNote}user agent ${agent}` };
  return sidecar(`${unknownNote}default for user agent "${agent || 'none'}"`);
}

/** Clients with the same view key receive the same resources and share one table. */
export function viewKey(role: ClientRole): string {
  switch (role.kind) {
    case 'gateway':
      return role.gateway ? `gateway|${role.gateway.namespace}/${role.gateway.name}` : 'gateway|default';
    case 'sidecar': {
      const labels = Object.keys(role.labels).sort().map((k) => `${k}=${role.labels[k]}`).join(',');
      return `sidecar|${role.mode}|${role.namespace}|${labels}`;
    }
    case 'proxyless':
      return `proxyless|${role.namespace ?? ''}`;
  }
}

/** Role from a CLI flag value: gateway[=ns/name], sidecar[-transparent|-explicit], proxyless. */
export function roleFromFlag(flag: string, opts: { nodeId?: string; namespace?: string; labels?: Readonly<Record<string, string>>; serviceAccount?: string } = {}): ClientRole {
  const [kind, arg] = flag.split('=', 2) as [string, string | undefined];
  const md: Plain = {};
  if (opts.namespace) md.NAMESPACE = opts.namespace;
  if (opts.labels) md.LABELS = { ...opts.labels };
  if (opts.serviceAccount) md.SERVICE_ACCOUNT = opts.serviceAccount;
  switch (kind) {
    case 'gateway':
      md.TOWER_ROLE = 'gateway';
      if (arg) md.TOWER_GATEWAY = arg;
      break;
    case 'sidecar':
    case 'sidecar-explicit':
      md.TOWER_ROLE = 'sidecar';
      md.INTERCEPTION_MODE = 'explicit';
      break;
    case 'sidecar-transparent':
      md.TOWER_ROLE = 'sidecar';
      md.INTERCEPTION_MODE = 'transparent';
      break;
    case 'proxyless':
      md.TOWER_ROLE = 'proxyless';
      break;
    default:
      throw new Error(`unknown role "${flag}" (expected gateway[=ns/name], sidecar-transparent, sidecar-explicit or proxyless)`);
  }
  return roleFromNode({ id: opts.nodeId ?? `tower-dump~${kind}`, metadata: md });
}
