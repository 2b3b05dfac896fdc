/**
 * The kinds registry: which Kubernetes kinds Tower reads, how to validate them,
 * where they live in the API, and which of their changes matter.
 * Tower's own CRDs (tower.dev/v1alpha1) plug in by registering entries.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { towerKinds } from '../api/kinds';
import { EndpointSlice, Secret, Service } from '../k8s/types';

/** How a source decides which objects of a kind to read. */
export type Interest =
  /** Every object of the kind (optionally limited to a namespace). */
  | 'all'
  /** Only the objects some Tower object references (see Store.setReferencedSecrets). */
  | 'referenced';

export interface KindInfo {
  readonly apiVersion: string;
  readonly kind: string;
  /** API group ('' for core). */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural used in API paths, e.g. 'endpointslices'. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** zod schema the parsed object must satisfy. */
  readonly schema: z.ZodType<KubeObject>;
  readonly interest: Interest;
  /**
   * The part of an object whose change matters to Tower. Two versions with the
   * same relevant content are the same to the store (status-only updates,
   * resourceVersion bumps, managedFields churn trigger nothing).
   */
  readonly relevantContent: (o: KubeObject) => unknown;
  /** Whether the kind has a status subresource Tower writes. */
  readonly hasStatus: boolean;
}

/** The common shape of every object a source emits (after schema parsing). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** Metadata fields that change without the object meaning anything different. */
const volatileMetadata = new Set(['resourceVersion', 'managedFields', 'creationTimestamp', 'uid', 'selfLink', 'generation']);

/** Default relevance: everything but status and volatile metadata. */
export function defaultRelevantContent(o: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = o;
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) if (!volatileMetadata.has(k)) meta[k] = v;
  return { ...rest, metadata: meta };
}

/** Stable JSON (sorted keys) so equal content hashes equally. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

export function contentHash(v: unknown): string {
  return createHash('sha256').update(stableStringify(v)).digest('base64url').slice(0, 22);
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export interface KindEntry {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  schema: z.ZodType<unknown>;
  interest?: Interest;
  relevantContent?: (o: KubeObject) => unknown;
  hasStatus?: boolean;
}

export class KindRegistry {
  private readonly byKey = new Map<string, KindInfo>();

  constructor(entries: readonly KindEntry[] = []) {
    for (const e of entries) this.register(e);
  }

  register(e: KindEntry): KindInfo {
    const key = `${e.apiVersion}/${e.kind}`;
    if (this.byKey.has(key)) throw new Error(`kind ${key} is already registered`);
    const { group, version } = splitApiVersion(e.apiVersion);
    const info: KindInfo = {
      apiVersion: e.apiVersion,
      kind: e.kind,
      group,
      version,
      plural: e.plural,
      namespaced: e.namespaced,
      // The schema's output type is checked structurally at parse time by the sources.
      schema: e.schema as z.ZodType<KubeObject>,
      interest: e.interest ?? 'all',
      relevantContent: e.relevantContent ?? defaultRelevantContent,
      hasStatus: e.hasStatus ?? false,
    };
    this.byKey.set(key, info);
    return info;
  }

  get(apiVersion: string, kind: string): KindInfo | undefined {
    return this.byKey.get(`${apiVersion}/${kind}`);
  }

  /** Looks a kind up by name alone (kinds are unique across Tower's registry). */
  byKind(kind: string): KindInfo | undefined {
    for (const k of this.byKey.values()) if (k.kind === kind) return k;
    return undefined;
  }

  list(): KindInfo[] {
    return [...this.byKey.values()];
  }
}

/** Secrets: only type, data and stringData (and labels/annotations) matter. */
function secretContent(o: KubeObject): unknown {
  const { metadata, type, data, stringData } = o as KubeObject & { type?: string; data?: unknown; stringData?: unknown };
  return { metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: metadata.annotations }, type, data, stringData };
}

/** The kinds every Tower reads today. CRDs are added with registry.register(). */
export const builtinKinds: readonly KindEntry[] = [
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true, schema: Service },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true, schema: EndpointSlice },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, schema: Secret, interest: 'referenced', relevantContent: secretContent },
];

export function defaultKindRegistry(): KindRegistry {
  return new KindRegistry(builtinKinds);
}

/**
 * Tower's own kinds (tower.dev/v1alpha1 Gateway, RoutePolicy, BackendPolicy,
 * SecurityPolicy) as registry entries, from the CRD API registry in src/api.
 * They have a status subresource Tower writes.
 */
export const towerKindEntries: readonly KindEntry[] = towerKinds.map((k) => ({
  apiVersion: k.apiVersion,
  kind: k.kind,
  plural: k.plural,
  namespaced: k.namespaced,
  schema: k.schema,
  hasStatus: true,
}));

/** The registry a running Tower uses: the built-in kinds plus Tower's CRDs. */
export function towerKindRegistry(): KindRegistry {
  return new KindRegistry([...builtinKinds, ...towerKindEntries]);
}
