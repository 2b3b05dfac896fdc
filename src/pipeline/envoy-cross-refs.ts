/** Adapts checkCrossReferences (src/envoy/cross-refs.ts) to the pipeline's CrossRefFn. */
import { checkCrossReferences } from '../envoy/cross-refs';
import { TypeUrl } from '../envoy/type-urls';
import type { CrossRefFn } from './compiler';

const empty: ReadonlyMap<string, unknown> = new Map();

export const envoyCrossRefs: CrossRefFn = (resources) =>
  checkCrossReferences({
    clusters: resources.get(TypeUrl.Cluster) ?? empty,
    assignments: resources.get(TypeUrl.ClusterLoadAssignment) ?? empty,
    listeners: resources.get(TypeUrl.Listener) ?? empty,
    routes: resources.get(TypeUrl.RouteConfiguration) ?? empty,
    secrets: resources.get(TypeUrl.Secret) ?? empty,
  });
