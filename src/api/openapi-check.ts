/**
 * A small validator for the OpenAPI v3 subset Tower's CRDs use (type,
 * properties, required, items, additionalProperties, enum, minimum, maximum,
 * exclusiveMinimum/Maximum, minLength, maxLength, minItems, maxItems,
 * maxProperties, pattern, x-kubernetes-list-type set/map uniqueness). It
 * approximates what the API server checks before Tower sees an object, so
 * tests can show that objects zod accepts are also accepted by the CRD.
 * Unknown fields are reported, as `kubectl apply` with strict field
 * validation does. Not covered: formats, CEL, defaulting, int-or-string, and
 * the root metadata (the API server validates ObjectMeta itself).
 */
import type { SchemaNode } from './crd';

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const got = typeOf(v);
  return got === want || (want === 'number' && got === 'integer');
}

/** Errors ("<path>: <message>") for `value` against `schema`; empty when valid. */
export function validateOpenApi(schema: SchemaNode, value: unknown, path = ''): string[] {
  const at = path || '(root)';
  const errs: string[] = [];
  const type = schema.type as string | undefined;
  if (type && !typeMatches(type, value)) return [`${at}: must be ${type}, got ${typeOf(value)}`];
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) errs.push(`${at}: must be one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number') {
      if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum) errs.push(`${at}: below minimum ${schema.minimum}`);
    }
    if (typeof schema.maximum === 'number') {
      if (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum) errs.push(`${at}: above maximum ${schema.maximum}`);
    }
  }
  if (typeof value === 'string') {
    const len = [...value].length; // Kubernetes counts Unicode code points
    if (typeof schema.maxLength === 'number' && len > schema.maxLength) errs.push(`${at}: longer than maxLength ${schema.maxLength}`);
    if (typeof schema.minLength === 'number' && len < schema.minLength) errs.push(`${at}: shorter than minLength ${schema.minLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errs.push(`${at}: does not match pattern ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errs.push(`${at}: more than maxItems ${schema.maxItems}`);
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errs.push(`${at}: fewer than minItems ${schema.minItems}`);
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      const seen = new Set<string>();
      value.forEach((x, i) => {
        const k = listType === 'set' ? JSON.stringify(x) : JSON.stringify(keys.map((f) => (x as Record<string, unknown>)?.[f]));
        if (seen.has(k)) errs.push(`${path}[${i}]: duplicate ${listType === 'set' ? 'value' : 'key'} ${k}`);
        seen.add(k);
      });
    }
    if (schema.items) value.forEach((x, i) => errs.push(...validateOpenApi(schema.items as SchemaNode, x, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) errs.push(`${path ? path + '.' : ''}${r}: required`);
    if (typeof schema.maxProperties === 'number' && Object.keys(obj).length > schema.maxProperties) {
      errs.push(`${at}: more than maxProperties ${schema.maxProperties}`);
    }
    const props = schema.properties as Record<string, SchemaNode> | undefined;
    const extra = schema.additionalProperties as SchemaNode | undefined;
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    for (const [k, v] of Object.entries(obj)) {
      const sub = `${path ? path + '.' : ''}${k}`;
      if (path === '' && k === 'metadata') continue; // ObjectMeta is validated by the API server itself, not by the CRD schema
      if (props?.[k]) errs.push(...validateOpenApi(props[k], v, sub));
      else if (extra) errs.push(...validateOpenApi(extra, v, sub));
      else if (!preserve) errs.push(`${sub}: unknown field`);
    }
  }
  return errs;
}
