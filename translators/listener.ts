/** envoy.config.listener.v3.Listener builders and listener filters. */
import { any, socketAddress } from './config-source';
import type { Json } from './types';

export interface ListenerOptions {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly filterChains: readonly Json[];
  readonly direction?: 'INBOUND' | 'OUTBOUND';
  /** Hand connections to the listener matching their original destination (sidecar virtual listener). */
  readonly useOriginalDst?: boolean;
  /** false: the listener only receives connections handed over by a virtual listener. */
  readonly bindToPort?: boolean;
  readonly listenerFilters?: readonly Json[];
  readonly defaultFilterChain?: Json;
}

export function listener(o: ListenerOptions): Json {
  return {
    name: o.name,
    address: socketAddress(o.address, o.port),
    ...(o.listenerFilters && o.listenerFilters.length > 0 ? { listener_filters: o.listenerFilters } : {}),
    filter_chains: o.filterChains,
    ...(o.defaultFilterChain ? { default_filter_chain: o.defaultFilterChain } : {}),
    ...(o.useOriginalDst ? { use_original_dst: true } : {}),
    ...(o.bindToPort === false ? { bind_to_port: false } : {}),
    ...(o.direction ? { traffic_direction: o.direction } : {}),
  };
}

/** A Listener for proxyless gRPC: only a name and an api_listener holding the HCM (gRFC A27). */
export function apiListener(name: string, hcm: Json): Json {
  return { name, api_listener: { api_listener: hcm } };
}

export function tlsInspector(): Json {
  return { name: 'envoy.filters.listener.tls_inspector', typed_config: any('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector') };
}

export function originalDstFilter(): Json {
  return { name: 'envoy.filters.listener.original_dst', typed_config: any('envoy.extensions.filters.listener.original_dst.v3.OriginalDst') };
}
