/**
 * Strict proto3 JSON <-> protobufjs objects for Envoy's API, driven by
 * reflection over the loaded Root (no per-message code).
 *
 * Input is the form of Envoy's YAML and config dumps: snake_case names
 * (lowerCamelCase accepted), durations as "5s", Any as {"@type", ...fields},
 * wrappers as bare values, enums by name or number, Struct/Value as plain
 * JSON, 64-bit integers as numbers or decimal strings, bytes as base64.
 *
 * Decoded messages are plain objects in protobufjs' runtime shape (keys are
 * field names, enums numbers, int64 numbers or Longs, bytes Uint8Arrays, Any
 * values already encoded) and can be passed straight to `Type.encode`.
 */
import * as protobuf from 'protobufjs';
import { FieldError, PathStack, mapKeySegment } from './field-error';
import { plainDecoder } from './validate-decoder';
import { wktFromJson, wktToJson } from './json-wkt';
import { FieldPlan, ScalarKind, TypePlan, subPlan, typePlan } from './validate-type-plan';

export type ProtoObject = { [field: string]: unknown };

export type DecodeResult =
  | { ok: true; message: ProtoObject }
  | { ok: false; errors: FieldError[] };

/** Shared state of one decode: errors collected, the current path. */
export interface DecodeCtx {
  readonly errors: FieldError[];
  readonly path: PathStack;
}

export function decodeError(ctx: DecodeCtx, message: string, extra?: string | number): undefined {
  ctx.errors.push({ path: ctx.path.render(extra), message });
  return undefined;
}

/** Strictly decodes proto3 JSON into a message of `type`, collecting every error. */
export function fromJson(type: protobuf.Type, json: unknown, path = ''): DecodeResult {
  const ctx: DecodeCtx = { errors: [], path: new PathStack(path) };
  const message = decodeMessageJson(typePlan(type), json, ctx);
  if (ctx.errors.length > 0 || message === undefined) {
    if (ctx.errors.length === 0) ctx.errors.push({ path, message: `could not decode ${type.fullName.slice(1)}` });
    return { ok: false, errors: ctx.errors };
  }
  return { ok: true, message };
}

export function typeLabel(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  return `a ${typeof v} (${String(v)})`;
}

/** Sets an own property even for keys like "__proto__" (map keys come from user input). */
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Decodes one message. `skipKey` is the "@type" key of an Any whose payload
 * fields sit next to it.
 */
export function decodeMessageJson(plan: TypePlan, json: unknown, ctx: DecodeCtx, skipKey?: string): ProtoObject | undefined {
  return plainDecoder(plan)(json, ctx, skipKey);
}

export function decodeFieldJson(fp: FieldPlan, v: unknown, ctx: DecodeCtx): unknown {
  if (fp.map) {
    if (!isPlainObject(v)) return decodeError(ctx, `expected an object (map), got ${typeLabel(v)}`);
    const keys = Object.keys(v);
    if (keys.length === 0) return undefined;
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const keyOk = checkMapKey(fp.keyKind ?? 'string', k);
      if (keyOk !== undefined) { decodeError(ctx, keyOk, mapKeySegment(k)); continue; }
      ctx.path.push(mapKeySegment(k));
      const value = decodeSingle(fp, v[k], ctx);
      ctx.path.pop();
      if (value !== undefined) setKey(out, k, value);
    }
    return out;
  }
  if (fp.repeated) {
    if (!Array.isArray(v)) return decodeError(ctx, `expected an array, got ${typeLabel(v)}`);
    if (v.length === 0) return undefined;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      ctx.path.push(i);
      const value = v[i] === null ? decodeError(ctx, 'null is not allowed in a list') : decodeSingle(fp, v[i], ctx);
      ctx.path.pop();
      out[i] = value;
    }
    return out;
  }
  const value = decodeSingle(fp, v, ctx);
  if (value === undefined || fp.presence) return value;
  return isDefaultScalar(fp, value) ? undefined : value;
}

function isDefaultScalar(fp: FieldPlan, value: unknown): boolean {
  if (fp.kind === 'bytes') return (value as Uint8Array).length === 0;
  if (fp.kind === 'double' || fp.kind === 'float') return Object.is(value, 0);
  if (typeof value === 'object' && value !== null) { // Long
    const l = value as protobuf.Long;
    return l.low === 0 && l.high === 0;
  }
  return value === fp.defaultValue;
}

function checkMapKey(kind: ScalarKind, k: string): string | undefined {
  if (kind === 'string') return undefined;
  if (kind === 'bool') return k === 'true' || k === 'false' ? undefined : `map key "${k}" is not a bool`;
  const r = decodeScalar(kind, k);
  return typeof r === 'string' && kind !== 'bytes' ? `map key "${k}": ${r}` : undefined;
}

function decodeSingle(fp: FieldPlan, v: unknown, ctx: DecodeCtx): unknown {
  if (fp.kind === 'message') return decodeMessageJson(subPlan(fp), v, ctx);
  if (fp.kind === 'enum') return decodeEnum(fp.enumType as protobuf.Enum, v, ctx);
  const r = decodeScalar(fp.kind, v);
  if (typeof r === 'object' && r !== null && 'error' in r) return decodeError(ctx, r.error);
  return r;
}

function decodeEnum(e: protobuf.Enum, v: unknown, ctx: DecodeCtx): number | undefined {
  if (typeof v === 'string') {
    const n = hasOwn.call(e.values, v) ? e.values[v] : undefined; // values inherits valuesById
    if (typeof n === 'number') return n;
    const names = Object.keys(e.values);
    const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
    return decodeError(ctx, `unknown value "${v}" of enum ${e.fullName.slice(1)} (one of ${shown})`);
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
  return decodeError(ctx, `expected an enum name of ${e.fullName.slice(1)}, got ${typeLabel(v)}`);
}

const intString = /^-?(0|[1-9][0-9]*)$/;
const base64Re = /^[A-Za-z0-9+/_-]*={0,2}$/;
const u32Max = 4294967295;
const i32Min = -2147483648;
const i32Max = 2147483647;
const i64Min = -(2n ** 63n);
const i64Max = 2n ** 63n - 1n;
const u64Max = 2n ** 64n - 1n;
const floatMax = 3.4028234663852886e38;

type ScalarResult = string | number | boolean | Uint8Array | protobuf.Long | { error: string };

/** Decodes one proto3 JSON scalar; returns { error } on bad input. */
export function decodeScalar(kind: ScalarKind, v: unknown): ScalarResult {
  switch (kind) {
    case 'string':
      return typeof v === 'string' ? v : { error: `expected a string, got ${typeLabel(v)}` };
    case 'bool':
      return typeof v === 'boolean' ? v : { error: `expected true or false, got ${typeLabel(v)}` };
    case 'bytes': {
      if (typeof v !== 'string' || !base64Re.test(v)) return { error: `expected base64 bytes, got ${typeLabel(v)}` };
      return Buffer.from(v, 'base64');
    }
    case 'double':
    case 'float': {
      let n: number;
      if (typeof v === 'number') n = v;
      else if (v === 'NaN') return NaN;
      else if (v === 'Infinity') return Infinity;
      else if (v === '-Infinity') return -Infinity;
      else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) n = Number(v);
      else return { error: `expected a number, got ${typeLabel(v)}` };
      if (kind === 'float' && Number.isFinite(n) && Math.abs(n) > floatMax) return { error: `${n} is out of range for float` };
      return n;
    }
    case 'int32': case 'sint32': case 'sfixed32':
    case 'uint32': case 'fixed32': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && intString.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n)) return { error: `expected an integer (${kind}), got ${typeLabel(v)}` };
      const unsigned = kind === 'uint32' || kind === 'fixed32';
      if (unsigned ? n < 0 || n > u32Max : n < i32Min || n > i32Max) return { error: `${n} is out of range for ${kind}` };
      return n;
    }
    default: { // 64-bit
      let b: bigint;
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) return { error: `expected an integer (${kind}) within ±2^53 as a number (use a decimal string for larger), got ${typeLabel(v)}` };
        b = BigInt(v);
      } else if (typeof v === 'string' && intString.test(v)) b = BigInt(v);
      else return { error: `expected an integer (${kind}) as a number or decimal string, got ${typeLabel(v)}` };
      const unsigned = kind === 'uint64' || kind === 'fixed64';
      if (unsigned ? b < 0n || b > u64Max : b < i64Min || b > i64Max) return { error: `${b} is out of range for ${kind}` };
      if (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(b);
      return bigintToLong(b, unsigned);
    }
  }
}

/** Encodes a decoded message to protobuf bytes. */
export function encodeMessage(type: protobuf.Type, message: ProtoObject): Uint8Array {
  return type.encode(message).finish();
}

// ---------------------------------------------------------------- output

/** Canonical proto3 JSON (snake_case names, @type on Any, Any unpacked recursively). */
export function toJson(type: protobuf.Type, message: ProtoObject): unknown {
  return messageToJson(typePlan(type), message);
}

const hasOwn = Object.prototype.hasOwnProperty;

export function messageToJson(plan: TypePlan, message: ProtoObject): unknown {
  if (plan.wkt) return wktToJson(plan, message);
  const out: Record<string, unknown> = {};
  for (const fp of plan.fields) {
    if (!hasOwn.call(message, fp.key)) continue;
    const v = message[fp.key];
    if (v === null || v === undefined) continue;
    if (fp.map) {
      const keys = Object.keys(v as object);
      if (keys.length === 0) continue;
      const m: Record<string, unknown> = {};
      for (const k of keys.sort()) setKey(m, k, singleToJson(fp, (v as Record<string, unknown>)[k]));
      out[fp.proto] = m;
    } else if (fp.repeated) {
      const arr = v as unknown[];
      if (arr.length === 0) continue;
      out[fp.proto] = arr.map((x) => singleToJson(fp, x));
    } else {
      if (!fp.presence && isDefaultScalar(fp, v)) continue;
      out[fp.proto] = singleToJson(fp, v);
    }
  }
  return out;
}

function singleToJson(fp: FieldPlan, v: unknown): unknown {
  if (fp.kind === 'message') return messageToJson(subPlan(fp), v as ProtoObject);
  if (fp.kind === 'enum') {
    const name = (fp.enumType as protobuf.Enum).valuesById[v as number];
    return name ?? v;
  }
  return scalarToJson(fp.kind, v);
}

/** Canonical JSON of one scalar. */
export function scalarToJson(kind: ScalarKind, v: unknown): unknown {
  switch (kind) {
    case 'bytes': return Buffer.from(v as Uint8Array).toString('base64');
    case 'double': case 'float': {
      const n = v as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return kind === 'float' ? shortestFloat32(n) : n;
    }
    case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64':
      return longToString(v, kind === 'uint64' || kind === 'fixed64');
    default: return v;
  }
}

/** The shortest decimal that reads back as the same float32 (so float fields round-trip stably). */
function shortestFloat32(n: number): number {
  const f = Math.fround(n);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return s;
  }
  return f;
}

/** A Long-shaped value ({ low, high, unsigned }) that protobufjs' writer accepts. */
function bigintToLong(b: bigint, unsigned: boolean): protobuf.Long {
  const u = BigInt.asUintN(64, b);
  const low = Number(u & 0xffffffffn) | 0;
  const high = Number(u >> 32n) | 0;
  return { low, high, unsigned } as protobuf.Long;
}

/** An int64 value as held by protobufjs (number, Long or decimal string) as a BigInt. */
export function longToBigInt(v: unknown, unsigned = false): bigint {
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  if (typeof v === 'bigint') return v;
  const l = v as protobuf.Long;
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return unsigned || l.unsigned ? u : BigInt.asIntN(64, u);
}

export function longToString(v: unknown, unsigned: boolean): string {
  if (typeof v === 'number') return String(v);
  return longToBigInt(v, unsigned).toString();
}

export function longToNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(longToBigInt(v));
}

export { anyPayload, anyPayloads } from './json-wkt';
export { decodeStrict } from './validate-wire';
