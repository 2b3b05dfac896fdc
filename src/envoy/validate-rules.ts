/**
 * Validates decoded Envoy messages against the protoc-gen-validate
 * annotations in Envoy's own protos (read from the protobufjs Root), plus a
 * few semantic checks Envoy enforces in code (validate-envoy.ts).
 *
 * Rules are compiled once per message type and cached; a walk over a message
 * only touches fields that carry rules or lead to messages that do.
 */
import * as protobuf from 'protobufjs';
import { FieldError, PathStack, mapKeySegment } from './field-error';
import { DecodeCtx, ProtoObject, anyPayload } from './json-codec';
import { Checker, RuleObject, compileKindRule } from './validate-checkers';
import { semanticHooks, SemanticHook } from './validate-envoy';
import { FieldPlan, TypePlan, typePlan } from './validate-type-plan';

export interface ElementRule {
  /** Check on a present value (for wrapper messages: on their inner value). */
  readonly check?: Checker;
  /** Violation text when the value is absent (message/duration/timestamp/any.required). */
  readonly required?: string;
  /** message.skip: do not descend. */
  readonly skip: boolean;
  /** Set when the value is a wrapper message (UInt32Value…): the inner value's key and default. */
  readonly wrapperKey?: string;
  readonly wrapperDefault?: unknown;
}

export interface FieldCheck {
  readonly fp: FieldPlan;
  readonly el?: ElementRule;
  /** repeated.min_items/max_items/unique, map.min_pairs/max_pairs. */
  readonly listCheck?: (v: unknown) => string | undefined;
  readonly keyCheck?: Checker;
  /** Implicit-presence scalar: rules apply to the default value when absent. */
  readonly implicit: boolean;
  /** Descend into nested message values. */
  readonly visit: boolean;
  /** Set when Envoy rejects the field outright (envoy.annotations.disallowed_by_default). */
  readonly disallowed: boolean;
  /** Rules of the nested message type, filled on first use (hot-path cache). */
  sub?: TypeRules;
}

export interface RequiredOneof { readonly name: string; readonly members: readonly FieldPlan[] }

export interface TypeRules {
  readonly plan: TypePlan;
  readonly checks: readonly FieldCheck[];
  readonly oneofs: readonly RequiredOneof[];
  readonly hook?: SemanticHook;
  /** Generated walker, filled on first use. */
  visit?: (msg: ProtoObject, ctx: DecodeCtx) => void;
}

const hasOwn = Object.prototype.hasOwnProperty;
const cache = new Map<protobuf.Type, TypeRules>();
const building = new Set<protobuf.Type>();

function optionValue(parsed: unknown, key: string): unknown[] {
  const out: unknown[] = [];
  if (!Array.isArray(parsed)) return out;
  for (const o of parsed) if (o && typeof o === 'object' && key in o) out.push((o as Record<string, unknown>)[key]);
  return out;
}

function deepMerge(into: RuleObject, from: RuleObject): RuleObject {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (cur && typeof cur === 'object' && !Array.isArray(cur) && v && typeof v === 'object' && !Array.isArray(v)) {
      into[k] = deepMerge({ ...(cur as RuleObject) }, v as RuleObject);
    } else into[k] = v;
  }
  return into;
}

/** The (validate.rules) of a field, merged across option entries. */
function fieldRules(field: protobuf.Field): RuleObject | undefined {
  const entries = optionValue(field.parsedOptions, '(validate.rules)');
  if (entries.length === 0) return undefined;
  return entries.reduce<RuleObject>((acc, e) => deepMerge(acc, e as RuleObject), {});
}

function compileElement(r: RuleObject | undefined, fp: FieldPlan, fieldName: string, elementKind: string): ElementRule | undefined {
  if (!r) return undefined;
  const msg = (r.message ?? {}) as RuleObject;
  let required: string | undefined;
  if (msg.required === true) required = 'is required (validate.rules message.required)';
  for (const k of ['duration', 'timestamp', 'any']) {
    const kr = r[k] as RuleObject | undefined;
    if (kr?.required === true) required = `is required (validate.rules ${k}.required)`;
  }
  const checks: Checker[] = [];
  for (const [kind, kr] of Object.entries(r)) {
    if (kind === 'message' || !kr || typeof kr !== 'object') continue;
    const c = compileKindRule(kind, kr as RuleObject, fieldName, fp.enumType);
    if (c) checks.push(c);
  }
  let wrapperKey: string | undefined;
  let wrapperDefault: unknown;
  if (elementKind === 'message' && fp.msgType && typePlan(fp.msgType).wkt === 'wrapper') {
    const inner = typePlan(fp.msgType).byProto.get('value') as FieldPlan;
    wrapperKey = inner.key;
    wrapperDefault = inner.kind === 'bytes' ? new Uint8Array(0) : inner.defaultValue;
  }
  const check: Checker | undefined = checks.length === 0 ? undefined : checks.length === 1 ? checks[0] : (v) => {
    for (const c of checks) { const m = c(v); if (m !== undefined) return m; }
    return undefined;
  };
  if (!check && !required && msg.skip !== true) return undefined;
  return { check, required, skip: msg.skip === true, wrapperKey, wrapperDefault };
}

function listChecker(kind: 'repeated' | 'map', r: RuleObject): ((v: unknown) => string | undefined) | undefined {
  const tag = (k: string) => `(validate.rules ${kind}.${k})`;
  const [minK, maxK] = kind === 'repeated' ? ['min_items', 'max_items'] : ['min_pairs', 'max_pairs'];
  const min = r[minK] !== undefined ? Number(r[minK]) : undefined;
  const max = r[maxK] !== undefined ? Number(r[maxK]) : undefined;
  const unique = kind === 'repeated' && r.unique === true;
  if (min === undefined && max === undefined && !unique) return undefined;
  const ignoreEmpty = r.ignore_empty === true;
  return (v) => {
    const n = v == null ? 0 : Array.isArray(v) ? v.length : Object.keys(v as object).length;
    if (n === 0 && ignoreEmpty) return undefined;
    if (min !== undefined && n < min) return `must have at least ${min} ${kind === 'map' ? 'entries' : 'items'} ${tag(minK)}`;
    if (max !== undefined && n > max) return `must have at most ${max} ${kind === 'map' ? 'entries' : 'items'} ${tag(maxK)}`;
    if (unique && Array.isArray(v)) {
      const seen = new Set<unknown>();
      for (const x of v) {
        const key = typeof x === 'object' && x !== null ? JSON.stringify(x) : x;
        if (seen.has(key)) return `items must be unique; ${JSON.stringify(key)} repeats ${tag('unique')}`;
        seen.add(key);
      }
    }
    return undefined;
  };
}

function needsVisit(type: protobuf.Type): boolean {
  const plan = typePlan(type);
  if (plan.wkt === 'Any') return true;
  if (plan.wkt) return false;
  if (building.has(type)) return true; // recursive types: stay conservative
  const r = rulesFor(type);
  return r.checks.length > 0 || r.oneofs.length > 0 || r.hook !== undefined;
}

function isDisabled(type: protobuf.Type): boolean {
  return optionValue(type.parsedOptions, '(validate.disabled)').includes(true)
    || optionValue(type.parsedOptions, '(validate.ignored)').includes(true);
}

/** Compiled rules of a message type (cached). */
function rulesFor(type: protobuf.Type): TypeRules {
  const hit = cache.get(type);
  if (hit) return hit;
  const plan = typePlan(type);
  if (isDisabled(type) || plan.wkt) {
    const r: TypeRules = { plan, checks: [], oneofs: [] };
    cache.set(type, r);
    return r;
  }
  building.add(type);
  const checks: FieldCheck[] = [];
  try {
    for (const fp of plan.fields) {
      const r = fieldRules(fp.field);
      const name = `${plan.fullName}.${fp.proto}`;
      const disallowed = optionValue(fp.field.parsedOptions, '(envoy.annotations.disallowed_by_default)').includes(true);
      const visit = fp.kind === 'message' && needsVisit(fp.msgType as protobuf.Type);
      let el: ElementRule | undefined;
      let listCheck: FieldCheck['listCheck'];
      let keyCheck: Checker | undefined;
      if (fp.map) {
        const mr = (r?.map ?? {}) as RuleObject;
        listCheck = listChecker('map', mr);
        const keys = mr.keys as RuleObject | undefined;
        if (keys) keyCheck = compileElement(keys, { ...fp, kind: fp.keyKind ?? 'string', enumType: undefined }, name, 'scalar')?.check;
        el = compileElement(mr.values as RuleObject | undefined, fp, name, fp.kind);
      } else if (fp.repeated) {
        const rr = (r?.repeated ?? {}) as RuleObject;
        listCheck = listChecker('repeated', rr);
        el = compileElement(rr.items as RuleObject | undefined, fp, name, fp.kind);
      } else el = compileElement(r, fp, name, fp.kind);
      const implicit = !fp.presence && !fp.repeated && !fp.map;
      if (el || listCheck || keyCheck || visit || disallowed) checks.push({ fp, el, listCheck, keyCheck, implicit, visit, disallowed });
    }
  } finally {
    building.delete(type);
  }
  const oneofs: RequiredOneof[] = [];
  for (const o of type.oneofsArray) {
    if (!optionValue(o.parsedOptions, '(validate.required)').includes(true)) continue;
    oneofs.push({ name: o.name, members: plan.fields.filter((f) => f.oneof === o.name) });
  }
  const rules: TypeRules = { plan, checks, oneofs, hook: semanticHooks.get(plan.fullName) };
  cache.set(type, rules);
  return rules;
}

function report(ctx: DecodeCtx, message: string, extra?: string | number): void {
  ctx.errors.push({ path: ctx.path.render(extra), message });
}

function checkElement(fc: FieldCheck, v: unknown, ctx: DecodeCtx): void {
  const el = fc.el;
  if (el?.check) {
    let target = v;
    if (el.wrapperKey !== undefined) {
      const o = v as ProtoObject;
      target = hasOwn.call(o, el.wrapperKey) && o[el.wrapperKey] != null ? o[el.wrapperKey] : el.wrapperDefault;
    }
    const m = el.check(target);
    if (m !== undefined) report(ctx, m);
  }
  if (fc.visit && !el?.skip && v != null) {
    const sub = fc.sub ?? (fc.sub = rulesFor(fc.fp.msgType as protobuf.Type));
    if (sub.plan.wkt === 'Any') visitValue(sub.plan.type, v as ProtoObject, ctx);
    else visitMessage(sub, v as ProtoObject, ctx);
  }
}

function visitValue(type: protobuf.Type, v: ProtoObject, ctx: DecodeCtx): void {
  const plan = typePlan(type);
  if (plan.wkt === 'Any') {
    let payload;
    try {
      payload = anyPayload(type, v);
    } catch (e) {
      report(ctx, `malformed Any payload (${String(v.type_url)}): ${(e as Error).message}`);
      return;
    }
    if (!payload) { report(ctx, `Any names a message not in Envoy's loaded API: "${String(v.type_url)}"`); return; }
    if (needsVisit(payload.type)) visitMessage(rulesFor(payload.type), payload.message, ctx);
    return;
  }
  visitMessage(rulesFor(type), v, ctx);
}

/** Repeated and map fields: list rules, then each item (and map key). */
function visitList(fc: FieldCheck, v: unknown, ctx: DecodeCtx): void {
  const fp = fc.fp;
  if (fc.listCheck) {
    const m = fc.listCheck(v);
    if (m !== undefined) report(ctx, m, fp.proto);
  }
  if (v == null || (!fc.el && !fc.visit && !fc.keyCheck)) return;
  ctx.path.push(fp.proto);
  if (fp.map) {
    const obj = v as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      ctx.path.push(mapKeySegment(k));
      if (fc.keyCheck) {
        const m = fc.keyCheck(fp.keyKind === 'string' || fp.keyKind === undefined ? k : fp.keyKind === 'bool' ? k === 'true' : Number(k));
        if (m !== undefined) report(ctx, `map key: ${m}`);
      }
      checkElement(fc, obj[k], ctx);
      ctx.path.pop();
    }
  } else {
    const arr = v as unknown[];
    for (let i = 0; i < arr.length; i++) {
      ctx.path.push(i);
      checkElement(fc, arr[i], ctx);
      ctx.path.pop();
    }
  }
  ctx.path.pop();
}

/** An absent singular field: required, or rules applied to the implicit default. */
function visitAbsent(fc: FieldCheck, ctx: DecodeCtx): void {
  const fp = fc.fp;
  const el = fc.el;
  // Rules on a oneof member apply only when that member is the one set.
  if (el?.required && fp.oneof === undefined) report(ctx, el.required, fp.proto);
  else if (fc.implicit && el?.check) {
    const m = el.check(fp.kind === 'bytes' ? new Uint8Array(0) : fp.defaultValue);
    if (m !== undefined) report(ctx, m, fp.proto);
  }
}

function visitTail(rules: TypeRules, msg: ProtoObject, ctx: DecodeCtx): void {
  for (const o of rules.oneofs) {
    let set = false;
    for (const f of o.members) if (hasOwn.call(msg, f.key) && msg[f.key] != null) { set = true; break; }
    if (!set) report(ctx, `one of ${o.members.map((f) => `"${f.proto}"`).join(', ')} must be set (validate.required oneof ${o.name})`, o.name);
  }
  if (rules.hook) rules.hook(msg, ctx);
}

const disallowedText = 'is deprecated and rejected by Envoy by default (envoy.annotations.disallowed_by_default)';
const H = { hasOwn, report, checkElement, visitList, visitAbsent, visitTail, disallowedText };

/** The helpers generated walkers call; validate-decoder.ts fuses the same ones into its decoders. */
export const walkHelpers = H;

/** Compiled rules of a message type (cached), for the fused decoders of validate-decoder.ts. */
export function rulesOf(type: protobuf.Type): TypeRules {
  return rulesFor(type);
}

/**
 * The statements the generated walker runs for checks[i], reading the field
 * from `msg` into `v` (`m` is scratch), reporting through `names.ctx` with
 * the helpers at `names.helpers`: shared with the fused decoders of
 * validate-decoder.ts so both apply exactly the same rules in the same order.
 */
export function visitorLines(rules: TypeRules, i: number, lines: string[], names: { readonly ctx: string; readonly helpers: string } = { ctx: 'ctx', helpers: 'H' }): void {
  const q = (x: string) => JSON.stringify(x);
  const { ctx: c, helpers: h } = names;
  const fc = rules.checks[i];
  const fp = fc.fp;
  const K = q(fp.key);
  const C = `C[${i}]`;
  lines.push(fp.presence && fp.kind !== 'message' ? `v = ${h}.hasOwn.call(msg, ${K}) ? msg[${K}] : undefined;` : `v = msg[${K}];`);
  if (fc.disallowed) lines.push(`if (v != null && !(Array.isArray(v) && v.length === 0)) ${h}.report(${c}, ${h}.disallowedText, ${q(fp.proto)});`);
  if (fp.map || fp.repeated) {
    lines.push(`${h}.visitList(${C}, v, ${c});`);
    return;
  }
  // visitAbsent reports only a required field or a rule on the implicit default: skip the call otherwise.
  lines.push(absentMatters(fc) ? `if (v == null) ${h}.visitAbsent(${C}, ${c});` : 'if (v == null) {}');
  if (fp.kind !== 'message' && fc.el?.check) {
    lines.push(`else { m = ${C}.el.check(v); if (m !== undefined) ${h}.report(${c}, m, ${q(fp.proto)}); }`);
  } else if (fc.el || fc.visit) {
    lines.push(`else { ${c}.path.push(${q(fp.proto)}); ${h}.checkElement(${C}, v, ${c}); ${c}.path.pop(); }`);
  }
}

/** Whether an absent singular field can violate a rule (required, or a rule on the implicit default). */
export function absentMatters(fc: FieldCheck): boolean {
  return (fc.el?.required !== undefined && fc.fp.oneof === undefined) || (fc.implicit && fc.el?.check !== undefined);
}

/**
 * Generates the walker of one message type once (constant property names, so
 * V8's inline caches apply), like protobufjs does for its encoders.
 */
function generateVisitor(rules: TypeRules): (msg: ProtoObject, ctx: DecodeCtx) => void {
  const lines: string[] = ['let v, m;'];
  rules.checks.forEach((_fc, i) => visitorLines(rules, i, lines));
  if (rules.oneofs.length || rules.hook) lines.push('H.visitTail(R, msg, ctx);');
  // Code generated from reflection over Envoy's protos, never from input.
  const factory = new Function('H', 'R', 'C', `return function visit(msg, ctx) {\n${lines.join('\n')}\n};`) as (
    h: typeof H, r: TypeRules, c: readonly FieldCheck[]) => (msg: ProtoObject, ctx: DecodeCtx) => void;
  return factory(H, rules, rules.checks);
}

function visitMessage(rules: TypeRules, msg: ProtoObject, ctx: DecodeCtx): void {
  (rules.visit ??= generateVisitor(rules))(msg, ctx);
}

/** Validates a decoded message (fromJson / decodeStrict output); returns every violation. */
export function validateMessage(type: protobuf.Type, message: ProtoObject, path = ''): FieldError[] {
  const ctx: DecodeCtx = { errors: [], path: new PathStack(path) };
  validateInto(type, message, ctx);
  return ctx.errors;
}

/** Validates into an existing walk context (errors appended, paths relative to ctx.path). */
export function validateInto(type: protobuf.Type, message: ProtoObject, ctx: DecodeCtx): void {
  visitValue(type, message, ctx);
}
