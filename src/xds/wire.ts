/**
 * Wire encoding for the discovery services. Requests are decoded with
 * protobufjs; responses are assembled by hand so each resource's cached
 * Any / delta Resource bytes are copied into the frame as-is, never re-encoded.
 */
import * as protobuf from 'protobufjs';
import { messageType } from '../envoy/proto-root';
import type { Resource } from './resource';

export interface RpcStatus { code: number; message: string }

export interface NodeProto {
  id?: string;
  cluster?: string;
  metadata?: { fields?: Record<string, unknown> };
  locality?: { region?: string; zone?: string; sub_zone?: string };
  user_agent_name?: string;
  user_agent_version?: string;
  user_agent_build_version?: { version?: { major_number?: number; minor_number?: number; patch?: number } };
}

export interface SotwRequest {
  versionInfo: string;
  node?: NodeProto;
  resourceNames: string[];
  typeUrl: string;
  responseNonce: string;
  errorDetail?: RpcStatus;
}

export interface DeltaRequest {
  node?: NodeProto;
  typeUrl: string;
  subscribe: string[];
  unsubscribe: string[];
  initialResourceVersions: Record<string, string>;
  responseNonce: string;
  errorDetail?: RpcStatus;
}

let reqType: protobuf.Type | undefined;
let deltaReqType: protobuf.Type | undefined;

function status(e: { code?: number; message?: string } | null | undefined): RpcStatus | undefined {
  // error_detail is a message field: presence (not content) marks a NACK.
  if (!e) return undefined;
  return { code: e.code ?? 0, message: e.message ?? '' };
}

/** Decodes a DiscoveryRequest; throws with a description on malformed bytes. */
export function decodeSotwRequest(buf: Uint8Array): SotwRequest {
  reqType ??= messageType('envoy.service.discovery.v3.DiscoveryRequest');
  // protobufjs decode yields a Message with snake_case fields (keepCase); typed at this boundary.
  const m = reqType.decode(buf) as unknown as {
    version_info?: string; node?: NodeProto; resource_names?: string[]; type_url?: string;
    response_nonce?: string; error_detail?: { code?: number; message?: string } | null;
  };
  return {
    versionInfo: m.version_info ?? '',
    node: m.node ?? undefined,
    resourceNames: m.resource_names ?? [],
    typeUrl: m.type_url ?? '',
    responseNonce: m.response_nonce ?? '',
    errorDetail: status(m.error_detail),
  };
}

/**
 * A DiscoveryRequest read without decoding its resource names: a SotW Envoy
 * repeats every subscribed name in every ACK (1,000 EDS names are ~60 KB), so
 * streams compare `namesRaw` with the bytes of the names that produced the
 * current subscription (names-key.ts) and decode the names (`names()`) only when it differs.
 */
export interface ScannedSotwRequest {
  versionInfo: string;
  node?: NodeProto;
  typeUrl: string;
  responseNonce: string;
  errorDetail?: RpcStatus;
  namesCount: number;
  /** The resource_names fields as they appear on the wire (tags included); a view into the request. */
  namesRaw: Buffer;
  /** Decodes the names (strict UTF-8); throws on malformed bytes. */
  names(): string[];
}

let nodeType: protobuf.Type | undefined;
let statusType: protobuf.Type | undefined;
const NO_NAMES: Buffer = Buffer.alloc(0);

/** Reads a DiscoveryRequest's fields, leaving resource_names as raw bytes; throws with a description on malformed bytes. */
export function scanSotwRequest(buf: Uint8Array): ScannedSotwRequest {
  nodeType ??= messageType('envoy.config.core.v3.Node');
  statusType ??= messageType('google.rpc.Status');
  const r = protobuf.Reader.create(buf);
  let versionInfo = '';
  let typeUrl = '';
  let responseNonce = '';
  // protobufjs decode yields Messages with snake_case fields (keepCase); typed at this boundary.
  let node: NodeProto | undefined;
  let err: { code?: number; message?: string } | undefined;
  let namesCount = 0;
  let runStart = -1;
  let runEnd = -1;
  let pieces: Uint8Array[] | undefined;
  while (r.pos < r.len) {
    const at = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2 && field === 3) {
      r.skip(r.uint32());
      namesCount++;
      if (runStart < 0) runStart = at;
      else if (at !== runEnd) { (pieces ??= []).push(buf.subarray(runStart, runEnd)); runStart = at; }
      runEnd = r.pos;
    } else if (wire === 2 && field === 1) versionInfo = r.stringVerify();
    else if (wire === 2 && field === 4) typeUrl = r.stringVerify();
    else if (wire === 2 && field === 5) responseNonce = r.stringVerify();
    else if (wire === 2 && field === 2) node = nodeType.decode(r, r.uint32()) as unknown as NodeProto;
    else if (wire === 2 && field === 6) err = statusType.decode(r, r.uint32()) as unknown as { code?: number; message?: string };
    else r.skipType(wire, 0, field);
  }
  let raw: Buffer = NO_NAMES;
  if (runStart >= 0) {
    const last = Buffer.from(buf.buffer, buf.byteOffset + runStart, runEnd - runStart);
    raw = pieces ? Buffer.concat([...pieces, last]) : last;
  }
  return {
    versionInfo, node, typeUrl, responseNonce, errorDetail: status(err), namesCount, namesRaw: raw,
    names: () => {
      const out: string[] = [];
      const nr = protobuf.Reader.create(raw);
      while (nr.pos < nr.len) { nr.uint32(); out.push(nr.stringVerify()); }
      return out;
    },
  };
}

/** Decodes a DeltaDiscoveryRequest; throws with a description on malformed bytes. */
export function decodeDeltaRequest(buf: Uint8Array): DeltaRequest {
  deltaReqType ??= messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const m = deltaReqType.decode(buf) as unknown as {
    node?: NodeProto; type_url?: string; resource_names_subscribe?: string[]; resource_names_unsubscribe?: string[];
    initial_resource_versions?: Record<string, string>; response_nonce?: string; error_detail?: { code?: number; message?: string } | null;
  };
  return {
    node: m.node ?? undefined,
    typeUrl: m.type_url ?? '',
    subscribe: m.resource_names_subscribe ?? [],
    unsubscribe: m.resource_names_unsubscribe ?? [],
    initialResourceVersions: m.initial_resource_versions ?? {},
    responseNonce: m.response_nonce ?? '',
    errorDetail: status(m.error_detail),
  };
}

/** Observers of response assembly: they see the exact cached byte arrays placed in each frame (tests, tracing). */
type AssemblyObserver = (typeUrl: string, parts: readonly Uint8Array[]) => void;
const observers = new Set<AssemblyObserver>();
export function observeAssembly(fn: AssemblyObserver): () => void {
  observers.add(fn);
  return () => observers.delete(fn);
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); len++; }
  return len;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= 0x80) { out[pos++] = (n % 128) | 0x80; n = Math.floor(n / 128); }
  out[pos++] = n;
  return pos;
}

/** The repeated field `fieldNo` holding each part, spliced from the cached bytes. */
function section(fieldNo: number, parts: readonly Uint8Array[]): Buffer {
  const tag = (fieldNo << 3) | 2;
  let size = 0;
  for (const p of parts) size += 1 + varintLength(p.length) + p.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const p of parts) {
    out[pos++] = tag;
    pos = writeVarint(out, pos, p.length);
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Header fields encoded with protobufjs, then the repeated resources field. */
function assemble(head: Uint8Array, fieldNo: number, resources: readonly Resource[], pick: (r: Resource) => Uint8Array, tail: Uint8Array, typeUrl: string): Buffer {
  const parts = resources.map(pick);
  const body = section(fieldNo, parts);
  for (const o of observers) o(typeUrl, parts);
  return Buffer.concat([head, body, tail], head.length + body.length + tail.length);
}

const EMPTY_BYTES = new Uint8Array(0);
const controlPlane = (id: string): Uint8Array => protobuf.Writer.create().uint32(10).string(id).finish();

/** DiscoveryResponse { version_info=1, resources=2 (each Resource.any), type_url=4, nonce=5, control_plane=6 }. */
export function encodeSotwResponse(r: { versionInfo: string; typeUrl: string; nonce: string; resources: readonly Resource[]; controlPlaneId: string }): Buffer {
  const head = protobuf.Writer.create().uint32(10).string(r.versionInfo).finish();
  const w = protobuf.Writer.create().uint32(34).string(r.typeUrl).uint32(42).string(r.nonce);
  if (r.controlPlaneId) w.uint32(50).bytes(controlPlane(r.controlPlaneId)); // '' = omitted (sent once per stream)
  const tail = w.finish();
  return assemble(head, 2, r.resources, (x) => x.any, tail, r.typeUrl);
}

/** An encoded DiscoveryResponse several streams may send as it is, with the nonce it carries. */
export interface SharedFrame {
  readonly frame: Buffer;
  readonly nonce: string;
  /** Order of the nonce among all nonces the server issued (nonces are a counter). */
  readonly seq: number;
}

/**
 * Responses cached per shared resource list (every client of a view with the
 * same subscription holds the same list, see desired.ts), per version and
 * control_plane: one encoding, nonce included, for all of them, instead of a
 * copy of every resource per client. Per-stream lists are never cached: a
 * stream keeps its last list (ACK/NACK bookkeeping), and a cached frame would
 * keep its bytes alive per client.
 */
const frames = new WeakMap<readonly Resource[], Map<string, SharedFrame>>();

/**
 * The shared response for (resources, version, control_plane), or a new one
 * (nonce from `issue`) when none is cached or the cached nonce is not newer
 * than `after`: a stream's nonces for a type must keep increasing (a repeated
 * nonce would make an old ACK look like the answer to the new response).
 */
export function sharedSotwResponse(r: { versionInfo: string; typeUrl: string; resources: readonly Resource[]; controlPlaneId: string }, after: number, issue: () => { nonce: string; seq: number }): SharedFrame {
  let byKey = frames.get(r.resources);
  const key = `${r.controlPlaneId}\u0000${r.versionInfo}`;
  const cached = byKey?.get(key);
  if (cached && cached.seq > after) {
    if (observers.size) for (const o of observers) o(r.typeUrl, r.resources.map((x) => x.any));
    return cached;
  }
  const { nonce, seq } = issue();
  const made: SharedFrame = { frame: encodeSotwResponse({ ...r, nonce }), nonce, seq };
  if (r.resources.length > 16) { // small lists are cheaper to rebuild than to track
    if (!byKey) frames.set(r.resources, (byKey = new Map()));
    byKey.set(key, made);
  }
  return made;
}

/** DeltaDiscoveryResponse { system_version_info=1, resources=2 (each Resource.deltaResource), type_url=4, nonce=5, removed_resources=6, control_plane=7 }. */
export function encodeDeltaResponse(r: { systemVersionInfo: string; typeUrl: string; nonce: string; resources: readonly Resource[]; removed: readonly string[]; controlPlaneId: string }): Buffer {
  const head = r.systemVersionInfo ? protobuf.Writer.create().uint32(10).string(r.systemVersionInfo).finish() : EMPTY_BYTES;
  const w = protobuf.Writer.create().uint32(34).string(r.typeUrl).uint32(42).string(r.nonce);
  for (const name of r.removed) w.uint32(50).string(name);
  if (r.controlPlaneId) w.uint32(58).bytes(controlPlane(r.controlPlaneId));
  return assemble(head, 2, r.resources, (x) => x.deltaResource, w.finish(), r.typeUrl);
}
