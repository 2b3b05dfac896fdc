/**
 * Client Status Discovery Service answers: per connected xDS client, every
 * resource it subscribes to or holds, with its config_status (SYNCED, NOT_SENT,
 * STALE, ERROR), client_status (REQUESTED, ACKED, NACKED) and, for NACKs, the
 * error. Filtering supports node_matchers[].node_id (exact, prefix, suffix,
 * contains, safe_regex, ignore_case); metadata matchers are not evaluated.
 */
import { envoyRoot, messageType } from '../envoy/proto-root';
import type { NodeInfo } from './node-info';
import type { CsdsEntry } from './stream-base';

export interface StringMatcherProto {
  exact?: string; prefix?: string; suffix?: string; contains?: string; safe_regex?: { regex?: string }; ignore_case?: boolean;
}
export interface CsdsRequest { nodeMatchers: { node_id?: StringMatcherProto }[]; excludeResourceContents: boolean }
export interface CsdsClient { node: NodeInfo; entries: CsdsEntry[] }

export function decodeCsdsRequest(buf: Uint8Array): CsdsRequest {
  // protobufjs decode output typed at this boundary (snake_case, keepCase).
  const m = messageType('envoy.service.status.v3.ClientStatusRequest').decode(buf) as unknown as {
    node_matchers?: { node_id?: StringMatcherProto }[]; exclude_resource_contents?: boolean;
  };
  return { nodeMatchers: m.node_matchers ?? [], excludeResourceContents: m.exclude_resource_contents ?? false };
}

export function matchString(m: StringMatcherProto | undefined, value: string): boolean {
  if (!m) return true;
  const ic = m.ignore_case === true;
  const v = ic ? value.toLowerCase() : value;
  const p = (s: string) => (ic ? s.toLowerCase() : s);
  if (m.exact !== undefined && m.exact !== null && m.exact !== '') return v === p(m.exact);
  if (m.prefix) return v.startsWith(p(m.prefix));
  if (m.suffix) return v.endsWith(p(m.suffix));
  if (m.contains) return v.includes(p(m.contains));
  if (m.safe_regex?.regex) {
    try { return new RegExp(`^(?:${m.safe_regex.regex})$`).test(value); } catch { return false; }
  }
  return m.exact === '' ? value === '' : true;
}

export function nodeMatches(req: CsdsRequest, node: NodeInfo): boolean {
  if (req.nodeMatchers.length === 0) return true;
  return req.nodeMatchers.some((nm) => matchString(nm.node_id, node.id));
}

/** Field names of google.protobuf.Value as loaded (protobufjs bundles it in camelCase). */
let valueFieldNames: Record<string, string> | undefined;
function valueField(snake: string): string {
  if (!valueFieldNames) {
    const fields = envoyRoot().lookupType('google.protobuf.Value').fields;
    valueFieldNames = {};
    for (const name of Object.keys(fields)) valueFieldNames[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = name;
  }
  return valueFieldNames[snake] ?? snake;
}

function jsonToValue(v: unknown, depth = 0): Record<string, unknown> {
  if (depth > 32 || v === null || v === undefined) return { [valueField('null_value')]: 0 };
  if (typeof v === 'string') return { [valueField('string_value')]: v };
  if (typeof v === 'number') return { [valueField('number_value')]: v };
  if (typeof v === 'boolean') return { [valueField('bool_value')]: v };
  if (Array.isArray(v)) return { [valueField('list_value')]: { values: v.map((x) => jsonToValue(x, depth + 1)) } };
  return { [valueField('struct_value')]: jsonToStruct(v as Record<string, unknown>, depth + 1) };
}

function jsonToStruct(o: Record<string, unknown>, depth = 0): { fields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) fields[k] = jsonToValue(v, depth);
  return { fields };
}

function timestamp(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** Encodes a ClientStatusResponse (debug path: encoded per request with protobufjs). */
export function encodeCsdsResponse(clients: CsdsClient[], excludeContents: boolean): Uint8Array {
  const config = clients.map((c) => ({
    node: {
      id: c.node.id, cluster: c.node.cluster, metadata: jsonToStruct(c.node.metadata),
      locality: c.node.locality, user_agent_name: c.node.userAgentName, user_agent_version: c.node.userAgentVersion,
    },
    generic_xds_configs: c.entries.map((e) => ({
      type_url: e.typeUrl,
      name: e.name,
      version_info: e.version,
      xds_config: e.resource && !excludeContents ? { type_url: e.typeUrl, value: e.resource.body } : undefined,
      config_status: e.configStatus,
      client_status: e.clientStatus,
      error_state: e.error ? { details: e.error.message, version_info: e.error.version, last_update_attempt: timestamp(e.error.at) } : undefined,
    })),
  }));
  const t = messageType('envoy.service.status.v3.ClientStatusResponse');
  return t.encode(t.fromObject({ config })).finish();
}
