/**
 * /debug/status: the conditions Tower computed for every Tower object
 * (Accepted, ResolvedRefs, Programmed, Conflicted), in every mode, with the
 * status body the leader writes to the object in Kubernetes mode. Filters:
 * ?kind= (case-insensitive), ?namespace=, ?name=.
 */
import type { ObjectStatus } from '../app/status-reporter';
import { towerKinds } from '../api/kinds';

export interface StatusFilter {
  kind?: string;
  namespace?: string;
  name?: string;
}

/** Tower's kinds, from the one registry (src/api/kinds.ts). */
const statusKinds: readonly string[] = towerKinds.map((k) => k.kind);

/** The filter of a query string; throws an Error naming a bad parameter. */
export function statusFilter(q: URLSearchParams): StatusFilter {
  const f: StatusFilter = {};
  for (const p of q.keys()) {
    if (p !== 'kind' && p !== 'namespace' && p !== 'name') throw new Error(`unknown parameter ${JSON.stringify(p)}; /debug/status takes kind, namespace and name`);
  }
  const kind = q.get('kind');
  if (kind !== null) {
    const k = statusKinds.find((x) => x.toLowerCase() === kind.toLowerCase());
    if (!k) throw new Error(`unknown kind ${JSON.stringify(kind)} in ?kind=; expected one of ${statusKinds.join(', ')}`);
    f.kind = k;
  }
  const namespace = q.get('namespace');
  if (namespace !== null) f.namespace = namespace;
  const name = q.get('name');
  if (name !== null) f.name = name;
  return f;
}

export function statusPage(objects: readonly ObjectStatus[]): Record<string, unknown> {
  return {
    objects: objects.map((o) => ({
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      generation: o.generation ?? null,
      conditions: o.conditions,
      ...(o.status.parents ? { parents: o.status.parents } : {}),
      ...(o.status.ancestors ? { ancestors: o.status.ancestors } : {}),
    })),
  };
}
