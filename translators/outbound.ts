/** Per-service resources every role receives: one EDS cluster and one ClusterLoadAssignment per service port. */
import { TypeUrl } from '../src/envoy/type-urls';
import type { ServiceEndpointsModel, ServiceModel } from '../src/model/types';
import { outboundClusterSpecs } from './cluster';
import { clusterLoadAssignment } from './cluster-load-assignment';
import { outboundClusterName } from './names';
import type { ResourceSpec } from './types';

/** One EDS cluster per service port, with the BackendPolicy for that port (or for all ports) applied (cluster.ts). */
export function outboundClusters(svc: ServiceModel, flavor: 'envoy' | 'proxyless' = 'envoy'): ResourceSpec[] {
  return svc.ports.flatMap((p) => outboundClusterSpecs(svc, p, flavor));
}

export function outboundLoadAssignments(svc: ServiceModel, eps: ServiceEndpointsModel | undefined): ResourceSpec[] {
  return svc.ports.map((p) => {
    const name = outboundClusterName(svc, p.port);
    return {
      typeUrl: TypeUrl.ClusterLoadAssignment,
      name,
      json: clusterLoadAssignment(name, eps?.byPort[p.name] ?? []),
      sources: eps && eps.sources.length > 0 ? [svc.source, ...eps.sources] : [svc.source],
    };
  });
}
