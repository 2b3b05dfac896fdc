/**
 * Per-message-type field plans built once by reflection over the protobufjs
 * Root and cached: the JSON codec and the validator walk these instead of
 * re-inspecting protobufjs reflection objects for every message.
 */
import * as protobuf from 'protobufjs';
import type { DecodeCtx, ProtoObject } from './json-codec';

export type ScalarKind =
  | 'double' | 'float'
  | 'int32' | 'sint32' | 'sfixed32' | 'uint32' | 'fixed32'
  | 'int64' | 'sint64' | 'sfixed64' | 'uint64' | 'fixed64'
  | 'bool' | 'string' | 'bytes';
export type FieldKind = ScalarKind | 'enum' | 'message';

/** Well-known types whose proto3 JSON form is special. */
export type WktKind =
  | 'Any' | 'Duration' | 'Timestamp' | 'Struct' | 'Value' | 'ListValue' | 'FieldMask' | 'wrapper';

export interface FieldPlan {
  readonly field: protobuf.Field;
  /** Property name in protobufjs objects (as declared, except for protobufjs' bundled google types). */
  readonly key: string;
  /** snake_case name used on JSON output and in error paths. */
  readonly proto: string;
  readonly kind: FieldKind;
  readonly repeated: boolean;
  readonly map: boolean;
  /** Map key type (scalar) when map. */
  readonly keyKind?: ScalarKind;
  readonly msgType?: protobuf.Type;
  readonly enumType?: protobuf.Enum;
  /** Name of the (non-synthetic) oneof the field belongs to. */
  readonly oneof?: string;
  /** Field tracks presence: message fields, oneof members, proto3 optional. */
  readonly presence: boolean;
  /** Default of an implicit-presence scalar (skipped on encode and JSON output). */
  readonly defaultValue: unknown;
  /** Plan of msgType, filled on first use (hot-path cache). */
  sub?: TypePlan;
}

export interface TypePlan {
  readonly type: protobuf.Type;
  readonly fullName: string; // without leading dot
  readonly fields: readonly FieldPlan[];
  /** By snake_case name and by lowerCamelCase JSON name. */
  readonly byJsonKey: ReadonlyMap<string, FieldPlan>;
  readonly byProto: ReadonlyMap<string, FieldPlan>;
  readonly wkt: WktKind | undefined;
  /** Generated strict JSON decoder (validate-decoder.ts), filled on first use. */
  decoder?: (json: unknown, ctx: DecodeCtx, skipKey: string | undefined) => ProtoObject | undefined;
  /** Generated decoder that also applies validate.rules (validate-decoder.ts), filled on first use. */
  fused?: (json: unknown, ctx: DecodeCtx, skipKey: string | undefined) => ProtoObject | undefined;
}

const wrappers = new Set([
  'google.protobuf.DoubleValue', 'google.protobuf.FloatValue', 'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value', 'google.protobuf.Int32Value', 'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue', 'google.protobuf.StringValue', 'google.protobuf.BytesValue',
]);

function wktOf(fullName: string): WktKind | undefined {
  if (wrappers.has(fullName)) return 'wrapper';
  switch (fullName) {
    case 'google.protobuf.Any': return 'Any';
    case 'google.protobuf.Duration': return 'Duration';
    case 'google.protobuf.Timestamp': return 'Timestamp';
    case 'google.protobuf.Struct': return 'Struct';
    case 'google.protobuf.Value': return 'Value';
    case 'google.protobuf.ListValue': return 'ListValue';
    case 'google.protobuf.FieldMask': return 'FieldMask';
    default: return undefined;
  }
}

const scalarKinds = new Set<string>([
  'double', 'float', 'int32', 'sint32', 'sfixed32', 'uint32', 'fixed32',
  'int64', 'sint64', 'sfixed64', 'uint64', 'fixed64', 'bool', 'string', 'bytes',
]);

function scalarDefault(kind: FieldKind): unknown {
  switch (kind) {
    case 'string': return '';
    case 'bool': return false;
    case 'bytes': return undefined; // empty bytes: checked by length
    case 'message': return undefined;
    default: return 0;
  }
}

function planField(field: protobuf.Field): FieldPlan {
  field.resolve();
  const rt = field.resolvedType;
  let kind: FieldKind;
  if (rt instanceof protobuf.Type) kind = 'message';
  else if (rt instanceof protobuf.Enum) kind = 'enum';
  else if (scalarKinds.has(field.type)) kind = field.type as ScalarKind;
  else throw new Error(`unsupported field type ${field.type} of ${field.fullName}`);
  const oneof = field.partOf && !field.partOf.name.startsWith('_') ? field.partOf.name : undefined;
  const isMap = field instanceof protobuf.MapField;
  const repeated = field.repeated && !isMap;
  const presence = !repeated && !isMap && (kind === 'message' || field.partOf != null);
  // protobufjs keeps snake_case names for Envoy protos (keepCase) but its bundled
  // google/protobuf types are declared in camelCase: protoName is the declared name.
  const proto = (field as protobuf.Field & { protoName?: string }).protoName ?? field.name;
  return {
    field,
    key: field.name,
    proto,
    kind,
    repeated,
    map: isMap,
    keyKind: isMap ? ((field as protobuf.MapField).keyType as ScalarKind) : undefined,
    msgType: rt instanceof protobuf.Type ? rt : undefined,
    enumType: rt instanceof protobuf.Enum ? rt : undefined,
    oneof,
    presence,
    defaultValue: kind === 'enum' ? 0 : scalarDefault(kind),
  };
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const plans = new WeakMap<protobuf.Type, TypePlan>();

export function typePlan(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  const fields = type.fieldsArray.map(planField);
  const byJsonKey = new Map<string, FieldPlan>();
  const byProto = new Map<string, FieldPlan>();
  for (const fp of fields) {
    byProto.set(fp.proto, fp);
    byJsonKey.set(fp.proto, fp);
    const json = (fp.field as protobuf.Field & { jsonName?: string }).jsonName ?? lowerCamel(fp.proto);
    if (!byJsonKey.has(json)) byJsonKey.set(json, fp);
    if (!byJsonKey.has(fp.key)) byJsonKey.set(fp.key, fp);
  }
  const fullName = type.fullName.replace(/^\./, '');
  plan = { type, fullName, fields, byJsonKey, byProto, wkt: wktOf(fullName) };
  plans.set(type, plan);
  return plan;
}

/** Plan of a message field's type, cached on the field plan. */
export function subPlan(fp: FieldPlan): TypePlan {
  return fp.sub ?? (fp.sub = typePlan(fp.msgType as protobuf.Type));
}

/** Looks a message type up by type URL (text after the last '/') in the Root that holds `anchor`. */
export function typeForUrlIn(anchor: protobuf.ReflectionObject, typeUrl: string): protobuf.Type | undefined {
  const slash = typeUrl.lastIndexOf('/');
  const name = slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl;
  if (!name) return undefined;
  let root: protobuf.ReflectionObject = anchor;
  while (root.parent) root = root.parent;
  try {
    const found = (root as protobuf.Namespace).lookup(name);
    return found instanceof protobuf.Type ? found : undefined;
  } catch {
    return undefined;
  }
}
