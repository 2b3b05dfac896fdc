/**
 * envoy.config.endpoint.v3.ClusterLoadAssignment. Endpoints are grouped into
 * localities by zone and by priority: ready endpoints at priority 0,
 * terminating-but-serving ones at priority 1, used by Envoy only when
 * priority 0 has no healthy host. When no ready endpoint exists the serving
 * ones move to priority 0 so priorities never have gaps (gRFC A27).
 * Locality weight = endpoint count (gRPC ignores localities without weight).
 */
import type { EndpointModel } from '../src/model/types';
import { socketAddress } from './config-source';
import type { Json } from './types';

export function clusterLoadAssignment(clusterName: string, endpoints: readonly EndpointModel[]): Json {
  const hasReady = endpoints.some((e) => e.priority === 0);
  const groups = new Map<string, { priority: number; zone: string | undefined; eps: EndpointModel[] }>();
  for (const e of endpoints) {
    const priority = hasReady ? e.priority : 0;
    const id = `${priority}\u0000${e.zone ?? ''}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { priority, zone: e.zone, eps: [] }));
    g.eps.push(e);
  }
  const sorted = [...groups.values()].sort((a, b) => a.priority - b.priority || ((a.zone ?? '') < (b.zone ?? '') ? -1 : (a.zone ?? '') > (b.zone ?? '') ? 1 : 0));
  return {
    cluster_name: clusterName,
    endpoints: sorted.map((g) => ({
      locality: g.zone ? { zone: g.zone } : {},
      lb_endpoints: g.eps.map((e) => ({ endpoint: { address: socketAddress(e.address, e.port) } })),
      load_balancing_weight: g.eps.length,
      ...(g.priority > 0 ? { priority: g.priority } : {}),
    })),
  };
}
