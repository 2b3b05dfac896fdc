/**
 * A stand-in translator used only when Tower's real pipeline (src/pipeline)
 * is not available in the build: it turns the synthetic mesh into the
 * sidecar resources a real translator would emit (EDS Clusters on ADS,
 * ClusterLoadAssignments with zone localities, one outbound Listener with an
 * HttpConnectionManager using RDS, one RouteConfiguration with a virtual host
 * per service), encoded with Envoy's protos. Reports always say which
 * translator produced the figures.
 */
import { messageType } from '../src/envoy/proto-root';
import { TypeUrl } from '../src/envoy/type-urls';
import { Resource, ResourceTable, makeResource } from '../src/xds/resource';
import type { EndpointSlice, Service } from '../src/k8s/types';
import { serviceNameLabel } from '../src/k8s/types';

const routeName = 'outbound-8080';
const listenerName = 'outbound-0.0.0.0-15001';
const hcmType = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const routerType = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

function encode(fullName: string, obj: Record<string, unknown>): Uint8Array {
  const t = messageType(fullName);
  return t.encode(t.fromObject(obj)).finish();
}

export function clusterName(svc: Service): string {
  const port = svc.spec.ports[0]?.port ?? 80;
  return `outbound|${port}||${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.cluster.local`;
}

function cluster(svc: Service): Resource {
  const name = clusterName(svc);
  const h2 = svc.spec.ports[0]?.appProtocol === 'grpc';
  const body: Record<string, unknown> = {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: { seconds: 10 },
    lb_policy: 'ROUND_ROBIN',
  };
  if (h2) {
    const opts = messageType('envoy.extensions.upstreams.http.v3.HttpProtocolOptions');
    const value = opts.encode(opts.fromObject({ explicit_http_config: { http2_protocol_options: {} } })).finish();
    body.typed_extension_protocol_options = {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { type_url: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions', value },
    };
  }
  return makeResource(TypeUrl.Cluster, name, encode('envoy.config.cluster.v3.Cluster', body), [{ kind: 'Service', namespace: svc.metadata.namespace, name: svc.metadata.name }]);
}

export function loadAssignment(name: string, slice: EndpointSlice): Resource {
  const byZone = new Map<string, unknown[]>();
  const port = slice.ports?.[0]?.port ?? 80;
  for (const ep of slice.endpoints) {
    if (ep.conditions?.ready === false) continue;
    const zone = ep.zone ?? '';
    let list = byZone.get(zone);
    if (!list) byZone.set(zone, (list = []));
    list.push({ endpoint: { address: { socket_address: { address: ep.addresses[0], port_value: port } } }, health_status: 'HEALTHY' });
  }
  const endpoints = [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([zone, lb_endpoints]) => ({
    locality: { region: 'bench', zone }, lb_endpoints, load_balancing_weight: { value: lb_endpoints.length },
  }));
  const body = encode('envoy.config.endpoint.v3.ClusterLoadAssignment', { cluster_name: name, endpoints });
  return makeResource(TypeUrl.ClusterLoadAssignment, name, body, [{ kind: 'EndpointSlice', namespace: slice.metadata.namespace, name: slice.metadata.name }]);
}

function listener(): Resource {
  const hcm = messageType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
  const router = messageType('envoy.extensions.filters.http.router.v3.Router');
  const hcmBytes = hcm.encode(hcm.fromObject({
    stat_prefix: 'outbound',
    rds: { route_config_name: routeName, config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { type_url: routerType, value: router.encode(router.create({})).finish() } }],
  })).finish();
  const body = encode('envoy.config.listener.v3.Listener', {
    name: listenerName,
    address: { socket_address: { address: '127.0.0.1', port_value: 15001 } },
    filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { type_url: hcmType, value: hcmBytes } }] }],
  });
  return makeResource(TypeUrl.Listener, listenerName, body);
}

function routes(services: readonly Service[]): Resource {
  const virtual_hosts = services.map((svc) => {
    const n = svc.metadata.name;
    const ns = svc.metadata.namespace ?? 'default';
    const port = svc.spec.ports[0]?.port ?? 80;
    const domains = [n, `${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`].flatMap((d) => [d, `${d}:${port}`]);
    return { name: `${n}.${ns}`, domains, routes: [{ match: { prefix: '/' }, route: { cluster: clusterName(svc), timeout: { seconds: 15 } } }] };
  });
  return makeResource(TypeUrl.RouteConfiguration, routeName, encode('envoy.config.route.v3.RouteConfiguration', { name: routeName, virtual_hosts }));
}

function freeze(maps: Record<string, Map<string, Resource>>): ResourceTable {
  return new Map(Object.entries(maps));
}

/** One sidecar view for the whole mesh; an EndpointSlice change re-encodes one ClusterLoadAssignment. */
export class FallbackTranslator {
  readonly kind = 'bench-fallback';
  private clusters = new Map<string, Resource>();
  private clas = new Map<string, Resource>();
  private listeners = new Map<string, Resource>();
  private routes = new Map<string, Resource>();
  private clusterOfService = new Map<string, string>();

  build(services: readonly Service[], slices: readonly EndpointSlice[]): Map<string, ResourceTable> {
    for (const svc of services) {
      const c = cluster(svc);
      this.clusters.set(c.name, c);
      this.clusterOfService.set(`${svc.metadata.namespace}/${svc.metadata.name}`, c.name);
    }
    for (const slice of slices) this.applySlice(slice);
    const l = listener();
    this.listeners.set(l.name, l);
    const r = routes(services);
    this.routes.set(r.name, r);
    return new Map([['sidecar', this.table()]]);
  }

  private applySlice(slice: EndpointSlice): boolean {
    const svc = slice.metadata.labels?.[serviceNameLabel];
    const name = svc ? this.clusterOfService.get(`${slice.metadata.namespace}/${svc}`) : undefined;
    if (!name) return false;
    this.clas.set(name, loadAssignment(name, slice));
    return true;
  }

  /** Applies one EndpointSlice; returns the views whose tables changed. */
  updateSlice(slice: EndpointSlice): Map<string, ResourceTable> {
    if (!this.applySlice(slice)) return new Map();
    return new Map([['sidecar', this.table()]]);
  }

  private table(): ResourceTable {
    return freeze({
      [TypeUrl.Cluster]: this.clusters,
      [TypeUrl.ClusterLoadAssignment]: new Map(this.clas),
      [TypeUrl.Listener]: this.listeners,
      [TypeUrl.RouteConfiguration]: this.routes,
    });
  }
}
