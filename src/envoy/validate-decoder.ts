/**
 * Strict JSON decoders generated once per message type (like protobufjs'
 * own encoders): known fields are read with constant property names, so V8's
 * inline caches make the common, valid case fast; unknown keys are found by
 * comparing the number of keys with the number of known fields seen, and the
 * lookups stop as soon as every key has matched a field (sparse JSON is cheap).
 *
 * Two flavours per type: the plain decoder (decodeMessageJson), and the fused
 * one (decodeValidateJson) that also applies the type's validate.rules and
 * Envoy's semantic checks in the same pass, with the checkers, messages and
 * order of the separate walk in validate-rules.ts (its reference; a
 * differential test holds them equal). Fused decoding collects decode errors
 * in ctx.errors and rule violations in ctx.v.errors; the violations count
 * only when decoding found no error (rules are not checked after one).
 */
import { DecodeCtx, ProtoObject, decodeError, decodeFieldJson, typeLabel } from './json-codec';
import { anyFromJson, wktFromJson } from './json-wkt';
import { FieldPlan, TypePlan, subPlan, typePlan } from './validate-type-plan';
import { FieldCheck, TypeRules, absentMatters, rulesOf, visitorLines, walkHelpers } from './validate-rules';

export type GeneratedDecoder = (json: unknown, ctx: DecodeCtx, skipKey: string | undefined) => ProtoObject | undefined;

/** Context of a fused decode: decode errors in `errors`, rule violations in `v.errors` (same path stack). */
export interface FusedCtx extends DecodeCtx {
  readonly v: DecodeCtx;
}

const lowerCamel = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Helpers the generated code calls (kept monomorphic: one object). */
const hasOwn = Object.prototype.hasOwnProperty;

const H = {
  hasOwn,
  W: walkHelpers,
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
  notArray(ctx: DecodeCtx, v: unknown): void {
    decodeError(ctx, `expected an array, got ${typeLabel(v)}`);
  },
  nullItem(ctx: DecodeCtx): void {
    decodeError(ctx, 'null is not allowed in a list');
  },
  /** Inserts a violation at `at` (before the ones found inside the value); returns the next position. */
  insert(v: DecodeCtx, at: number, message: string, extra?: string): number {
    v.errors.splice(at, 0, { path: v.path.render(extra), message });
    return at + 1;
  },
  /** The element rule of a decoded message value (Duration/Any/wrapper rules), inserted at `at`. */
  checkAt(fc: FieldCheck, value: unknown, v: DecodeCtx, at: number): void {
    const el = fc.el;
    if (!el?.check) return;
    let target = value;
    if (el.wrapperKey !== undefined) {
      const o = value as ProtoObject;
      target = hasOwn.call(o, el.wrapperKey) && o[el.wrapperKey] != null ? o[el.wrapperKey] : el.wrapperDefault;
    }
    const m = el.check(target);
    if (m !== undefined) v.errors.splice(at, 0, { path: v.path.render(), message: m });
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

/** A decoder of a message field's type: plain, or fused when the walk would descend into it. */
function subDecoder(fp: FieldPlan, fused: boolean): GeneratedDecoder {
  const plan = subPlan(fp);
  return fused ? fusedDecoder(plan) : plainDecoder(plan);
}

export function plainDecoder(plan: TypePlan): GeneratedDecoder {
  if (plan.wkt) return (plan.decoder ??= (json, ctx) => wktFromJson(plan, json, ctx));
  return (plan.decoder ??= generateDecoder(plan));
}

/** The fused decoder of a type (generated once); the plain one when the type has no rules anywhere below it. */
export function fusedDecoder(plan: TypePlan): GeneratedDecoder {
  if (plan.fused) return plan.fused;
  if (plan.wkt === 'Any') {
    // The payload gets its own type's rules, as the walk's visitValue does (well-known payloads have none).
    plan.fused = (json, ctx) => anyFromJson(plan, json, ctx, (ip, j, c) => fusedDecoder(ip)(j, c, '@type'));
  } else if (plan.wkt) plan.fused = plainDecoder(plan);
  else {
    const rules = rulesOf(plan.type);
    plan.fused = rules.checks.length === 0 && rules.oneofs.length === 0 && !rules.hook ? plainDecoder(plan) : generateDecoder(plan, rules);
  }
  return plan.fused;
}

/** Strictly decodes and validates one message in a single pass (see FusedCtx). */
export function decodeValidateJson(plan: TypePlan, json: unknown, ctx: FusedCtx, skipKey?: string): ProtoObject | undefined {
  return fusedDecoder(plan)(json, ctx, skipKey);
}

/**
 * Generates the decoder of one (non well-known) message type; with `rules`,
 * the fused decoder that also checks them.
 */
export function generateDecoder(plan: TypePlan, rules?: TypeRules): GeneratedDecoder {
  const lines: string[] = [];
  const q = (s: string) => JSON.stringify(s);
  const oneofs = [...new Set(plan.fields.map((f) => f.oneof).filter((o): o is string => o !== undefined))];
  const checkOf = new Map<FieldPlan, number>();
  rules?.checks.forEach((fc, i) => checkOf.set(fc.fp, i));
  const subs: GeneratedDecoder[] = [];
  /** A lazily resolved sub-decoder slot (types can be recursive). */
  const subSlot = (fp: FieldPlan, fused: boolean): string => {
    const k = subs.length;
    subs.push((json, ctx, skip) => (subs[k] = subDecoder(fp, fused))(json, ctx, skip));
    return `S[${k}]`;
  };
  const E = 'ctx.errors.length === 0';
  lines.push('if (typeof json !== "object" || json === null || Array.isArray(json) || json instanceof Uint8Array) return H.notObject(P, json, ctx);');
  lines.push('const e0 = ctx.errors.length; const out = {}; let seen = 0, v, w, x, y, mk, mi, m;');
  if (rules) lines.push('const V = ctx.v, msg = out; let from = F.length;');
  lines.push('let n = 0; for (const k in json) n++;');
  lines.push('if (skipKey !== undefined && json[skipKey] !== undefined) seen++;');
  // Once every key of the object has matched a field, the remaining fields are absent: stop looking them up.
  const done = (next: number) => (rules ? `if (seen === n) { from = ${next}; break main; }` : 'if (seen === n) return ctx.errors.length === e0 ? out : undefined;');
  if (rules) lines.push('main: {');
  lines.push(done(0));
  for (const o of oneofs) lines.push(`let o${oneofs.indexOf(o)};`);
  /** Statements checking field i when it is absent (after an early stop). */
  const absentTail: string[] = [];
  plan.fields.forEach((fp, i) => {
    const ci = checkOf.get(fp);
    const fc = ci === undefined ? undefined : (rules as TypeRules).checks[ci];
    const C = `C[${ci}]`;
    // Descend with the fused decoder where the walk would descend.
    const fusedSub = fc !== undefined && fp.kind === 'message' && fc.visit && !fc.el?.skip;
    const inlineList = fp.repeated && fp.kind === 'message';
    const custom = fusedSub && !fp.map; // validation written here rather than by visitorLines
    const aliases = [...new Set([lowerCamel(fp.proto), fp.field.jsonName, fp.key])].filter((a) => a && a !== fp.proto);
    if (fc) lines.push('mk = V.errors.length;');
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
    const P = q(fp.proto);
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
      lines.push(`ctx.path.push(${P}); x = ${subSlot(fp, fusedSub)}(v, ctx, undefined); ctx.path.pop(); if (x !== undefined) ${store} = x;`);
    } else if (inlineList) {
      const sub = subSlot(fp, fusedSub);
      const itemCheck = custom && fc?.el?.check ? `if (${E} && y !== undefined) H.checkAt(${C}, y, V, mi); ` : '';
      lines.push(`ctx.path.push(${P});`);
      lines.push('if (!Array.isArray(v)) H.notArray(ctx, v);');
      lines.push(`else if (v.length !== 0) { x = new Array(v.length); for (let j = 0; j < v.length; j++) { ctx.path.push(j); w = v[j]; if (w === null) H.nullItem(ctx); else { ${itemCheck ? 'mi = V.errors.length; ' : ''}y = ${sub}(w, ctx, undefined); x[j] = y; ${itemCheck}} ctx.path.pop(); } ${store} = x; }`);
      lines.push('ctx.path.pop();');
    } else {
      lines.push(`x = H.field(F[${i}], v, ctx); if (x !== undefined) ${store} = x;`);
    }
    if (fp.oneof !== undefined) lines.push('}');
    lines.push('}');
    if (fc && ci !== undefined) {
      const check: string[] = [];
      if (!custom) visitorLines(rules as TypeRules, ci, check, { ctx: 'V', helpers: 'H.W' });
      else {
        // Rules on the field itself come before the violations found inside it: insert them at mk.
        check.push(`v = ${store};`);
        if (fc.disallowed) check.push(`if (v != null && !(Array.isArray(v) && v.length === 0)) mk = H.insert(V, mk, H.W.disallowedText, ${P});`);
        if (fp.repeated) {
          if (fc.listCheck) check.push(`m = ${C}.listCheck(v); if (m !== undefined) H.insert(V, mk, m, ${P});`);
        } else {
          if (absentMatters(fc)) check.push(`if (v == null) H.W.visitAbsent(${C}, V);`);
          if (fc.el?.check) check.push(`if (v != null) { ctx.path.push(${P}); H.checkAt(${C}, v, V, mk); ctx.path.pop(); }`);
        }
      }
      lines.push(`if (${E}) {`, ...check, '}');
      const absent = fp.repeated || fp.map ? fc.listCheck !== undefined : absentMatters(fc);
      if (absent) absentTail.push(`if (from <= ${i}) {`, ...check, '}');
    }
    lines.push(done(i + 1));
  });
  lines.push('if (n !== seen) H.unknownKeys(P, json, ctx, skipKey);');
  if (rules) {
    lines.push('}'); // main
    lines.push(`if (${E}) {`, 'v = undefined;', ...absentTail);
    if (rules.oneofs.length || rules.hook) lines.push('H.W.visitTail(R, out, V);');
    lines.push('}');
  }
  lines.push('return ctx.errors.length === e0 ? out : undefined;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code generated from reflection, like protobufjs
  const factory = new Function('H', 'P', 'F', 'S', 'R', 'C', `return function ${rules ? 'decodeValidate' : 'decode'}(json, ctx, skipKey) {\n${lines.join('\n')}\n};`) as (
    h: typeof H, p: TypePlan, f: readonly FieldPlan[], s: GeneratedDecoder[], r: TypeRules | undefined, c: readonly FieldCheck[] | undefined) => GeneratedDecoder;
  return factory(H, plan, plan.fields, subs, rules, rules?.checks);
}
