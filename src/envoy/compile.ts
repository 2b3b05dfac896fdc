/**
 * The one entry point translators and the pipeline use to turn an Envoy
 * resource in proto3 JSON form into the encoded-once Resource the cache
 * serves: decode strictly, validate (protoc-gen-validate rules + Envoy's own
 * semantic checks), check the name, encode.
 */
import * as protobuf from 'protobufjs';
import { envoyRoot, typeForUrl } from './proto-root';
import { FieldError, PathStack } from './field-error';
import { DecodeCtx, ProtoObject, decodeMessageJson, isPlainObject, toJson } from './json-codec';
import { FusedCtx, decodeValidateJson } from './validate-decoder';
import { validateInto } from './validate-rules';
import { typePlan } from './validate-type-plan';
import { Resource, SourceRef, makeResourceFromWriter } from '../xds/resource';

export type { FieldError } from './field-error';

export type CompileResult =
  | { readonly ok: true; readonly resource: Resource; readonly json: unknown }
  | { readonly ok: false; readonly typeUrl: string; readonly name: string; readonly sources: readonly SourceRef[]; readonly errors: FieldError[] };

/** The field holding a resource's own name (ClusterLoadAssignment uses cluster_name). */
function nameFieldOf(type: protobuf.Type): string | undefined {
  const plan = typePlan(type);
  if (plan.byProto.has('name')) return 'name';
  if (plan.byProto.has('cluster_name')) return 'cluster_name';
  return undefined;
}

/** A top-level "@type" (allowed beside the fields) must name the resource's own type. */
function checkTopLevelType(type: protobuf.Type, json: unknown, ctx: DecodeCtx, typeUrl?: string): string | undefined {
  if (!isPlainObject(json) || !('@type' in json)) return undefined;
  const given = json['@type'];
  const want = typeUrl ?? `type.googleapis.com/${type.fullName.slice(1)}`;
  if (given !== want) ctx.errors.push({ path: '@type', message: `"@type" is ${JSON.stringify(given)} but the resource is a ${want}` });
  return '@type';
}

export interface CheckedMessage {
  /** The decoded message; undefined when decoding failed. */
  readonly message: ProtoObject | undefined;
  /** Decode errors if decoding failed, else every violation of validate.rules and Envoy's semantic checks. */
  readonly errors: FieldError[];
}

/**
 * Strict decode + validate.rules + Envoy's semantic checks of one message,
 * in one generated pass (validate-decoder.ts), or with `reference` by the
 * decoder and then the separate validation walk (validate-rules.ts): both
 * give the same message and the same errors in the same order. Throws only
 * on a bug in Tower.
 */
export function checkMessage(type: protobuf.Type, json: unknown, opts: { readonly typeUrl?: string; readonly reference?: boolean } = {}): CheckedMessage {
  const path = new PathStack();
  if (opts.reference) {
    const ctx: DecodeCtx = { errors: [], path };
    const skip = checkTopLevelType(type, json, ctx, opts.typeUrl);
    const message = decodeMessageJson(typePlan(type), json, ctx, skip);
    if (message === undefined || ctx.errors.length) return { message: undefined, errors: ctx.errors.length ? ctx.errors : [{ path: '', message: 'could not decode' }] };
    validateInto(type, message, ctx);
    return { message, errors: ctx.errors };
  }
  const ctx: FusedCtx = { errors: [], path, v: { errors: [], path } };
  const skip = checkTopLevelType(type, json, ctx, opts.typeUrl);
  const message = decodeValidateJson(typePlan(type), json, ctx, skip);
  if (message === undefined || ctx.errors.length) return { message: undefined, errors: ctx.errors.length ? ctx.errors : [{ path: '', message: 'could not decode' }] };
  return { message, errors: ctx.v.errors };
}

const typesByUrl = new Map<string, protobuf.Type | undefined>();

function typeOfUrl(typeUrl: string): protobuf.Type | undefined {
  if (typesByUrl.has(typeUrl)) return typesByUrl.get(typeUrl);
  const t = typeUrl.includes('/') ? typeForUrl(typeUrl) : undefined;
  if (typesByUrl.size < 1000) typesByUrl.set(typeUrl, t);
  return t;
}

/** A successful compile; the canonical JSON is computed from the encoded bytes on first access (no decoded tree is kept). */
class Compiled {
  readonly ok = true as const;
  private canonical: unknown;
  constructor(readonly resource: Resource, private readonly type: protobuf.Type) {}
  get json(): unknown {
    if (this.canonical === undefined) this.canonical = toJson(this.type, this.type.decode(this.resource.body) as unknown as ProtoObject);
    return this.canonical;
  }
}

function failed(typeUrl: string, name: string, sources: readonly SourceRef[], errors: FieldError[]): CompileResult {
  return { ok: false, typeUrl, name, sources, errors };
}

/** One Writer reused by every compile (reset after each): its buffer grows once instead of per resource. */
let spareWriter: protobuf.Writer | undefined;
const maxKeptWriterBytes = 1 << 20;

function encodeResource(type: protobuf.Type, typeUrl: string, name: string, message: ProtoObject, sources: readonly SourceRef[]): Resource {
  const w = spareWriter ?? protobuf.Writer.create();
  spareWriter = undefined; // a re-entrant call (none expected) would take a fresh one
  type.encode(message, w);
  const resource = makeResourceFromWriter(typeUrl, name, w, sources);
  // Reused only after a complete encode (no open forks) and if its buffer stayed small.
  if (!w.states?.length && (w as protobuf.Writer & { pos: number }).pos <= maxKeptWriterBytes) spareWriter = w.reset();
  return resource;
}

/**
 * Compiles one resource. Never throws on bad input: every problem comes back
 * as a FieldError with the path of the offending field.
 */
export function compileResource(typeUrl: string, name: string, json: unknown, sources: readonly SourceRef[] = []): CompileResult {
  const type = typeOfUrl(typeUrl);
  if (!type) return failed(typeUrl, name, sources, [{ path: '', message: `unknown resource type URL "${typeUrl}"` }]);
  let errors: FieldError[] = [];
  try {
    const checked = checkMessage(type, json, { typeUrl });
    errors = checked.errors;
    const message = checked.message;
    if (message === undefined) return failed(typeUrl, name, sources, errors);
    const nameField = nameFieldOf(type);
    if (nameField !== undefined && message[nameField] !== name) {
      errors.push({ path: nameField, message: `must equal the resource name ${JSON.stringify(name)} (is ${JSON.stringify(message[nameField] ?? '')})` });
    }
    if (errors.length) return failed(typeUrl, name, sources, errors);
    return new Compiled(encodeResource(type, typeUrl, name, message, sources), type);
  } catch (e) {
    // A bug in Tower, not bad input; still never crash the pipeline.
    return failed(typeUrl, name, sources, [...errors, { path: '', message: `internal error compiling ${typeUrl} ${name}: ${(e as Error).message}` }]);
  }
}

export type DecodeValidateResult =
  | { readonly ok: true; readonly message: ProtoObject; readonly json: unknown }
  | { readonly ok: false; readonly errors: FieldError[] };

/**
 * Strictly decodes and validates a whole document (for example an Envoy
 * bootstrap: `envoy.config.bootstrap.v3.Bootstrap`) given the message's full name.
 */
export function decodeAndValidate(typeFullName: string, json: unknown): DecodeValidateResult {
  const found = envoyRoot().lookup(typeFullName.replace(/^\./, ''));
  if (!(found instanceof protobuf.Type)) return { ok: false, errors: [{ path: '', message: `unknown message type "${typeFullName}"` }] };
  try {
    const { message, errors } = checkMessage(found, json);
    if (message === undefined || errors.length) return { ok: false, errors };
    return { ok: true, message, json: toJson(found, message) };
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `internal error: ${(e as Error).message}` }] };
  }
}
