/**
 * RouteAction cluster specifier: one cluster, or weighted_clusters (canary
 * splits). Backends with weight 0 are left out by the caller; an empty list
 * has no specifier (the caller answers 500 instead).
 */
import type { Json } from './types';

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
}

export function clusterSpecifier(clusters: readonly WeightedCluster[]): Json {
  if (clusters.length === 1) return { cluster: (clusters[0] as WeightedCluster).name };
  return { weighted_clusters: { clusters: clusters.map((c) => ({ name: c.name, weight: c.weight })) } };
}
