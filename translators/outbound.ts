/** Per-service resources every role receives: one EDS cluster and one ClusterLoadAssignment per service port. */
import { TypeUrl } from '../src/envoy/type-urls';
import type { ServiceEndpointsModel, ServiceModel } from '../src/model/types';
import { edsCluster } from './cluster';
import { clusterLoadAssignment } from './cluster-load-assignment';
import { clusterPolicyFields } from './cluster-policy';
import { outboundClusterName } from './names';
import type { ResourceSpec } from './types';

/** One EDS cluster per service port, with the BackendPolicy for that port (or for all ports) applied. */
export function outboundClusters(svc: ServiceModel, flavor: 'envoy' | 'proxyless' = 'envoy'): ResourceSpec[] {
  return svc.ports.map((p) => {
    const name = outboundClusterName(svc, p.port);
    const policy = svc.backendPolicies?.[p.name] ?? svc.backendPolicies?.['*'];
    if (!policy) return { typeUrl: TypeUrl.Cluster, name, json: edsCluster(name, p.protocol), sources: [svc.source] };
    const json = { ...edsCluster(name, p.protocol), ...clusterPolicyFields(policy, flavor) };
    // HTTP/2 is never turned off for grpc/http2 ports (http2: false only keeps HTTP/1.1 ports as they are)
    return { typeUrl: TypeUrl.Cluster, name, json, sources: [svc.source, policy.source] };
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
