/** Per-service resources every role receives: one EDS cluster and one ClusterLoadAssignment per service port. */
import { TypeUrl } from '../src/envoy/type-urls';
import type { ServiceEndpointsModel, ServiceModel } from '../src/model/types';
import { edsCluster } from './cluster';
import { clusterLoadAssignment } from './cluster-load-assignment';
import { outboundClusterName } from './names';
import type { ResourceSpec } from './types';

export function outboundClusters(svc: ServiceModel): ResourceSpec[] {
  return svc.ports.map((p) => {
    const name = outboundClusterName(svc, p.port);
    return { typeUrl: TypeUrl.Cluster, name, json: edsCluster(name, p.protocol), sources: [svc.source] };
  });
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
