/**
 * Strict JSON decoders generated once per message type (like protobufjs'
 * own encoders): known fields are read with constant property names, so V8's
 * inline caches make the common, valid case fast; unknown keys are found by
 * comparing the number of keys with the number of known fields seen, and the
 * lookups stop as soon as every key has matched a field (sparse JSON is cheap).
 */
import { DecodeCtx, ProtoObject, decodeError, decodeFieldJson, decodeMessageJson, typeLabel } from './json-codec';
import { FieldPlan, TypePlan, subPlan } from './validate-type-plan';

export type GeneratedDecoder = (json: unknown, ctx: DecodeCtx, skipKey: string | undefined) => ProtoObject | undefined;

const lowerCamel = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Helpers the generated code calls (kept monomorphic: one object). */
const H = {
  hasOwn: Object.prototype.hasOwnProperty,
  notObject(plan: TypePlan, json: unknown, ctx: DecodeCtx): undefined {
    return decodeError(ctx, `expected an object (${plan.fullName}), got ${typeLabel(json)}`);
  },
  duplicate(ctx: DecodeCtx, fp: FieldPlan, alias: string): void {
    decodeError(ctx, `field "${fp.proto}" given twice (as "${fp.proto}" and "${alias}")`, fp.proto);
  },
  oneofConflict(ctx: DecodeCtx, other: FieldPlan, fp: FieldPlan): void {
    decodeError(ctx, `oneof "${fp.oneof}" has more than one member set: "${other.proto}" and "${fp.proto}"`, fp.proto);
  },
  notString(ctx: DecodeCtx, fp: FieldPlan, v: unknown): void {
    decodeError(ctx, `expected a string, got ${typeLabel(v)}`, fp.proto);
  },
  field(fp: FieldPlan, v: unknown, ctx: DecodeCtx): unknown {
    ctx.path.push(fp.proto);
    const x = decodeFieldJson(fp, v, ctx);
    ctx.path.pop();
    return x;
  },
  message(fp: FieldPlan, v: unknown, ctx: DecodeCtx): unknown {
    ctx.path.push(fp.proto);
    const x = decodeMessageJson(subPlan(fp), v, ctx);
    ctx.path.pop();
    return x;
  },
  unknownKeys(plan: TypePlan, json: Record<string, unknown>, ctx: DecodeCtx, skipKey: string | undefined): void {
    for (const key in json) {
      if (key === skipKey || plan.byJsonKey.has(key)) continue;
      if (key === '@type') decodeError(ctx, `"@type" is only allowed in a google.protobuf.Any (${plan.fullName} is not one)`, key);
      else decodeError(ctx, `unknown field "${key}" in ${plan.fullName}`, key);
    }
  },
};

/** Inline tests for JSON numbers/booleans that need no conversion. */
const fastScalar: Record<string, string | undefined> = {
  uint32: '(typeof v === "number" && (v >>> 0) === v)',
  fixed32: '(typeof v === "number" && (v >>> 0) === v)',
  int32: '(typeof v === "number" && (v | 0) === v)',
  sint32: '(typeof v === "number" && (v | 0) === v)',
  sfixed32: '(typeof v === "number" && (v | 0) === v)',
  double: '(typeof v === "number")',
  bool: '(typeof v === "boolean")',
};

/** Generates the decoder of one (non well-known) message type. */
export function generateDecoder(plan: TypePlan): GeneratedDecoder {
  const lines: string[] = [];
  const q = (s: string) => JSON.stringify(s);
  const oneofs = [...new Set(plan.fields.map((f) => f.oneof).filter((o): o is string => o !== undefined))];
  lines.push('if (typeof json !== "object" || json === null || Array.isArray(json) || json instanceof Uint8Array) return H.notObject(P, json, ctx);');
  lines.push('const e0 = ctx.errors.length; const out = {}; let seen = 0, v, w, x;');
  lines.push('let n = 0; for (const k in json) n++;');
  lines.push('if (skipKey !== undefined && json[skipKey] !== undefined) seen++;');
  // Once every key of the object has matched a field, the remaining fields are absent: stop looking them up.
  const done = 'if (seen === n) return ctx.errors.length === e0 ? out : undefined;';
  lines.push(done);
  for (const o of oneofs) lines.push(`let o${oneofs.indexOf(o)};`);
  plan.fields.forEach((fp, i) => {
    const aliases = [...new Set([lowerCamel(fp.proto), fp.field.jsonName, fp.key])].filter((a) => a && a !== fp.proto);
    lines.push(`v = json[${q(fp.proto)}]; if (v !== undefined) seen++;`);
    for (const a of aliases) {
      lines.push(`w = json[${q(a)}]; if (w !== undefined) { seen++; if (v !== undefined) H.duplicate(ctx, F[${i}], ${q(a)}); else v = w; }`);
    }
    const isValue = fp.kind === 'message' && subPlan(fp).wkt === 'Value' && !fp.repeated && !fp.map;
    lines.push(`if (v !== undefined${isValue ? '' : ' && v !== null'}) {`);
    if (fp.oneof !== undefined) {
      const o = `o${oneofs.indexOf(fp.oneof)}`;
      lines.push(`if (${o} !== undefined && ${o} !== F[${i}]) H.oneofConflict(ctx, ${o}, F[${i}]); else { ${o} = F[${i}];`);
    }
    const store = `out[${q(fp.key)}]`;
    if (fp.kind === 'string' && !fp.repeated && !fp.map) {
      lines.push(`if (typeof v === "string") { ${fp.presence ? '' : 'if (v !== "") '}${store} = v; } else H.notString(ctx, F[${i}], v);`);
    } else if (!fp.repeated && !fp.map && fastScalar[fp.kind] !== undefined) {
      // Common valid case inline; anything else (strings for numbers, errors) takes the general path.
      const skipDefault = fp.presence ? '' : fp.kind === 'bool' ? 'if (v !== false) ' : fp.kind === 'double' ? 'if (v !== 0 || 1 / v < 0) ' : 'if (v !== 0) ';
      lines.push(`if (${fastScalar[fp.kind]}) { ${skipDefault}${store} = v; } else { x = H.field(F[${i}], v, ctx); if (x !== undefined) ${store} = x; }`);
    } else if (fp.kind === 'enum' && !fp.repeated && !fp.map) {
      const skipDefault = fp.presence ? '' : 'if (x !== 0) ';
      lines.push(`if (typeof v === "string" && H.hasOwn.call(F[${i}].enumType.values, v) && typeof (x = F[${i}].enumType.values[v]) === "number") { ${skipDefault}${store} = x; } else { x = H.field(F[${i}], v, ctx); if (x !== undefined) ${store} = x; }`);
    } else if (fp.kind === 'message' && !fp.repeated && !fp.map) {
      lines.push(`x = H.message(F[${i}], v, ctx); if (x !== undefined) ${store} = x;`);
    } else {
      lines.push(`x = H.field(F[${i}], v, ctx); if (x !== undefined) ${store} = x;`);
    }
    if (fp.oneof !== undefined) lines.push('}');
    lines.push('}');
    lines.push(done);
  });
  lines.push('if (n !== seen) H.unknownKeys(P, json, ctx, skipKey);');
  lines.push('return ctx.errors.length === e0 ? out : undefined;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code generated from reflection, like protobufjs
  const factory = new Function('H', 'P', 'F', `return function decode(json, ctx, skipKey) {\n${lines.join('\n')}\n};`) as (
    h: typeof H, p: TypePlan, f: readonly FieldPlan[]) => GeneratedDecoder;
  return factory(H, plan, plan.fields);
}
