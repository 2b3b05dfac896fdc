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

interface Group {
  readonly priority: number;
  readonly zone: string | undefined;
  readonly eps: EndpointModel[];
}

function byPriorityThenZone(a: Group, b: Group): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const za = a.zone ?? '';
  const zb = b.zone ?? '';
  return za < zb ? -1 : za > zb ? 1 : 0;
}

export function clusterLoadAssignment(clusterName: string, endpoints: readonly EndpointModel[]): Json {
  let hasReady = false;
  for (const e of endpoints) {
    if (e.priority === 0) {
      hasReady = true;
      break;
    }
  }
  // Grouped by priority, then by zone ('' = no zone), in first-seen order (the sort below is stable).
  const byPriority: Map<string, Group>[] = [];
  const groups: Group[] = [];
  for (const e of endpoints) {
    const priority = hasReady ? e.priority : 0;
    const zones = byPriority[priority] ?? (byPriority[priority] = new Map());
    const zoneKey = e.zone ?? '';
    let g = zones.get(zoneKey);
    if (!g) {
      g = { priority, zone: e.zone, eps: [] };
      zones.set(zoneKey, g);
      groups.push(g);
    }
    g.eps.push(e);
  }
  groups.sort(byPriorityThenZone);
  const out: Json[] = [];
  for (const g of groups) {
    const lbEndpoints: Json[] = [];
    for (const e of g.eps) lbEndpoints.push({ endpoint: { address: socketAddress(e.address, e.port) } });
    const locality: Json = { locality: g.zone ? { zone: g.zone } : {}, lb_endpoints: lbEndpoints, load_balancing_weight: g.eps.length };
    if (g.priority > 0) locality.priority = g.priority;
    out.push(locality);
  }
  return { cluster_name: clusterName, endpoints: out };
}
