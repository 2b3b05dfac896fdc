/** envoy.config.cluster.v3.Cluster builders. */
import { usesHttp2 } from '../src/model/protocol';
import type { PortProtocol } from '../src/model/types';
import { adsConfigSource, any, socketAddress } from './config-source';
import type { Json } from './types';

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
