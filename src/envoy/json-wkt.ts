/**
 * proto3 JSON of the well-known types (Any, Duration, Timestamp, wrappers,
 * Struct/Value/ListValue, FieldMask), both directions, for json-codec.ts.
 * Any payloads are decoded recursively and encoded once; the decoded payload
 * is remembered (anyPayloads) so the validator never decodes it again.
 */
import * as protobuf from 'protobufjs';
import { mapKeySegment } from './field-error';
import {
  DecodeCtx, ProtoObject, decodeError, decodeMessageJson, decodeScalar, isPlainObject, longToNumber,
  messageToJson, scalarToJson, setKey, typeLabel,
} from './json-codec';
import { FieldPlan, ScalarKind, TypePlan, typeForUrlIn, typePlan } from './validate-type-plan';

const hasOwn = Object.prototype.hasOwnProperty;


/** Decoded payload of every Any built by fromJson / decodeStrict, so nothing is decoded twice. */
export const anyPayloads = new WeakMap<object, { type: protobuf.Type; message: ProtoObject }>();

/** The decoded payload of an Any (cached, or decoded from its bytes), or undefined if its type is unknown. */
export function anyPayload(anyType: protobuf.Type, any: ProtoObject): { type: protobuf.Type; message: ProtoObject } | undefined {
  const cached = anyPayloads.get(any);
  if (cached) return cached;
  const inner = typeForUrlIn(anyType, (any.type_url as string) ?? '');
  if (!inner) return undefined;
  const payload = { type: inner, message: inner.decode((any.value as Uint8Array) ?? new Uint8Array(0)) as unknown as ProtoObject };
  anyPayloads.set(any, payload);
  return payload;
}

const maxDurationSeconds = 315576000000;
const durationRe = /^(-)?([0-9]+)(?:\.([0-9]{1,9}))?s$/;
const timestampRe = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;
const minTimestamp = -62135596800; // 0001-01-01T00:00:00Z
const maxTimestamp = 253402300799; // 9999-12-31T23:59:59Z

function keyOf(plan: TypePlan, proto: string): string {
  return (plan.byProto.get(proto) as FieldPlan).key;
}

/**
 * Decodes an Any: checks "@type" names a message of the loaded API, decodes
 * the payload (well-known payloads sit under "value"; others via
 * `decodePayload`, with "@type" beside their fields), encodes it once.
 */
export function anyFromJson(
  plan: TypePlan, json: unknown, ctx: DecodeCtx,
  decodePayload: (inner: TypePlan, json: Record<string, unknown>, ctx: DecodeCtx) => ProtoObject | undefined,
): ProtoObject | undefined {
  if (!isPlainObject(json)) return decodeError(ctx, `expected an Any object with "@type", got ${typeLabel(json)}`);
  const url = json['@type'];
  if (typeof url !== 'string' || url === '') return decodeError(ctx, 'Any without "@type"', '@type');
  const inner = typeForUrlIn(plan.type, url);
  if (!inner || !url.includes('/')) return decodeError(ctx, `"@type" names a message not in Envoy's loaded API: "${url}"`, '@type');
  const ip = typePlan(inner);
  let payload: ProtoObject | undefined;
  if (ip.wkt) {
    for (const k of Object.keys(json)) {
      if (k !== '@type' && k !== 'value') decodeError(ctx, `unknown field "${k}" in an Any of ${ip.fullName} (only "@type" and "value")`, k);
    }
    ctx.path.push('value');
    payload = wktFromJson(ip, json.value, ctx);
    ctx.path.pop();
  } else payload = decodePayload(ip, json, ctx);
  if (payload === undefined) return undefined;
  const any: ProtoObject = { type_url: url, value: inner.encode(payload).finish() };
  anyPayloads.set(any, { type: inner, message: payload });
  return any;
}

export function wktFromJson(plan: TypePlan, json: unknown, ctx: DecodeCtx): ProtoObject | undefined {
  switch (plan.wkt) {
    case 'Any':
      return anyFromJson(plan, json, ctx, (ip, j, c) => decodeMessageJson(ip, j, c, '@type'));
    case 'Duration': {
      const m = typeof json === 'string' ? durationRe.exec(json) : null;
      if (!m) return decodeError(ctx, `expected a duration string like "5s" or "0.250s", got ${typeLabel(json)}`);
      const seconds = Number(m[2]);
      if (seconds > maxDurationSeconds) return decodeError(ctx, `duration ${json} is out of range (max ${maxDurationSeconds}s)`);
      const nanos = m[3] ? Number(m[3].padEnd(9, '0')) : 0;
      const sign = m[1] ? -1 : 1;
      const out: ProtoObject = {};
      if (seconds) out[keyOf(plan, 'seconds')] = sign * seconds;
      if (nanos) out[keyOf(plan, 'nanos')] = sign * nanos;
      return out;
    }
    case 'Timestamp': {
      const m = typeof json === 'string' ? timestampRe.exec(json) : null;
      if (!m) return decodeError(ctx, `expected an RFC 3339 timestamp like "2024-01-02T03:04:05Z", got ${typeLabel(json)}`);
      const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
      let seconds = Math.floor(ms / 1000);
      if (m[1].length && Number(m[1]) < 100) seconds = Math.floor(new Date(ms).setUTCFullYear(Number(m[1])) / 1000);
      if (m[8] !== 'Z' && m[8] !== 'z') {
        const off = (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * 60;
        seconds -= m[8][0] === '-' ? -off : off;
      }
      if (!Number.isFinite(seconds) || seconds < minTimestamp || seconds > maxTimestamp) return decodeError(ctx, `timestamp ${json} is out of range`);
      const out: ProtoObject = {};
      if (seconds) out[keyOf(plan, 'seconds')] = seconds;
      const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
      if (nanos) out[keyOf(plan, 'nanos')] = nanos;
      return out;
    }
    case 'wrapper': {
      const fp = plan.byProto.get('value') as FieldPlan;
      const r = decodeScalar(fp.kind as ScalarKind, json);
      if (typeof r === 'object' && r !== null && 'error' in r) return decodeError(ctx, r.error);
      return { [fp.key]: r };
    }
    case 'Struct': {
      if (!isPlainObject(json)) return decodeError(ctx, `expected an object (google.protobuf.Struct), got ${typeLabel(json)}`);
      const fields: Record<string, unknown> = {};
      const vp = typePlan((plan.byProto.get('fields') as FieldPlan).msgType as protobuf.Type);
      for (const k of Object.keys(json)) {
        ctx.path.push(mapKeySegment(k));
        const v = wktFromJson(vp, json[k], ctx);
        ctx.path.pop();
        if (v !== undefined) setKey(fields, k, v);
      }
      return { [keyOf(plan, 'fields')]: fields };
    }
    case 'ListValue': {
      if (!Array.isArray(json)) return decodeError(ctx, `expected an array (google.protobuf.ListValue), got ${typeLabel(json)}`);
      const vp = typePlan((plan.byProto.get('values') as FieldPlan).msgType as protobuf.Type);
      const values: unknown[] = [];
      for (let i = 0; i < json.length; i++) {
        ctx.path.push(i);
        values.push(wktFromJson(vp, json[i], ctx));
        ctx.path.pop();
      }
      return { [keyOf(plan, 'values')]: values };
    }
    case 'Value': {
      if (json === null) return { [keyOf(plan, 'null_value')]: 0 };
      if (typeof json === 'number') {
        if (!Number.isFinite(json)) return decodeError(ctx, `google.protobuf.Value cannot hold ${json}`);
        return { [keyOf(plan, 'number_value')]: json };
      }
      if (typeof json === 'string') return { [keyOf(plan, 'string_value')]: json };
      if (typeof json === 'boolean') return { [keyOf(plan, 'bool_value')]: json };
      if (Array.isArray(json)) {
        const lp = typePlan((plan.byProto.get('list_value') as FieldPlan).msgType as protobuf.Type);
        const l = wktFromJson(lp, json, ctx);
        return l && { [keyOf(plan, 'list_value')]: l };
      }
      if (isPlainObject(json)) {
        const sp = typePlan((plan.byProto.get('struct_value') as FieldPlan).msgType as protobuf.Type);
        const st = wktFromJson(sp, json, ctx);
        return st && { [keyOf(plan, 'struct_value')]: st };
      }
      return decodeError(ctx, `google.protobuf.Value cannot hold ${typeLabel(json)}`);
    }
    case 'FieldMask': {
      if (typeof json !== 'string') return decodeError(ctx, `expected a field mask string like "a.b,c", got ${typeLabel(json)}`);
      const paths = json === '' ? [] : json.split(',').map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      return { [keyOf(plan, 'paths')]: paths };
    }
    default:
      return decodeError(ctx, `unsupported well-known type ${plan.fullName}`);
  }
}

function durationToString(seconds: number, nanos: number): string {
  const neg = seconds < 0 || nanos < 0;
  const s = Math.abs(seconds);
  const n = Math.abs(nanos);
  let frac = '';
  if (n) {
    const digits = String(n).padStart(9, '0');
    frac = n % 1000000 === 0 ? `.${digits.slice(0, 3)}` : n % 1000 === 0 ? `.${digits.slice(0, 6)}` : `.${digits}`;
  }
  return `${neg ? '-' : ''}${s}${frac}s`;
}

function timestampToString(seconds: number, nanos: number): string {
  const iso = new Date(seconds * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  let frac = '';
  if (nanos) {
    const digits = String(nanos).padStart(9, '0');
    frac = nanos % 1000000 === 0 ? `.${digits.slice(0, 3)}` : nanos % 1000 === 0 ? `.${digits.slice(0, 6)}` : `.${digits}`;
  }
  return `${iso.slice(0, 19)}${frac}Z`;
}

export function wktToJson(plan: TypePlan, message: ProtoObject): unknown {
  const get = (proto: string): unknown => {
    const k = keyOf(plan, proto);
    return hasOwn.call(message, k) ? message[k] : undefined;
  };
  switch (plan.wkt) {
    case 'Any': {
      const url = (message.type_url as string) ?? '';
      const payload = anyPayload(plan.type, message);
      if (!payload) return { '@type': url, value: scalarToJson('bytes', message.value ?? new Uint8Array(0)) };
      const ip = typePlan(payload.type);
      if (ip.wkt) return { '@type': url, value: wktToJson(ip, payload.message) };
      return { '@type': url, ...(messageToJson(ip, payload.message) as object) };
    }
    case 'Duration':
      return durationToString(longToNumber(get('seconds') ?? 0), (get('nanos') as number | undefined) ?? 0);
    case 'Timestamp':
      return timestampToString(longToNumber(get('seconds') ?? 0), (get('nanos') as number | undefined) ?? 0);
    case 'wrapper': {
      const fp = plan.byProto.get('value') as FieldPlan;
      const v = get('value');
      return scalarToJson(fp.kind as ScalarKind, v ?? (fp.kind === 'bytes' ? new Uint8Array(0) : fp.kind === 'int64' || fp.kind === 'uint64' ? 0 : fp.defaultValue));
    }
    case 'Struct': {
      const fields = (get('fields') ?? {}) as Record<string, ProtoObject>;
      const vp = typePlan((plan.byProto.get('fields') as FieldPlan).msgType as protobuf.Type);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(fields).sort()) setKey(out, k, wktToJson(vp, fields[k]));
      return out;
    }
    case 'ListValue': {
      const vp = typePlan((plan.byProto.get('values') as FieldPlan).msgType as protobuf.Type);
      return ((get('values') ?? []) as ProtoObject[]).map((v) => wktToJson(vp, v));
    }
    case 'Value': {
      const sv = get('struct_value');
      if (sv != null) return wktToJson(typePlan((plan.byProto.get('struct_value') as FieldPlan).msgType as protobuf.Type), sv as ProtoObject);
      const lv = get('list_value');
      if (lv != null) return wktToJson(typePlan((plan.byProto.get('list_value') as FieldPlan).msgType as protobuf.Type), lv as ProtoObject);
      for (const k of ['number_value', 'string_value', 'bool_value']) {
        const v = get(k);
        if (v != null) return v;
      }
      return null;
    }
    case 'FieldMask':
      return ((get('paths') ?? []) as string[]).map((p) => p.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())).join(',');
    default:
      return messageToJson({ ...plan, wkt: undefined }, message);
  }
}
