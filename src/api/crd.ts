/**
 * Generates Kubernetes CustomResourceDefinitions (apiextensions.k8s.io/v1)
 * from the zod schemas, so the API server and Tower validate the same shape.
 * zod's JSON Schema output is post-processed into a structural schema: no
 * $ref/anyOf/oneOf/allOf, a type on every node, additionalProperties:false
 * dropped (Kubernetes prunes unknown fields), open objects marked
 * x-kubernetes-preserve-unknown-fields, and the root metadata left to the
 * API server. Refinements zod runs in code (RE2 validity, cross-field rules)
 * do not appear in the CRD; Tower reports them in status instead.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { re2Error } from './common';
import type { TowerKind } from './kinds';

/** An OpenAPI v3 schema node as Kubernetes stores it (JSONSchemaProps). */
export type SchemaNode = { [key: string]: unknown };

const keptKeys = new Set([
  'type',
  'description',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'default',
  'enum',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'pattern',
]);
const droppedKeys = new Set(['$schema', 'propertyNames', 'id', '$id', 'title']);
/** Formats the Kubernetes API server understands. */
const knownFormats = new Set(['date-time', 'int32', 'int64', 'uri', 'hostname', 'byte', 'date', 'duration']);

function fail(path: string, msg: string): never {
  throw new Error(`CRD schema at ${path || '(root)'}: ${msg}`);
}

/** Converts one zod JSON Schema node (target openapi-3.0) into a structural schema node. */
export function toStructural(node: SchemaNode, path = ''): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (droppedKeys.has(k)) continue;
    if (k.startsWith('x-kubernetes-')) {
      out[k] = v;
      continue;
    }
    if (!keptKeys.has(k)) fail(path, `unsupported keyword ${k} (use plain objects with refinements instead of unions/refs)`);
    switch (k) {
      case 'properties': {
        const props: SchemaNode = {};
        for (const [name, child] of Object.entries(v as Record<string, SchemaNode>)) props[name] = toStructural(child, `${path}.${name}`);
        out.properties = props;
        break;
      }
      case 'items':
        if (Array.isArray(v)) fail(path, 'tuple items are not structural');
        out.items = toStructural(v as SchemaNode, `${path}[]`);
        break;
      case 'additionalProperties':
        if (v === false) break; // Kubernetes prunes (or, with strict field validation, rejects) unknown fields.
        if (v === true || Object.keys(v as SchemaNode).length === 0) out['x-kubernetes-preserve-unknown-fields'] = true;
        else out.additionalProperties = toStructural(v as SchemaNode, `${path}.*`);
        break;
      case 'format':
        if (knownFormats.has(v as string)) out.format = v;
        break;
      default:
        out[k] = v;
    }
  }
  if (out.type === undefined) fail(path, 'no type');
  if (out.type === 'number' && Array.isArray(out.enum) && out.enum.every((x) => Number.isInteger(x))) out.type = 'integer';
  if (out.properties && out.additionalProperties) fail(path, 'both properties and additionalProperties');
  return out;
}

const kindDescriptions: Record<string, string> = {
  Gateway: 'A set of gateway Envoys (selected by labels or node metadata TOWER_GATEWAY) and the listeners they open.',
  RoutePolicy: 'HTTP routing attached to Gateway listeners (north-south) or to Services (east-west), shaped like the Gateway API HTTPRoute.',
  BackendPolicy: 'How clients connect to Services: load balancing, circuit breaking, outlier detection, health checks, HTTP/2 and TLS.',
  SecurityPolicy: 'JWT validation and allow/deny authorization for a Gateway, RoutePolicy or Service.',
};

/** The openAPIV3Schema of a kind: the zod schema, made structural, with root fields left to the API server. */
export function crdSchema(k: TowerKind): SchemaNode {
  const json = z.toJSONSchema(k.schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'throw' }) as SchemaNode;
  const root = toStructural(json);
  const props = root.properties as Record<string, SchemaNode>;
  props.apiVersion = { type: 'string', description: 'tower.dev/v1alpha1' };
  props.kind = { type: 'string', description: k.kind };
  props.metadata = { type: 'object' };
  delete root['x-kubernetes-preserve-unknown-fields'];
  root.required = ['spec'];
  root.description = kindDescriptions[k.kind];
  return root;
}

/** The CustomResourceDefinition object for a kind. */
export function buildCrd(k: TowerKind): SchemaNode {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}`, labels: { 'app.kubernetes.io/part-of': 'tower' } },
    spec: {
      group: k.group,
      names: { kind: k.kind, listKind: k.listKind, plural: k.plural, singular: k.singular, shortNames: k.shortNames, categories: k.categories },
      scope: 'Namespaced',
      versions: [
        {
          name: k.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: k.printerColumns,
          schema: { openAPIV3Schema: crdSchema(k) },
        },
      ],
    },
  };
}

export const crdHeader = '# Generated by scripts/generate-crds.ts from the zod schemas in src/api. Do not edit.\n';

/** The YAML text of deploy/crds/<plural>.yaml. */
export function renderCrdYaml(k: TowerKind): string {
  return crdHeader + stringify(buildCrd(k), { lineWidth: 0 });
}

/** Every file of deploy/crds: one CRD per kind and a kustomization.yaml listing them. */
export function generatedCrdFiles(kinds: readonly TowerKind[]): { file: string; text: string }[] {
  const files = kinds.map((k) => ({ file: `${k.plural}.yaml`, text: renderCrdYaml(k) }));
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((f) => f.file) };
  files.push({ file: 'kustomization.yaml', text: crdHeader + stringify(kustomization, { lineWidth: 0 }) });
  return files;
}

const forbidden = ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'const', 'definitions', '$defs'];

/**
 * Problems that would make the API server reject the schema as non-structural,
 * or that break Tower's own rules (every string, list, map and number
 * bounded; every pattern valid RE2, as the API server compiles it with Go's
 * regexp). Empty when fine.
 */
export function structuralErrors(schema: SchemaNode, path = ''): string[] {
  const errs: string[] = [];
  const at = path || '(root)';
  for (const key of forbidden) if (key in schema) errs.push(`${at}: forbidden keyword ${key}`);
  if (schema.additionalProperties === false) errs.push(`${at}: additionalProperties: false is not allowed`);
  const type = schema.type as string | undefined;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!type) errs.push(`${at}: no type`);
  if (schema.properties && schema.additionalProperties) errs.push(`${at}: both properties and additionalProperties`);
  const rootMeta = path === '.metadata' || path === '.apiVersion' || path === '.kind';
  if (!rootMeta) {
    if (type === 'string' && schema.maxLength === undefined && schema.enum === undefined) errs.push(`${at}: string without maxLength`);
    if (type === 'array' && schema.maxItems === undefined) errs.push(`${at}: array without maxItems`);
    if ((type === 'integer' || type === 'number') && (schema.minimum === undefined || schema.maximum === undefined) && schema.enum === undefined) {
      errs.push(`${at}: number without minimum and maximum`);
    }
    if (type === 'object' && schema.additionalProperties && schema.maxProperties === undefined) errs.push(`${at}: map without maxProperties`);
    if (type === 'object' && !schema.properties && !schema.additionalProperties && !preserve) errs.push(`${at}: object with no fields`);
  }
  if (typeof schema.pattern === 'string') {
    const e = re2Error(schema.pattern);
    if (e) errs.push(`${at}: pattern is not RE2: ${e}`);
  }
  if (schema['x-kubernetes-list-type'] === 'map') {
    const items = (schema.items ?? {}) as SchemaNode;
    const req = new Set((items.required as string[] | undefined) ?? []);
    for (const key of (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) {
      const p = (items.properties as Record<string, SchemaNode> | undefined)?.[key];
      if (!p) errs.push(`${at}: list map key ${key} is not a property`);
      else if (!req.has(key) && p.default === undefined) errs.push(`${at}: list map key ${key} must be required or defaulted`);
    }
  }
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, SchemaNode>)) {
    errs.push(...structuralErrors(child, `${path}.${name}`));
  }
  if (schema.items) errs.push(...structuralErrors(schema.items as SchemaNode, `${path}[]`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    errs.push(...structuralErrors(schema.additionalProperties as SchemaNode, `${path}.*`));
  }
  return errs;
}
