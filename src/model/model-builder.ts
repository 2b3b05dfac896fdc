/**
 * Builds the MeshModel from objects, incrementally: apply() takes upserts and
 * deletes and reports which parts of the model changed (per-service spec,
 * per-service endpoints, mesh-wide parts), so the translators redo only that.
 */
import { serviceNameLabel, type EndpointSlice, type Secret, type Service } from '../k8s/types';
import { buildEndpoints, type SliceInput } from './build-endpoints';
import { buildService } from './build-service';
import { buildCaBundle, buildTlsSecret, isTlsSecret } from './build-secret';
import { defaultRoutes, gatewayFromObject, routeFromHttpRoute } from './build-routes';
import type { Gateway, HTTPRoute } from './gateway-api';
import type { RoutePolicy } from '../api/route-policy';
import type { BackendPolicy } from '../api/backend-policy';
import { attachBackendPolicies, backendPolicyEntry, caSecretKeys, type BackendPolicyEntry } from './backend-policy';
import { resolveConflicts } from './route-conflicts';
import { routeFromRoutePolicy } from './route-policy';
import type { SecurityPolicy } from '../api/security-policy';
import { resolveSecurityConflicts, securityPolicyEntry } from './security-policy';
import { parseObject, sourceRefOf, type InputObject } from './inputs';
import type { CaBundleModel, GatewayModel, MeshConfig, MeshModel, ModelError, RouteModel, SecurityPolicyModel, ServiceEndpointsModel, ServiceModel, SourceRef, TlsSecretModel } from './types';
import { validateReferences } from './validate';

export type ObjectChange =
  | { readonly type: 'upsert'; readonly object: unknown; readonly file?: string }
  | { readonly type: 'delete'; readonly kind: string; readonly namespace?: string; readonly name: string };

/** What an apply() changed. Keys are "namespace/name". */
export interface ModelDelta {
  /** Services whose spec was added, changed or deleted. */
  readonly services: ReadonlySet<string>;
  /** Services whose endpoints changed (includes every key in services). */
  readonly endpoints: ReadonlySet<string>;
  /** Secrets, gateways or HTTPRoutes changed. */
  readonly meshWide: boolean;
}

const emptyDelta: ModelDelta = { services: new Set(), endpoints: new Set(), meshWide: false };

function objKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? 'default'}/${name}`;
}

export const defaultMeshConfig: MeshConfig = { clusterDomain: 'cluster.local' };

export class ModelBuilder {
  private readonly services: Record<string, ServiceModel> = {};
  private readonly endpoints: Record<string, ServiceEndpointsModel> = {};
  private readonly secrets: Record<string, TlsSecretModel> = {};
  /** ca.crt of Secrets (any type), for BackendPolicy upstream TLS. */
  private readonly caBundles = new Map<string, CaBundleModel>();
  private readonly slices = new Map<string, SliceInput & { svcKey: string }>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly gatewayMap = new Map<string, GatewayModel>();
  private readonly httpRoutes = new Map<string, RouteModel>();
  private readonly policyRoutes = new Map<string, RouteModel>();
  private readonly securityPolicyMap = new Map<string, SecurityPolicyModel>();
  private securityCache: { policies: SecurityPolicyModel[]; errors: ModelError[] } | undefined;
  /** Services as built from their objects, before BackendPolicies are attached. */
  private readonly baseServices = new Map<string, ServiceModel>();
  private readonly backendPolicies = new Map<string, BackendPolicyEntry>();
  /** BackendPolicy conflicts found while attaching policies, keyed by service "ns/name". */
  private readonly backendConflicts = new Map<string, ModelError[]>();
  private conflictErrors: ModelError[] = [];
  private readonly defaultRouteMap = new Map<string, RouteModel[]>();
  /** Per-object errors (parse and build), keyed kind/ns/name. */
  private readonly objectErrors = new Map<string, ModelError[]>();
  /** Errors found while merging a service's slices, keyed by service "ns/name". */
  private readonly endpointErrors = new Map<string, ModelError[]>();
  private routesCache: RouteModel[] | undefined;
  /** Services touched by RoutePolicy changes during the current apply(). */
  private readonly pendingServices = new Set<string>();
  private gatewaysCache: GatewayModel[] | undefined;
  private validationCache: ModelError[] | undefined;

  constructor(readonly config: MeshConfig = defaultMeshConfig) {}

  apply(changes: readonly ObjectChange[]): ModelDelta {
    const services = new Set<string>();
    const endpoints = new Set<string>();
    let meshWide = false;
    for (const c of changes) {
      const r = c.type === 'delete' ? this.remove(c.kind, c.namespace ?? 'default', c.name) : this.upsert({ object: c.object, ...(c.file !== undefined ? { file: c.file } : {}) });
      if (r.service) services.add(r.service);
      for (const k of r.endpoints ?? []) endpoints.add(k);
      meshWide ||= r.meshWide;
    }
    for (const s of this.pendingServices) services.add(s);
    this.pendingServices.clear();
    for (const s of services) endpoints.add(s);
    for (const key of endpoints) this.rebuildEndpoints(key);
    if (services.size > 0 || meshWide) {
      this.routesCache = undefined;
      this.validationCache = undefined;
    }
    if (meshWide) {
      this.gatewaysCache = undefined;
      this.securityCache = undefined;
    }
    if (services.size === 0 && endpoints.size === 0 && !meshWide) return emptyDelta;
    return { services, endpoints, meshWide };
  }

  private upsert(input: InputObject): { service?: string; endpoints?: string[]; meshWide: boolean } {
    const parsed = parseObject(input);
    if (!parsed.ok) {
      const s = parsed.errors[0]?.source ?? sourceRefOf(input.object, input.file);
      // The last good version (if any) stays; the error is reported against the object.
      this.objectErrors.set(objKey(s.kind, s.namespace, s.name), parsed.errors);
      return { meshWide: false };
    }
    const { object, source } = parsed;
    const ns = source.namespace ?? 'default';
    const key = `${ns}/${source.name}`;
    const ok = objKey(source.kind, ns, source.name);
    this.objectErrors.delete(ok);
    const note = (errors: ModelError[]): void => {
      if (errors.length > 0) this.objectErrors.set(ok, errors);
    };
    switch (object.kind) {
      case 'Service': {
        const r = buildService(object as Service, source, this.config.clusterDomain, this.config.mtls?.mode);
        note(r.errors);
        if (r.service) {
          this.baseServices.set(key, r.service);
          this.services[key] = this.withBackendPolicies(key, r.service);
          this.defaultRouteMap.set(key, defaultRoutes(r.service));
        } else {
          this.forgetService(key);
        }
        return { service: key, endpoints: this.touchServices(this.parentsRoutingTo(key)), meshWide: false };
      }
      case 'EndpointSlice': {
        const slice = object as EndpointSlice;
        const svcName = slice.metadata.labels?.[serviceNameLabel];
        const prev = this.slices.get(key);
        if (!svcName) {
          note([{ code: 'invalid-endpoint', source, path: `metadata.labels["${serviceNameLabel}"]`, message: 'EndpointSlice names no service; slice ignored' }]);
          if (prev) this.dropSlice(key, prev.svcKey);
          return prev ? { endpoints: [prev.svcKey], meshWide: false } : { meshWide: false };
        }
        const svcKey = `${ns}/${svcName}`;
        if (prev && prev.svcKey !== svcKey) this.dropSlice(key, prev.svcKey);
        this.slices.set(key, { slice, source, svcKey });
        let set = this.slicesByService.get(svcKey);
        if (!set) this.slicesByService.set(svcKey, (set = new Set()));
        set.add(key);
        // a slice that moved to another service changes both services' endpoints
        return { endpoints: prev && prev.svcKey !== svcKey ? [svcKey, prev.svcKey] : [svcKey], meshWide: false };
      }
      case 'Secret': {
        const secret = object as Secret;
        const had = key in this.secrets;
        const ca = buildCaBundle(secret, source);
        note(ca.errors);
        const caTouched = this.setCaBundle(key, ca.bundle);
        if (!isTlsSecret(secret)) {
          delete this.secrets[key];
          return { endpoints: caTouched, meshWide: had };
        }
        const r = buildTlsSecret(secret, source);
        note(r.errors);
        if (r.secret) this.secrets[key] = r.secret;
        else delete this.secrets[key];
        return { endpoints: caTouched, meshWide: true };
      }
      case 'Gateway': {
        const r = gatewayFromObject(object as Gateway, source);
        note(r.errors);
        if (r.gateway) this.gatewayMap.set(key, r.gateway);
        return { meshWide: true };
      }
      case 'HTTPRoute':
        this.httpRoutes.set(key, routeFromHttpRoute(object as HTTPRoute, source));
        return { meshWide: true };
      case 'BackendPolicy': {
        const entry = backendPolicyEntry(object as BackendPolicy, source);
        note([...entry.errors]);
        const touched = [...(this.backendPolicies.get(key)?.targets ?? []), ...entry.targets].map((t) => t.service);
        const hashChanged = JSON.stringify(this.backendPolicies.get(key)?.model.hash) !== JSON.stringify(entry.model.hash);
        this.backendPolicies.set(key, entry);
        // route hash policies (gateway, sidecar and proxyless routes to these Services) follow the policy
        const routing = hashChanged ? touched.flatMap((k) => this.parentsRoutingTo(k)) : [];
        return { endpoints: [...this.reattach(touched), ...this.touchServices(routing)], meshWide: hashChanged };
      }
      case 'RoutePolicy': {
        const route = routeFromRoutePolicy(object as RoutePolicy, source);
        const touched = [...this.serviceParentsOf(this.policyRoutes.get(key)), ...this.serviceParentsOf(route)];
        this.policyRoutes.set(key, route);
        return { endpoints: this.touchServices(touched), meshWide: true };
      }
      case 'SecurityPolicy': {
        const r = securityPolicyEntry(object as SecurityPolicy, source);
        note(r.errors);
        this.securityPolicyMap.set(key, r.model);
        return { meshWide: true };
      }
    }
  }

  /** Services a route attaches to as a Service parent (GAMMA). */
  private serviceParentsOf(route: RouteModel | undefined): string[] {
    return (route?.parents ?? []).flatMap((p) => (p.kind === 'service' ? [`${p.service.namespace}/${p.service.name}`] : []));
  }

  private withBackendPolicies(key: string, base: ServiceModel): ServiceModel {
    const r = attachBackendPolicies(base, key, this.backendPolicies.values(), (k) => this.caBundles.get(k));
    if (r.errors.length > 0) this.backendConflicts.set(key, r.errors);
    else this.backendConflicts.delete(key);
    return r.service;
  }

  /** A CA Secret changed: re-attach the Services whose BackendPolicies trust it. */
  private setCaBundle(key: string, bundle: CaBundleModel | undefined): string[] {
    const prev = this.caBundles.get(key);
    if (bundle) this.caBundles.set(key, bundle);
    else this.caBundles.delete(key);
    if (prev?.caCertificates === bundle?.caCertificates) return [];
    const services: string[] = [];
    for (const e of this.backendPolicies.values()) if (caSecretKeys(e.model).includes(key)) services.push(...e.targets.map((t) => t.service));
    return this.reattach(services);
  }

  /** BackendPolicies targeting these Services changed: re-attach them (a new ServiceModel object) and report them changed. */
  private reattach(keys: readonly string[]): string[] {
    const out: string[] = [];
    for (const k of new Set(keys)) {
      const base = this.baseServices.get(k);
      if (!base) continue;
      this.services[k] = { ...this.withBackendPolicies(k, base) };
      this.pendingServices.add(k);
      out.push(k);
    }
    return out;
  }

  /** Service parents of RoutePolicies that send or mirror traffic to the Service `key` (their routes change with it). */
  private parentsRoutingTo(key: string): string[] {
    const out: string[] = [];
    for (const r of this.policyRoutes.values()) {
      const uses = r.rules.some((rule) => rule.backends.some((b) => `${b.namespace}/${b.name}` === key) || (rule.filters?.mirrors ?? []).some((m) => `${m.backend.namespace}/${m.backend.name}` === key));
      if (uses) out.push(...this.serviceParentsOf(r).filter((k) => k !== key));
    }
    return out;
  }

  /**
   * A Service's routing changed: per-service translations (proxyless route
   * tables) must re-run, so the service gets a new model object (translations
   * are cached by object identity) and is reported in the delta.
   */
  private touchServices(keys: readonly string[]): string[] {
    const out: string[] = [];
    for (const k of new Set(keys)) {
      const svc = this.services[k];
      if (!svc) continue;
      this.services[k] = { ...svc };
      this.pendingServices.add(k);
      out.push(k);
    }
    return out;
  }

  private dropSlice(sliceKey: string, svcKey: string): void {
    this.slices.delete(sliceKey);
    this.slicesByService.get(svcKey)?.delete(sliceKey);
  }

  /** Drops a Service (deleted, or no longer valid) from every per-service map. */
  private forgetService(key: string): void {
    this.baseServices.delete(key);
    this.backendConflicts.delete(key);
    delete this.services[key];
    this.defaultRouteMap.delete(key);
  }

  private remove(kind: string, ns: string, name: string): { service?: string; endpoints?: string[]; meshWide: boolean } {
    const key = `${ns}/${name}`;
    this.objectErrors.delete(objKey(kind, ns, name));
    switch (kind) {
      case 'Service':
        this.forgetService(key);
        return { service: key, endpoints: this.touchServices(this.parentsRoutingTo(key)), meshWide: false };
      case 'EndpointSlice': {
        const prev = this.slices.get(key);
        if (!prev) return { meshWide: false };
        this.dropSlice(key, prev.svcKey);
        return { endpoints: [prev.svcKey], meshWide: false };
      }
      case 'Secret': {
        const had = key in this.secrets;
        delete this.secrets[key];
        return { endpoints: this.setCaBundle(key, undefined), meshWide: had };
      }
      case 'Gateway':
        return { meshWide: this.gatewayMap.delete(key) };
      case 'HTTPRoute':
        return { meshWide: this.httpRoutes.delete(key) };
      case 'BackendPolicy': {
        const prev = this.backendPolicies.get(key);
        if (!prev) return { meshWide: false };
        this.backendPolicies.delete(key);
        const targets = prev.targets.map((t) => t.service);
        const routing = prev.model.hash ? targets.flatMap((k) => this.parentsRoutingTo(k)) : [];
        return { endpoints: [...this.reattach(targets), ...this.touchServices(routing)], meshWide: prev.model.hash !== undefined };
      }
      case 'RoutePolicy': {
        const prev = this.policyRoutes.get(key);
        if (!prev) return { meshWide: false };
        this.policyRoutes.delete(key);
        return { endpoints: this.touchServices(this.serviceParentsOf(prev)), meshWide: true };
      }
      case 'SecurityPolicy':
        return { meshWide: this.securityPolicyMap.delete(key) };
      default:
        return { meshWide: false };
    }
  }

  private rebuildEndpoints(svcKey: string): void {
    const svc = this.services[svcKey];
    const sliceKeys = this.slicesByService.get(svcKey);
    this.endpointErrors.delete(svcKey);
    if (!svc) {
      delete this.endpoints[svcKey];
      return;
    }
    const inputs = [...(sliceKeys ?? [])].sort().map((k) => this.slices.get(k)).filter((s): s is SliceInput & { svcKey: string } => s !== undefined);
    const { endpoints, errors } = buildEndpoints(svc, inputs);
    this.endpoints[svcKey] = endpoints;
    if (errors.length > 0) this.endpointErrors.set(svcKey, errors);
  }

  model(): MeshModel {
    if (!this.routesCache) {
      const routes: RouteModel[] = [];
      for (const key of Object.keys(this.services).sort()) routes.push(...(this.defaultRouteMap.get(key) ?? []));
      for (const key of [...this.httpRoutes.keys()].sort()) routes.push(this.httpRoutes.get(key) as RouteModel);
      const resolved = resolveConflicts([...this.policyRoutes.values()]);
      this.conflictErrors = resolved.errors;
      routes.push(...resolved.routes);
      this.routesCache = routes;
    }
    if (!this.gatewaysCache) this.gatewaysCache = [...this.gatewayMap.keys()].sort().map((k) => this.gatewayMap.get(k) as GatewayModel);
    if (!this.securityCache) this.securityCache = resolveSecurityConflicts(this.securityPolicyMap.values());
    const security = this.securityCache.policies;
    return { config: this.config, services: this.services, endpoints: this.endpoints, secrets: this.secrets, gateways: this.gatewaysCache, routes: this.routesCache, ...(security.length > 0 ? { securityPolicies: security } : {}) };
  }

  /** Every error: per-object problems (parse, build, endpoint merge), then references between objects. */
  errors(): ModelError[] {
    const model = this.model();
    if (!this.validationCache) this.validationCache = validateReferences(model);
    return [
      ...[...this.objectErrors.keys()].sort().flatMap((k) => this.objectErrors.get(k) ?? []),
      ...[...this.endpointErrors.keys()].sort().flatMap((k) => this.endpointErrors.get(k) ?? []),
      ...[...this.backendConflicts.keys()].sort().flatMap((k) => this.backendConflicts.get(k) ?? []),
      ...this.conflictErrors,
      ...(this.securityCache?.errors ?? []),
      ...this.validationCache,
    ];
  }
}

/** One-shot build: objects → model and every error. */
export function buildModel(objects: readonly InputObject[], config: MeshConfig = defaultMeshConfig): { model: MeshModel; errors: ModelError[] } {
  const b = new ModelBuilder(config);
  b.apply(objects.map((o) => ({ type: 'upsert' as const, object: o.object, ...(o.file !== undefined ? { file: o.file } : {}) })));
  return { model: b.model(), errors: b.errors() };
}

export type { SourceRef };
