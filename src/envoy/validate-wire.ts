/**
 * Strict decoding of protobuf bytes: protobufjs skips unknown fields (keeping
 * them in `$unknowns`), Envoy's own strict mode rejects them, so does Tower.
 */
import * as protobuf from 'protobufjs';
import { PathStack, mapKeySegment } from './field-error';
import { DecodeCtx, DecodeResult, ProtoObject, anyPayloads, decodeError } from './json-codec';
import { TypePlan, typeForUrlIn, typePlan } from './validate-type-plan';

const hasOwn = Object.prototype.hasOwnProperty;

/** protobufjs drops unknown fields unless the reader is told to keep them (Reader.discardUnknown defaults to true). */
function keepingReader(bytes: Uint8Array): protobuf.Reader {
  const r = protobuf.Reader.create(bytes);
  (r as protobuf.Reader & { discardUnknown: boolean }).discardUnknown = false;
  return r;
}

/**
 * Decodes protobuf bytes and rejects unknown fields anywhere in the tree,
 * including inside Any payloads (protobufjs keeps them in `$unknowns`).
 */
export function decodeStrict(type: protobuf.Type, bytes: Uint8Array, path = ''): DecodeResult {
  let message: ProtoObject;
  try {
    message = type.decode(keepingReader(bytes)) as unknown as ProtoObject;
  } catch (e) {
    return { ok: false, errors: [{ path, message: `malformed ${type.fullName.slice(1)}: ${(e as Error).message}` }] };
  }
  const ctx: DecodeCtx = { errors: [], path: new PathStack(path) };
  checkUnknowns(typePlan(type), message, ctx);
  return ctx.errors.length ? { ok: false, errors: ctx.errors } : { ok: true, message };
}

function checkUnknowns(plan: TypePlan, message: ProtoObject, ctx: DecodeCtx): void {
  const unknowns = (message as { $unknowns?: Uint8Array[] }).$unknowns;
  if (unknowns && unknowns.length) {
    for (const raw of unknowns) {
      const tag = protobuf.Reader.create(raw).uint32();
      decodeError(ctx, `unknown field number ${tag >>> 3} (wire type ${tag & 7}) in ${plan.fullName}`);
    }
  }
  if (plan.wkt === 'Any') {
    const url = message.type_url as string;
    const inner = typeForUrlIn(plan.type, url ?? '');
    if (!inner) { decodeError(ctx, `Any names a message not in Envoy's API: "${url}"`); return; }
    try {
      const payload = inner.decode(keepingReader((message.value as Uint8Array) ?? new Uint8Array(0))) as unknown as ProtoObject;
      anyPayloads.set(message, { type: inner, message: payload });
      checkUnknowns(typePlan(inner), payload, ctx);
    } catch (e) {
      decodeError(ctx, `malformed ${inner.fullName.slice(1)} inside Any: ${(e as Error).message}`);
    }
    return;
  }
  for (const fp of plan.fields) {
    if (fp.kind !== 'message' || !hasOwn.call(message, fp.key)) continue;
    const v = message[fp.key];
    if (v == null) continue;
    const sub = typePlan(fp.msgType as protobuf.Type);
    ctx.path.push(fp.proto);
    if (fp.map) {
      for (const k of Object.keys(v as object)) {
        ctx.path.push(mapKeySegment(k));
        checkUnknowns(sub, (v as Record<string, ProtoObject>)[k], ctx);
        ctx.path.pop();
      }
    } else if (fp.repeated) {
      const arr = v as ProtoObject[];
      for (let i = 0; i < arr.length; i++) {
        ctx.path.push(i);
        checkUnknowns(sub, arr[i], ctx);
        ctx.path.pop();
      }
    } else checkUnknowns(sub, v as ProtoObject, ctx);
    ctx.path.pop();
  }
}
