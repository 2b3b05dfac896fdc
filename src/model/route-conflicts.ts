/**
 * Conflicts between RoutePolicies: two policies claiming the same
 * parent + host + match. The winner is the oldest (metadata.creationTimestamp,
 * absent = newest), then the lower "namespace/name". The loser keeps its
 * other matches; the conflicting match is removed from its rule and a
 * 'route-conflict' error names the winner.
 */
import { oldestFirst } from './creation-order';
import type { ModelError, RouteMatchModel, RouteModel, RouteParent } from './types';

function parentKey(p: RouteParent): string {
  switch (p.kind) {
    case 'gateway':
      return `gateway/${p.gateway.namespace}/${p.gateway.name}/${p.sectionName ?? '*'}`;
    case 'service':
      return `service/${p.service.namespace}/${p.service.name}/${p.port ?? '*'}`;
    case 'service-default':
      return `default/${p.service.namespace}/${p.service.name}/${p.port}`;
  }
}

/** Canonical identity of a match (header/query order does not matter, header names are case-insensitive). */
export function matchKey(m: RouteMatchModel): string {
  const vals = (l: RouteMatchModel['headers'], lower: boolean) => (l ?? []).map((v) => `${lower ? v.name.toLowerCase() : v.name}|${v.type}|${v.value}`).sort();
  return JSON.stringify([m.path.type, m.path.value, vals(m.headers, true), vals(m.queryParams, false), m.method ?? '']);
}

function who(r: RouteModel): string {
  return `${r.source.kind} ${r.source.namespace ?? 'default'}/${r.source.name}`;
}

/** Routes in precedence order with conflicting matches removed from the losers, and an error per lost match. */
export function resolveConflicts(routes: readonly RouteModel[]): { routes: RouteModel[]; errors: ModelError[] } {
  const sorted = [...routes].sort(oldestFirst);
  const claimed = new Map<string, RouteModel>();
  const errors: ModelError[] = [];
  const out: RouteModel[] = [];
  for (const route of sorted) {
    const hosts = route.hostnames.length > 0 ? route.hostnames : ['*'];
    let changed = false;
    const rules = route.rules.map((rule, ri) => {
      const kept: RouteMatchModel[] = [];
      rule.matches.forEach((m, mi) => {
        const mk = matchKey(m);
        const keys = route.parents.flatMap((p) => hosts.map((h) => `${parentKey(p)}|${h}|${mk}`));
        const winner = keys.map((k) => claimed.get(k)).find((w) => w !== undefined && w !== route);
        if (winner) {
          changed = true;
          errors.push({
            code: 'route-conflict',
            source: route.source,
            path: `spec.rules[${rule.index ?? ri}].matches[${mi}]`,
            message: `${who(winner)} already routes this match at the same parent and host (older, or same age and first by namespace/name); this match is ignored`,
          });
          return;
        }
        for (const k of keys) claimed.set(k, route);
        kept.push(m);
      });
      return kept.length === rule.matches.length ? rule : { ...rule, matches: kept };
    });
    out.push(changed ? { ...route, rules } : route);
  }
  return { routes: out, errors };
}
