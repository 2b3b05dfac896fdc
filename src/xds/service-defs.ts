/**
 * gRPC service definitions for the discovery services, built from the
 * protobufjs root (so method names and paths are Envoy's own) with identity
 * (de)serializers: requests are decoded by the stream handlers, responses are
 * frames assembled from cached bytes.
 */
import type * as grpc from '@grpc/grpc-js';
import { envoyRoot } from '../envoy/proto-root';
import { TypeUrl } from '../envoy/type-urls';

const identity = (b: Buffer): Buffer => b;

export interface ServiceSpec {
  /** Fully-qualified service name. */
  name: string;
  /** Short name used in ClientStatus.service. */
  short: string;
  /** The one type a per-type service carries; undefined for ADS. */
  typeUrl?: string;
  stream: string;
  delta: string;
  fetch?: string;
}

export const discoveryServices: readonly ServiceSpec[] = [
  { name: 'envoy.service.discovery.v3.AggregatedDiscoveryService', short: 'ADS', stream: 'StreamAggregatedResources', delta: 'DeltaAggregatedResources' },
  { name: 'envoy.service.cluster.v3.ClusterDiscoveryService', short: 'CDS', typeUrl: TypeUrl.Cluster, stream: 'StreamClusters', delta: 'DeltaClusters', fetch: 'FetchClusters' },
  { name: 'envoy.service.endpoint.v3.EndpointDiscoveryService', short: 'EDS', typeUrl: TypeUrl.ClusterLoadAssignment, stream: 'StreamEndpoints', delta: 'DeltaEndpoints', fetch: 'FetchEndpoints' },
  { name: 'envoy.service.listener.v3.ListenerDiscoveryService', short: 'LDS', typeUrl: TypeUrl.Listener, stream: 'StreamListeners', delta: 'DeltaListeners', fetch: 'FetchListeners' },
  { name: 'envoy.service.route.v3.RouteDiscoveryService', short: 'RDS', typeUrl: TypeUrl.RouteConfiguration, stream: 'StreamRoutes', delta: 'DeltaRoutes', fetch: 'FetchRoutes' },
  { name: 'envoy.service.secret.v3.SecretDiscoveryService', short: 'SDS', typeUrl: TypeUrl.Secret, stream: 'StreamSecrets', delta: 'DeltaSecrets', fetch: 'FetchSecrets' },
];

export const csdsService = 'envoy.service.status.v3.ClientStatusDiscoveryService';

/** A raw-bytes service definition for the named protobufjs service; throws if a method is missing. */
export function rawServiceDefinition(serviceName: string): grpc.ServiceDefinition {
  const svc = envoyRoot().lookupService(serviceName);
  const def: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  for (const m of Object.values(svc.methods)) {
    def[m.name] = {
      path: `/${serviceName}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: m.name,
    };
  }
  return def as grpc.ServiceDefinition;
}
