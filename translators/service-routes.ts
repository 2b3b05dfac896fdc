/**
 * East-west routing per Service port: the rules of RoutePolicies whose
 * parentRefs name the Service (GAMMA), in precedence order (the model lists
 * policy routes oldest first and has already removed conflicting matches).
 * When any apply they replace the port's default catch-all route; a policy
 * whose parentRef has no port applies to every HTTP port of the Service.
 */
import type { MeshModel, RouteModel, RouteRuleModel, ServiceModel, SourceRef } from '../src/model/types';

export interface ServicePortRoutes {
  readonly rules: readonly RouteRuleModel[];
  readonly sources: readonly SourceRef[];
}

type Index = Map<string, RouteModel[]>;
const indexCache = new WeakMap<readonly RouteModel[], { index: Index; merged: Map<string, ServicePortRoutes> }>();

function indexOf(model: MeshModel): { index: Index; merged: Map<string, ServicePortRoutes> } {
  let c = indexCache.get(model.routes);
  if (c) return c;
  const index: Index = new Map();
  for (const r of model.routes) {
    for (const p of r.parents) {
      if (p.kind !== 'service') continue;
      const k = `${p.service.namespace}/${p.service.name}`;
      let list = index.get(k);
      if (!list) index.set(k, (list = []));
      if (!list.includes(r)) list.push(r);
    }
  }
  c = { index, merged: new Map() };
  indexCache.set(model.routes, c);
  return c;
}

/** The policy rules for one service port, or undefined when no RoutePolicy attaches to it. The result is cached per model.routes. */
export function servicePortRoutes(model: MeshModel, svc: ServiceModel, port: number): ServicePortRoutes | undefined {
  const { index, merged } = indexOf(model);
  const routes = index.get(`${svc.namespace}/${svc.name}`);
  if (!routes) return undefined;
  const key = `${svc.namespace}/${svc.name}:${port}`;
  const hit = merged.get(key);
  if (hit) return hit;
  const attached = routes.filter((r) => r.parents.some((p) => p.kind === 'service' && p.service.namespace === svc.namespace && p.service.name === svc.name && (p.port === undefined || p.port === port)));
  if (attached.length === 0) return undefined;
  const out = { rules: attached.flatMap((r) => r.rules), sources: attached.map((r) => r.source) };
  merged.set(key, out);
  return out;
}
