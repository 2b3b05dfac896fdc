/** Type URLs of the resources Tower serves, and their push order on ADS. */
const prefix = 'type.googleapis.com/';

export const TypeUrl = {
  Cluster: `${prefix}envoy.config.cluster.v3.Cluster`,
  ClusterLoadAssignment: `${prefix}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  Listener: `${prefix}envoy.config.listener.v3.Listener`,
  RouteConfiguration: `${prefix}envoy.config.route.v3.RouteConfiguration`,
  Secret: `${prefix}envoy.extensions.transport_sockets.tls.v3.Secret`,
} as const;

export type ResourceTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/**
 * Make-before-break order on ADS: clusters, then endpoints, then listeners,
 * then routes; secrets go before the listeners and clusters that use them
 * (SDS first, as Envoy warms them in that order).
 */
export const pushOrder: readonly ResourceTypeUrl[] = [
  TypeUrl.Secret,
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
];

/** LDS and CDS are wildcard by default; the others are subscribed by name. */
export function isWildcardType(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Cluster || typeUrl === TypeUrl.Listener;
}

const known: ReadonlySet<string> = new Set(pushOrder);

export function isKnownType(typeUrl: string): typeUrl is ResourceTypeUrl {
  return known.has(typeUrl);
}

/** Short names used in logs, metrics labels and debug pages. */
export function shortTypeName(typeUrl: string): string {
  switch (typeUrl) {
    case TypeUrl.Cluster: return 'CDS';
    case TypeUrl.ClusterLoadAssignment: return 'EDS';
    case TypeUrl.Listener: return 'LDS';
    case TypeUrl.RouteConfiguration: return 'RDS';
    case TypeUrl.Secret: return 'SDS';
    default: return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  }
}
