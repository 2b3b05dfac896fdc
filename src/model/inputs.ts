/**
 * The objects the model is built from, validated by kind. Objects arrive from
 * sources already parsed; the model validates again so a bad object becomes a
 * ModelError naming its field, never an exception.
 */
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { EndpointSlice, Secret, Service } from '../k8s/types';
import { fastParseEndpointSlice, fastParseService } from './fast-parse';
import { BackendPolicy } from '../api/backend-policy';
import { RoutePolicy } from '../api/route-policy';
import { SecurityPolicy } from '../api/security-policy';
import { Gateway, HTTPRoute } from './gateway-api';
import type { ModelError, SourceRef } from './types';

export type TowerObject = Service | EndpointSlice | Secret | Gateway | HTTPRoute | RoutePolicy | BackendPolicy | SecurityPolicy;

/** An object as handed to the model: the raw object, plus the file it came from (file source). */
export interface InputObject {
  readonly object: unknown;
  readonly file?: string;
}

const schemas: Readonly<Record<string, z.ZodType<TowerObject>>> = {
  Service,
  EndpointSlice,
  Secret,
  Gateway,
  HTTPRoute,
  RoutePolicy,
  BackendPolicy,
  SecurityPolicy,
};

export function sourceRefOf(o: unknown, file?: string): SourceRef {
  const obj = (o ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof obj.kind === 'string' ? obj.kind : '(unknown kind)';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '(unnamed)';
  const namespace = typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : undefined;
  return { kind, name, ...(namespace !== undefined ? { namespace } : {}), ...(file !== undefined ? { file } : {}) };
}

function pathOf(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(object)';
}

export type ParsedObject = { readonly ok: true; readonly object: TowerObject; readonly source: SourceRef } | { readonly ok: false; readonly errors: ModelError[] };

/** Validates one object by its kind; unknown kinds are an error naming the kind. */
export function parseObject(input: InputObject): ParsedObject {
  const source = sourceRefOf(input.object, input.file);
  const schema = schemas[source.kind];
  if (!schema) {
    return { ok: false, errors: [{ code: 'invalid-object', source, path: 'kind', message: `unsupported kind "${source.kind}" (expected one of ${Object.keys(schemas).join(', ')})` }] };
  }
  // Services and EndpointSlices come by the ten thousand: a hand-written check of the same rules first.
  let data: TowerObject | undefined = source.kind === 'Service' ? fastParseService(input.object) : source.kind === 'EndpointSlice' ? fastParseEndpointSlice(input.object) : undefined;
  if (data === undefined) {
    const r = schema.safeParse(input.object);
    if (!r.success) {
      return { ok: false, errors: r.error.issues.map((i) => ({ code: 'invalid-object' as const, source, path: pathOf(i.path), message: i.message })) };
    }
    data = r.data;
  }
  // data is a fresh object (zod and the fast path copy), so it can be completed in place of a copy.
  if (data.metadata.namespace !== undefined) return { ok: true, object: data, source };
  const object = { ...data, metadata: { ...data.metadata, namespace: 'default' } } as TowerObject;
  return { ok: true, object, source: { ...source, namespace: 'default' } };
}

/** Reads a multi-document YAML text into input objects; syntax errors name the file and document. */
export function parseYamlObjects(text: string, file: string): { objects: InputObject[]; errors: ModelError[] } {
  const objects: InputObject[] = [];
  const errors: ModelError[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) errors.push({ code: 'invalid-object', source: { kind: '(document)', name: `#${i}`, file }, path: '(yaml)', message: e.message });
      return;
    }
    const value: unknown = doc.toJSON();
    if (value === null || value === undefined) return;
    objects.push({ object: value, file });
  });
  return { objects, errors };
}
