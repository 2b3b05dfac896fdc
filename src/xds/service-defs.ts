/**
 * gRPC service definitions for the discovery services, with identity
 * (de)serializers: requests are decoded by the stream handlers, responses are
 * frames assembled from cached bytes. The method names are listed here, not
 * read from the loaded protos, so the xDS port opens before Envoy's protos
 * are parsed (clients that connect meanwhile hold their streams instead of
 * backing off); test/xds/service-defs.test.ts checks every service and method
 * against Envoy's own protos.
 */
import type * as grpc from '@grpc/grpc-js';
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
  /** Delta method ('' for a service without one). */
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

export const csdsService: ServiceSpec = { name: 'envoy.service.status.v3.ClientStatusDiscoveryService', short: 'CSDS', stream: 'StreamClientStatus', delta: '', fetch: 'FetchClientStatus' };

function method(serviceName: string, name: string, streaming: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: `/${serviceName}/${name}`,
    requestStream: streaming,
    responseStream: streaming,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: name,
  };
}

/** A raw-bytes service definition: the spec's bidirectional stream (and delta) methods and its unary fetch. */
export function rawServiceDefinition(spec: ServiceSpec): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  for (const m of [spec.stream, spec.delta]) if (m) def[m] = method(spec.name, m, true);
  if (spec.fetch) def[spec.fetch] = method(spec.name, spec.fetch, false);
  return def as grpc.ServiceDefinition;
}
