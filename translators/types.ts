/**
 * What translators produce and the interface every role builder implements.
 * Output is proto3 JSON (snake_case field names, "@type" on Any) ready for
 * compileResource.
 */
import type { SourceRef } from '../src/xds/resource';
import type { ClientRole } from '../src/model/roles';
import type { MeshModel, ServiceEndpointsModel, ServiceModel } from '../src/model/types';

/** Proto3 JSON object. */
export type Json = { [field: string]: unknown };

/** One Envoy resource before compilation. */
export interface ResourceSpec {
  readonly typeUrl: string;
  readonly name: string;
  readonly json: Json;
  /** Model objects the resource was built from. */
  readonly sources: readonly SourceRef[];
}

/**
 * A role builder. Output is split by what it depends on, so a change to one
 * service's endpoints re-runs only endpoints() for that service.
 */
export interface RoleTranslator<R extends ClientRole = ClientRole> {
  readonly kind: R['kind'];
  /** Resources that depend only on one service's spec (clusters; proxyless listeners and routes). */
  service(svc: ServiceModel, role: R, model: MeshModel): ResourceSpec[];
  /** Resources that depend on one service's endpoints (ClusterLoadAssignments). */
  endpoints(svc: ServiceModel, eps: ServiceEndpointsModel | undefined, role: R, model: MeshModel): ResourceSpec[];
  /** Resources that depend on the whole model (listeners, route tables, secrets, inbound clusters). */
  mesh(model: MeshModel, role: R): ResourceSpec[];
  /**
   * Roles with the same share key get identical service() (or endpoints())
   * output, so the pipeline computes it once for all of their views.
   */
  shareKey(role: R, part: 'service' | 'endpoints'): string;
  /** Services whose endpoints mesh() reads (their endpoint changes re-run mesh()). */
  meshReadsEndpointsOf?(model: MeshModel, role: R): ReadonlySet<string>;
}
