/**
 * Tower's handle on one cluster through @kubernetes/client-node: the typed
 * APIs it uses (CoreV1Api, DiscoveryV1Api, CoordinationV1Api, CustomObjectsApi,
 * KubernetesObjectApi) built from one KubeConfig, client-node Watch instances,
 * and `collection()`, which maps a kind to its list call and watch path:
 *  - v1 Service, v1 Secret: CoreV1Api; discovery.k8s.io/v1 EndpointSlice: DiscoveryV1Api;
 *  - any other kind with an API group (Tower's CRDs): CustomObjectsApi;
 *  - any other core kind: KubernetesObjectApi (resolves the plural by discovery).
 * Typed lists come back as client-node model objects (timestamps as Date);
 * they are turned back into wire JSON (ISO strings) so every item looks like
 * what a watch delivers. Built-in fields newer than client-node's models are
 * dropped by its deserializer; CRD objects are passed through untouched.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubernetesObjectApi,
  setHeaderOptions,
  Watch,
  type ConfigurationOptions,
  type KubeConfig,
} from '@kubernetes/client-node';

export interface CollectionRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult {
  /** metadata.resourceVersion of the list: where the watch starts. */
  readonly resourceVersion: string;
  /** Items as wire JSON, with apiVersion and kind set. */
  readonly items: Record<string, unknown>[];
}

export interface Collection {
  /** Watch path, e.g. /api/v1/services or /apis/tower.dev/v1alpha1/namespaces/ns/gateways. */
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  list(selectors: Selectors, signal?: AbortSignal): Promise<ListResult>;
}

/** API path for a kind's collection or one object. */
export function apiPath(p: { group: string; version: string; plural: string; namespace?: string; name?: string; subresource?: string }): string {
  let s = p.group ? `/apis/${p.group}/${p.version}` : `/api/${p.version}`;
  if (p.namespace) s += `/namespaces/${encodeURIComponent(p.namespace)}`;
  s += `/${p.plural}`;
  if (p.name) s += `/${encodeURIComponent(p.name)}`;
  if (p.subresource) s += `/${p.subresource}`;
  return s;
}

/** Plain JSON from a client-node model object (Date -> RFC 3339 string, class instances -> objects). */
export const toWire = <T>(v: T): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** Per-call options that make a typed API call abortable. */
export function abortable(signal: AbortSignal | undefined): ConfigurationOptions | undefined {
  if (!signal) return undefined;
  // setHeaderOptions gives a middleware in the shape the generated APIs expect; wrap its pre-hook to attach the signal.
  const opts = setHeaderOptions('Accept', 'application/json');
  const [base] = opts.middleware ?? [];
  if (!base) return opts;
  return { ...opts, middleware: [{ pre: (ctx) => (ctx.setSignal(signal), base.pre(ctx)), post: (rsp) => base.post(rsp) }] };
}

interface RawList {
  metadata?: { resourceVersion?: string };
  items?: unknown[];
}

export class KubeApi {
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly coordination: CoordinationV1Api;
  readonly custom: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
  /** Cluster name for logs and origins (kubeconfig context, 'in-cluster', ...). */
  readonly name: string;

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: { name?: string } = {},
  ) {
    this.name = opts.name ?? (kubeConfig.getCurrentContext() || 'kubernetes');
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /**
   * A client-node Watch whose inactivity timeout is `idleTimeoutMs` (client-node
   * defaults to 30 s, shorter than a quiet collection's silence between bookmarks).
   */
  newWatch(idleTimeoutMs: number): Watch {
    const w = new Watch(this.kubeConfig);
    // requestTimeoutMs is private in client-node's typings but is the documented knob of its Watch.
    (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = idleTimeoutMs;
    return w;
  }

  /** The list call and watch path for a kind, cluster-wide or in one namespace. */
  collection(ref: CollectionRef, namespace?: string): Collection {
    const ns = ref.namespaced ? namespace : undefined;
    const apiVersion = ref.group ? `${ref.group}/${ref.version}` : ref.version;
    const path = apiPath({ group: ref.group, version: ref.version, plural: ref.plural, namespace: ns });
    const finish = (raw: RawList, typed: boolean): ListResult => {
      const rv = raw.metadata?.resourceVersion;
      if (!rv) throw new Error(`list ${path}: response has no metadata.resourceVersion`);
      const items = (raw.items ?? []).map((i) => ({ ...(typed ? toWire(i) : (i as Record<string, unknown>)), apiVersion, kind: ref.kind }));
      return { resourceVersion: rv, items };
    };
    const key = `${apiVersion}/${ref.plural}`;
    let list: (s: Selectors, o?: ConfigurationOptions) => Promise<ListResult>;
    if (key === 'v1/services') {
      list = async (s, o) => finish(ns ? await this.core.listNamespacedService({ namespace: ns, ...s }, o) : await this.core.listServiceForAllNamespaces(s, o), true);
    } else if (key === 'v1/secrets') {
      list = async (s, o) => finish(ns ? await this.core.listNamespacedSecret({ namespace: ns, ...s }, o) : await this.core.listSecretForAllNamespaces(s, o), true);
    } else if (key === 'discovery.k8s.io/v1/endpointslices') {
      list = async (s, o) =>
        finish(ns ? await this.discovery.listNamespacedEndpointSlice({ namespace: ns, ...s }, o) : await this.discovery.listEndpointSliceForAllNamespaces(s, o), true);
    } else if (ref.group) {
      const base = { group: ref.group, version: ref.version, plural: ref.plural };
      list = async (s, o) =>
        finish((ns ? await this.custom.listNamespacedCustomObject({ ...base, namespace: ns, ...s }, o) : await this.custom.listClusterCustomObject({ ...base, ...s }, o)) as RawList, false);
    } else {
      list = async (s, o) => finish(await this.objects.list(apiVersion, ref.kind, ns, undefined, undefined, undefined, s.fieldSelector, s.labelSelector), true);
    }
    return { path, apiVersion, kind: ref.kind, list: (s, signal) => list(s, abortable(signal)) };
  }
}
