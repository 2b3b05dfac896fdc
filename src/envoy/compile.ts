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
import { validateInto } from './validate-rules';
import { typePlan } from './validate-type-plan';
import { Resource, SourceRef, makeResource } from '../xds/resource';

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

function decodeTopLevel(type: protobuf.Type, json: unknown, ctx: DecodeCtx, typeUrl?: string): ProtoObject | undefined {
  let skip: string | undefined;
  if (isPlainObject(json) && '@type' in json) {
    const given = json['@type'];
    const want = typeUrl ?? `type.googleapis.com/${type.fullName.slice(1)}`;
    if (given !== want) ctx.errors.push({ path: '@type', message: `"@type" is ${JSON.stringify(given)} but the resource is a ${want}` });
    skip = '@type';
  }
  return decodeMessageJson(typePlan(type), json, ctx, skip);
}

const typesByUrl = new Map<string, protobuf.Type | undefined>();

function typeOfUrl(typeUrl: string): protobuf.Type | undefined {
  if (typesByUrl.has(typeUrl)) return typesByUrl.get(typeUrl);
  const t = typeUrl.includes('/') ? typeForUrl(typeUrl) : undefined;
  if (typesByUrl.size < 1000) typesByUrl.set(typeUrl, t);
  return t;
}

/** A successful compile; the canonical JSON is computed on first access, then kept. */
class Compiled {
  readonly ok = true as const;
  private canonical: unknown;
  constructor(readonly resource: Resource, private readonly type: protobuf.Type, private message: ProtoObject | undefined) {}
  get json(): unknown {
    if (this.message !== undefined) {
      this.canonical = toJson(this.type, this.message);
      this.message = undefined; // the decoded tree is no longer needed
    }
    return this.canonical;
  }
}

function failed(typeUrl: string, name: string, sources: readonly SourceRef[], errors: FieldError[]): CompileResult {
  return { ok: false, typeUrl, name, sources, errors };
}

/**
 * Compiles one resource. Never throws on bad input: every problem comes back
 * as a FieldError with the path of the offending field.
 */
export function compileResource(typeUrl: string, name: string, json: unknown, sources: readonly SourceRef[] = []): CompileResult {
  const type = typeOfUrl(typeUrl);
  if (!type) return failed(typeUrl, name, sources, [{ path: '', message: `unknown resource type URL "${typeUrl}"` }]);
  const ctx: DecodeCtx = { errors: [], path: new PathStack() };
  try {
    const message = decodeTopLevel(type, json, ctx, typeUrl);
    if (message === undefined || ctx.errors.length) {
      return failed(typeUrl, name, sources, ctx.errors.length ? ctx.errors : [{ path: '', message: 'could not decode' }]);
    }
    validateInto(type, message, ctx);
    const nameField = nameFieldOf(type);
    if (nameField !== undefined && message[nameField] !== name) {
      ctx.errors.push({ path: nameField, message: `must equal the resource name ${JSON.stringify(name)} (is ${JSON.stringify(message[nameField] ?? '')})` });
    }
    if (ctx.errors.length) return failed(typeUrl, name, sources, ctx.errors);
    return new Compiled(makeResource(typeUrl, name, type.encode(message).finish(), sources), type, message);
  } catch (e) {
    // A bug in Tower, not bad input; still never crash the pipeline.
    return failed(typeUrl, name, sources, [...ctx.errors, { path: '', message: `internal error compiling ${typeUrl} ${name}: ${(e as Error).message}` }]);
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
  const ctx: DecodeCtx = { errors: [], path: new PathStack() };
  try {
    const message = decodeTopLevel(found, json, ctx);
    if (message === undefined || ctx.errors.length) return { ok: false, errors: ctx.errors.length ? ctx.errors : [{ path: '', message: 'could not decode' }] };
    validateInto(found, message, ctx);
    if (ctx.errors.length) return { ok: false, errors: ctx.errors };
    return { ok: true, message, json: toJson(found, message) };
  } catch (e) {
    return { ok: false, errors: [...ctx.errors, { path: '', message: `internal error: ${(e as Error).message}` }] };
  }
}
