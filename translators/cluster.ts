/** envoy.config.cluster.v3.Cluster builders. */
import { TypeUrl } from '../src/envoy/type-urls';
import { usesHttp2 } from '../src/model/protocol';
import type { PortProtocol, ServiceModel, ServicePortModel } from '../src/model/types';
import { clusterPolicyFields } from './cluster-policy';
import { adsConfigSource, any, socketAddress } from './config-source';
import { meshUpstreamTlsSocket } from './mesh-mtls';
import { outboundClusterName } from './names';
import type { Json, ResourceSpec } from './types';
import { caSecretName, caValidationSecret, upstreamTlsTransportSocket } from './upstream-tls-context';

export const connectTimeout = '10s';

/** HttpProtocolOptions forcing HTTP/2 upstream (gRPC, h2c). */
export function http2ProtocolOptions(): Json {
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': any('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
      explicit_http_config: { http2_protocol_options: {} },
    }),
  };
}

/** An EDS cluster whose endpoints come over ADS; HTTP/2 upstream for grpc/http2 ports. */
export function edsCluster(name: string, protocol: PortProtocol): Json {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: adsConfigSource() },
    connect_timeout: connectTimeout,
    lb_policy: 'ROUND_ROBIN',
    ...(usesHttp2(protocol) ? { typed_extension_protocol_options: http2ProtocolOptions() } : {}),
  };
}

/** A STATIC cluster to one local address (the sidecar's inbound cluster: 127.0.0.1:targetPort). */
export function staticCluster(name: string, address: string, port: number, protocol: PortProtocol): Json {
  return {
    name,
    type: 'STATIC',
    connect_timeout: connectTimeout,
    lb_policy: 'ROUND_ROBIN',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }] },
    ...(usesHttp2(protocol) ? { typed_extension_protocol_options: http2ProtocolOptions() } : {}),
  };
}

/** ORIGINAL_DST cluster forwarding to the connection's original destination, optionally binding a source address. */
export function originalDstCluster(name: string, bindAddress?: string): Json {
  return {
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: connectTimeout,
    lb_policy: 'CLUSTER_PROVIDED',
    ...(bindAddress ? { upstream_bind_config: { source_address: { address: bindAddress, port_value: 0 } } } : {}),
  };
}

export type ClusterFlavor = 'envoy' | 'proxyless';

/**
 * The outbound EDS cluster of one Service port with its BackendPolicy applied
 * (the port's own, else the all-ports one), and the SDS Secret holding the CA
 * bundle its upstream TLS trusts when it has CA refs. Transport socket:
 * BackendPolicy TLS, else mesh mTLS (meshUpstreamTlsSocket, mesh-mtls.ts).
 * Proxyless clusters get no transport socket (see upstream-tls-context.ts).
 */
export function outboundClusterSpecs(svc: ServiceModel, port: ServicePortModel, flavor: ClusterFlavor = 'envoy'): ResourceSpec[] {
  const name = outboundClusterName(svc, port.port);
  const policy = svc.backendPolicies?.[port.name] ?? svc.backendPolicies?.['*'];
  // HTTP/2 is never turned off for grpc/http2 ports (http2: false only keeps HTTP/1.1 ports as they are)
  const http2 = usesHttp2(port.protocol) || policy?.http2 === true;
  const tls = flavor === 'envoy' ? policy?.tls : undefined;
  const socket = tls ? upstreamTlsTransportSocket(tls, svc.hostname, name, http2) : meshUpstreamTlsSocket(svc, port, flavor);
  const json = { ...edsCluster(name, port.protocol), ...clusterPolicyFields(policy, flavor, http2, svc.hostname), ...(socket ? { transport_socket: socket } : {}) };
  const out: ResourceSpec[] = [{ typeUrl: TypeUrl.Cluster, name, json, sources: policy ? [svc.source, policy.source] : [svc.source] }];
  if (tls?.trust.kind === 'refs' && tls.caBundle !== undefined) {
    const sname = caSecretName(name);
    out.push({ typeUrl: TypeUrl.Secret, name: sname, json: caValidationSecret(sname, tls.caBundle), sources: policy ? [policy.source] : [] });
  }
  return out;
}
