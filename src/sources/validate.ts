/**
 * Parses a raw object against the kinds registry, turning zod issues into an
 * error naming the origin, the object and the field path.
 */
import type { z } from 'zod';
import { objectKey } from '../k8s/types';
import type { KindInfo, KindRegistry, KubeObject } from './kinds';
import type { Origin, SourceError } from './source';

export type ParseResult =
  | { readonly ok: true; readonly object: KubeObject; readonly key: string; readonly kind: KindInfo }
  | { readonly ok: false; readonly error: SourceError; readonly key?: string }
  /** A kind Tower does not read: not an error, just not ours. */
  | { readonly ok: 'ignored'; readonly apiVersion: string; readonly kind: string };

export function describeOrigin(o: Origin | undefined): string {
  if (!o) return '';
  if (o.source === 'cluster') return `cluster ${o.cluster}`;
  return `${o.file} document ${o.document}${o.item === undefined ? '' : ` item ${o.item}`}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s || '(root)';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** kind/namespace/name read from a raw object as far as it goes, for error messages. */
export function rawKey(raw: unknown, defaultNamespace?: string): string | undefined {
  if (!isRecord(raw) || typeof raw.kind !== 'string' || !isRecord(raw.metadata) || typeof raw.metadata.name !== 'string') return undefined;
  const ns = typeof raw.metadata.namespace === 'string' ? raw.metadata.namespace : defaultNamespace;
  return objectKey({ kind: raw.kind, metadata: { name: raw.metadata.name, namespace: ns } });
}

export interface ParseOptions {
  /** Namespace given to namespaced objects that have none (files); Kubernetes always sets one. */
  defaultNamespace?: string;
}

export function parseObject(raw: unknown, registry: KindRegistry, origin: Origin, opts: ParseOptions = {}): ParseResult {
  const where = describeOrigin(origin);
  if (!isRecord(raw)) {
    return { ok: false, error: { message: `${where}: expected an object with apiVersion and kind, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`, origin } };
  }
  const apiVersion = raw.apiVersion;
  const kindName = raw.kind;
  if (typeof apiVersion !== 'string' || typeof kindName !== 'string') {
    const field = typeof apiVersion !== 'string' ? 'apiVersion' : 'kind';
    return { ok: false, error: { message: `${where}: field ${field}: required string is missing`, origin, field } };
  }
  const kind = registry.get(apiVersion, kindName);
  if (!kind) return { ok: 'ignored', apiVersion, kind: kindName };
  let input: Record<string, unknown> = raw;
  if (kind.namespaced && opts.defaultNamespace && isRecord(raw.metadata) && raw.metadata.namespace === undefined) {
    input = { ...raw, metadata: { ...raw.metadata, namespace: opts.defaultNamespace } };
  }
  const key = rawKey(input);
  const label = key ?? `${kindName} (unnamed)`;
  const r = kind.schema.safeParse(input);
  if (!r.success) {
    const issues = (r.error as z.ZodError).issues;
    const first = issues[0];
    const field = first ? formatPath(first.path) : undefined;
    const detail = issues.map((i) => `field ${formatPath(i.path)}: ${i.message}`).join('; ');
    return { ok: false, key, error: { message: `${where}: ${label}: ${detail}`, origin, key, field } };
  }
  const object = r.data;
  if (!kind.namespaced && object.metadata.namespace) {
    return { ok: false, key, error: { message: `${where}: ${label}: field metadata.namespace: ${kindName} is cluster-scoped`, origin, key, field: 'metadata.namespace' } };
  }
  if (kind.namespaced && !object.metadata.namespace) {
    return { ok: false, key, error: { message: `${where}: ${label}: field metadata.namespace: required for ${kindName}`, origin, key, field: 'metadata.namespace' } };
  }
  return { ok: true, object, key: objectKey(object), kind };
}
