/**
 * The ClusterLoadAssignment name a Cluster resource asks for:
 * eds_cluster_config.service_name, or the cluster's own name. Decoded once per
 * Resource (cached), so warming EDS after CDS costs nothing per client.
 */
import { messageType } from '../envoy/proto-root';
import type { Resource } from './resource';

const names = new WeakMap<Resource, string>();

export function edsNameOf(cluster: Resource): string {
  let n = names.get(cluster);
  if (n === undefined) {
    n = cluster.name;
    try {
      // protobufjs decode output, typed at this boundary (snake_case, keepCase).
      const m = messageType('envoy.config.cluster.v3.Cluster').decode(cluster.body) as unknown as { eds_cluster_config?: { service_name?: string } | null };
      const svc = m.eds_cluster_config?.service_name;
      if (svc) n = svc;
    } catch { /* undecodable body: fall back to the cluster name */ }
    names.set(cluster, n);
  }
  return n;
}
