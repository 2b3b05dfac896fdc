/**
 * Redacts fields Envoy's API marks `(udpa.annotations.sensitive)` (private
 * keys, passwords, ...) the way Envoy's own /config_dump does: strings
 * become "[redacted]", bytes become the bytes of "[redacted]", and a
 * sensitive message has every string and bytes leaf redacted. Packed Any
 * values (typed_config) are unpacked, redacted and repacked.
 */
import * as protobuf from 'protobufjs';
import { typeForUrl } from '../envoy/proto-root';

export const redacted = '[redacted]';
const redactedBytes = (): Uint8Array => Buffer.from(redacted);
const maxDepth = 64;

// protobufjs decoded messages are plain objects keyed by field name; typed as a record at this boundary.
type Msg = Record<string, unknown>;

function isSensitive(field: protobuf.Field): boolean {
  return field.options?.['(udpa.annotations.sensitive)'] === true;
}

function mapValues(field: protobuf.Field, value: unknown, fn: (v: unknown) => unknown): unknown {
  if (field.repeated && Array.isArray(value)) return value.map(fn);
  if (field.map && value && typeof value === 'object') {
    const out: Msg = {};
    for (const [k, v] of Object.entries(value as Msg)) out[k] = fn(v);
    return out;
  }
  return fn(value);
}

function redactLeaf(field: protobuf.Field, v: unknown, depth: number): unknown {
  if (field.resolvedType instanceof protobuf.Type) return redactAll(field.resolvedType, v as Msg, depth + 1);
  if (field.type === 'string') return redacted;
  if (field.type === 'bytes') return redactedBytes();
  return v;
}

/** Every string and bytes leaf of a sensitive message. */
function redactAll(type: protobuf.Type, msg: Msg | null | undefined, depth: number): Msg | null | undefined {
  if (!msg || depth > maxDepth) return msg;
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(msg, field.name)) continue; // unset (prototype default)
    const v = msg[field.name];
    if (v === undefined || v === null) continue;
    msg[field.name] = mapValues(field, v, (x) => redactLeaf(field, x, depth));
  }
  return msg;
}

function redactAny(any: Msg, depth: number): Msg {
  const typeUrl = any.type_url;
  const value = any.value;
  if (typeof typeUrl !== 'string' || !(value instanceof Uint8Array)) return any;
  const inner = typeForUrl(typeUrl);
  if (!inner) return any;
  let decoded: Msg;
  try {
    decoded = inner.decode(value) as unknown as Msg;
  } catch {
    return any; // undecodable payloads are shown as they are; the JSON codec reports them
  }
  if (!redactSensitive(inner, decoded, depth + 1)) return any;
  return { ...any, value: inner.encode(decoded).finish() };
}

/**
 * Redacts `msg` (a decoded message of `type`) in place. Returns whether
 * anything was redacted.
 */
export function redactSensitive(type: protobuf.Type, msg: Msg | null | undefined, depth = 0): boolean {
  if (!msg || depth > maxDepth) return false;
  let changed = false;
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(msg, field.name)) continue; // unset (prototype default)
    const v = msg[field.name];
    if (v === undefined || v === null) continue;
    field.resolve();
    if (isSensitive(field)) {
      msg[field.name] = mapValues(field, v, (x) => redactLeaf(field, x, depth));
      changed = true;
      continue;
    }
    const rt = field.resolvedType;
    if (!(rt instanceof protobuf.Type)) continue;
    if (rt.fullName === '.google.protobuf.Any') {
      msg[field.name] = mapValues(field, v, (x) => {
        const out = redactAny(x as Msg, depth);
        if (out !== x) changed = true;
        return out;
      });
    } else {
      mapValues(field, v, (x) => {
        if (redactSensitive(rt, x as Msg, depth + 1)) changed = true;
        return x;
      });
    }
  }
  return changed;
}
