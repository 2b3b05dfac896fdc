/**
 * Checks across resources that Envoy enforces (or that make Envoy answer 503
 * / never warm): references between clusters, assignments, listeners,
 * routes and secrets, and duplicates Envoy rejects inside one resource.
 *
 * Works on the canonical proto3 JSON (snake_case, Any as {"@type", …}), i.e.
 * CompileResult.json. Every error names the resource (type URL + name) that
 * should be dropped; `pruneUntilConsistent` drops and re-checks until clean.
 */
import { TypeUrl } from './type-urls';

export interface CrossRefError {
  readonly typeUrl: string;
  readonly name: string;
  readonly path: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

export interface CrossRefTable {
  readonly clusters: ReadonlyMap<string, unknown>;
  readonly assignments: ReadonlyMap<string, unknown>;
  readonly listeners: ReadonlyMap<string, unknown>;
  readonly routes: ReadonlyMap<string, unknown>;
  readonly secrets: ReadonlyMap<string, unknown>;
}

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
/** Whether an Any's "@type" names `fullName` (what follows its last "/"), without slicing the URL. */
function isTypeName(t: unknown, fullName: string): boolean {
  return typeof t === 'string' && (t === fullName || (t.endsWith(fullName) && t.charCodeAt(t.length - fullName.length - 1) === 47 /* / */));
}

type Emit = (path: string, message: string) => void;

/** Route actions of one RouteConfiguration (also used for route_config inlined in an HCM). Paths are rendered only for errors. */
function checkRouteConfig(rc: Json, base: string, clusters: ReadonlyMap<string, unknown>, emit: Emit): void {
  const domains = new Map<string, number>();
  const vhNames = new Map<string, number>();
  const vhosts = arr(rc.virtual_hosts);
  for (let vi = 0; vi < vhosts.length; vi++) {
    const vh = obj(vhosts[vi]);
    if (!vh) continue;
    const vname = str(vh.name) ?? '';
    if (vhNames.has(vname)) emit(`${base}virtual_hosts[${vi}].name`, `duplicate virtual host name "${vname}" (also virtual_hosts[${vhNames.get(vname)}])`);
    else vhNames.set(vname, vi);
    const ds = arr(vh.domains);
    for (let di = 0; di < ds.length; di++) {
      const d = ds[di];
      const key = String(d).toLowerCase();
      if (domains.has(key)) emit(`${base}virtual_hosts[${vi}].domains[${di}]`, `domain "${String(d)}" is already used by virtual_hosts[${domains.get(key)}]; Envoy rejects duplicate domains in one route configuration`);
      else domains.set(key, vi);
    }
    const routes = arr(vh.routes);
    for (let ri = 0; ri < routes.length; ri++) {
      const route = obj(obj(routes[ri])?.route);
      if (!route) continue;
      // Closure-free on the hot path: paths are built only for an error.
      const c = str(route.cluster);
      if (c !== undefined && !clusters.has(c)) missingCluster(emit, base, vi, ri, 'cluster', c);
      if (route.weighted_clusters !== undefined) {
        const wcs = arr(obj(route.weighted_clusters)?.clusters);
        for (let wi = 0; wi < wcs.length; wi++) {
          const n = str(obj(wcs[wi])?.name);
          if (n !== undefined && !clusters.has(n)) missingCluster(emit, base, vi, ri, `weighted_clusters.clusters[${wi}].name`, n);
        }
      }
      if (route.request_mirror_policies !== undefined) {
        const ms = arr(route.request_mirror_policies);
        for (let mi = 0; mi < ms.length; mi++) {
          const n = str(obj(ms[mi])?.cluster);
          if (n !== undefined && !clusters.has(n)) missingCluster(emit, base, vi, ri, `request_mirror_policies[${mi}].cluster`, n);
        }
      }
    }
  }
}

function missingCluster(emit: Emit, base: string, vi: number, ri: number, field: string, name: string): void {
  emit(`${base}virtual_hosts[${vi}].routes[${ri}].route.${field}`, `cluster "${name}" does not exist (Envoy would answer 503 NC)`);
}

/** Canonical keys of the (expanded) filter_chain_match, the way Envoy's FilterChainManager indexes it. */
function matchKeys(m: Json | undefined): string[] {
  const dims: string[][] = [];
  const list = (v: unknown, f: (x: unknown) => string = (x) => JSON.stringify(x)) => {
    const a = arr(v);
    return a.length ? a.map(f) : [''];
  };
  const cidr = (x: unknown) => {
    const c = obj(x) ?? {};
    return `${String(c.address_prefix ?? '').toLowerCase()}/${String(c.prefix_len ?? 0)}`;
  };
  const mm = m ?? {};
  dims.push([String(mm.destination_port ?? '')]);
  dims.push(list(mm.prefix_ranges, cidr));
  dims.push(list(mm.server_names, (x) => String(x).toLowerCase()));
  dims.push([String(mm.transport_protocol ?? '')]);
  dims.push(list(mm.application_protocols));
  dims.push(list(mm.direct_source_prefix_ranges, cidr));
  dims.push([String(mm.source_type ?? 'ANY')]);
  dims.push(list(mm.source_prefix_ranges, cidr));
  dims.push(list(mm.source_ports));
  let keys = [''];
  for (const d of dims) {
    const next: string[] = [];
    for (const k of keys) for (const x of d) next.push(`${k}|${x}`);
    keys = next;
    if (keys.length > 100000) return [JSON.stringify(mm)]; // pathological: fall back to whole-match equality
  }
  return keys;
}

function listenerAddress(l: Json): string | undefined {
  if (obj(l.api_listener) || l.bind_to_port === false) return undefined;
  const sa = obj(obj(l.address)?.socket_address);
  if (!sa) return undefined;
  return `${String(sa.protocol ?? 'TCP')}:${String(sa.address ?? '')}:${String(sa.port_value ?? 0)}`;
}

/** A field path kept as segments while walking; rendered only when an error names it. */
type Segs = (string | number)[];

function render(segs: Segs, extra?: string): string {
  let p = '';
  for (const s of segs) p += typeof s === 'number' ? `[${s}]` : p ? `.${s}` : s;
  return extra === undefined ? p : p ? `${p}.${extra}` : extra;
}

/** Calls f for every object in a JSON tree, with its path (as segments, valid during the call). */
function walk(v: unknown, segs: Segs, f: (o: Json, segs: Segs) => void): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'object' || x === null) continue;
      segs.push(i);
      walk(x, segs, f);
      segs.pop();
    }
    return;
  }
  const o = obj(v);
  if (!o) return;
  f(o, segs);
  for (const k in o) {
    const x = o[k];
    if (typeof x !== 'object' || x === null || !Object.prototype.hasOwnProperty.call(o, k)) continue;
    segs.push(k);
    walk(x, segs, f);
    segs.pop();
  }
}

function isAdsSource(cs: unknown): boolean {
  const c = obj(cs);
  return c !== undefined && (obj(c.ads) !== undefined || obj(c.self) !== undefined);
}

/** Every cross-resource problem in the table. */
export function checkCrossReferences(table: CrossRefTable): CrossRefError[] {
  const errors: CrossRefError[] = [];
  const emitter = (typeUrl: string, name: string): Emit => (path, message) => errors.push({ typeUrl, name, path, message });

  // SDS secrets (served by Tower over ADS) and RDS/TCP references anywhere in clusters and listeners.
  const scanRefs = (typeUrl: string, name: string, root: unknown) => {
    const emit = emitter(typeUrl, name);
    walk(root, [], (o, segs) => {
      // Paths are rendered only for an error (this runs for every object of every cluster and listener).
      if (o.sds_config !== undefined && str(o.name) !== undefined && isAdsSource(o.sds_config) && !table.secrets.has(o.name as string)) {
        emit(render(segs, 'name'), `SDS secret "${String(o.name)}" does not exist`);
      }
      if (o.route_config_name !== undefined && str(o.route_config_name) !== undefined && obj(o.config_source) && isAdsSource(o.config_source) && !table.routes.has(o.route_config_name as string)) {
        emit(render(segs, 'route_config_name'), `route configuration "${String(o.route_config_name)}" does not exist (the listener would never warm)`);
      }
      const t = o['@type'];
      if (t !== undefined && isTypeName(t, 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager') && obj(o.route_config)) {
        checkRouteConfig(o.route_config as Json, `${render(segs, 'route_config')}.`, table.clusters, emit);
      }
      // envoy.config.core.v3.HttpUri (e.g. jwt_authn remote_jwks.http_uri) fetches through a named cluster.
      const httpUri = o.http_uri === undefined ? undefined : obj(o.http_uri);
      if (httpUri && str(httpUri.cluster) !== undefined && !table.clusters.has(httpUri.cluster as string)) {
        emit(render(segs, 'http_uri.cluster'), `cluster "${String(httpUri.cluster)}" does not exist (fetches through http_uri would fail)`);
      }
      if (t !== undefined && isTypeName(t, 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy')) {
        const need = (n: unknown, p: string) => { if (str(n) !== undefined && !table.clusters.has(n as string)) emit(p, `cluster "${String(n)}" does not exist`); };
        need(o.cluster, render(segs, 'cluster'));
        arr(obj(o.weighted_clusters)?.clusters).forEach((wc, i) => need(obj(wc)?.name, render(segs, `weighted_clusters.clusters[${i}].name`)));
      }
    });
  };

  for (const [name, v] of table.clusters) {
    const c = obj(v) ?? {};
    const emit = emitter(TypeUrl.Cluster, name);
    if (c.name !== name) emit('name', `resource is named "${name}" but its name field is ${JSON.stringify(c.name)}`);
    if (c.type === 'EDS' || c.type === 3) {
      const service = str(obj(c.eds_cluster_config)?.service_name);
      const want = service || name;
      if (!table.assignments.has(want)) {
        emit(service ? 'eds_cluster_config.service_name' : 'name', `EDS cluster needs ClusterLoadAssignment "${want}", which does not exist (the cluster would never warm)`);
      }
    }
    scanRefs(TypeUrl.Cluster, name, c);
  }
  for (const [name, v] of table.assignments) {
    if (obj(v)?.cluster_name !== name) emitter(TypeUrl.ClusterLoadAssignment, name)('cluster_name', `resource is named "${name}" but its cluster_name is ${JSON.stringify(obj(v)?.cluster_name)}`);
  }
  for (const [name, v] of table.secrets) {
    if (obj(v)?.name !== name) emitter(TypeUrl.Secret, name)('name', `resource is named "${name}" but its name field is ${JSON.stringify(obj(v)?.name)}`);
  }
  for (const [name, v] of table.routes) {
    const rc = obj(v) ?? {};
    const emit = emitter(TypeUrl.RouteConfiguration, name);
    if (rc.name !== name) emit('name', `resource is named "${name}" but its name field is ${JSON.stringify(rc.name)}`);
    checkRouteConfig(rc, '', table.clusters, emit);
  }
  const addresses = new Map<string, string>();
  for (const name of [...table.listeners.keys()].sort()) {
    const l = obj(table.listeners.get(name)) ?? {};
    const emit = emitter(TypeUrl.Listener, name);
    if (l.name !== name) emit('name', `resource is named "${name}" but its name field is ${JSON.stringify(l.name)}`);
    const addr = listenerAddress(l);
    if (addr !== undefined) {
      const other = addresses.get(addr);
      if (other !== undefined) emit('address', `listener "${other}" already binds ${addr.slice(addr.indexOf(':') + 1)}; Envoy rejects duplicate listener addresses`);
      else addresses.set(addr, name);
    }
    const seen = new Map<string, number>();
    arr(l.filter_chains).forEach((fc, i) => {
      for (const key of new Set(matchKeys(obj(obj(fc)?.filter_chain_match)))) {
        const prev = seen.get(key);
        if (prev !== undefined && prev !== i) {
          emit(`filter_chains[${i}].filter_chain_match`, `filter_chains[${prev}] and filter_chains[${i}] have the same matching rules; Envoy rejects "multiple filter chains with the same matching rules"`);
          break;
        }
        seen.set(key, i);
      }
    });
    scanRefs(TypeUrl.Listener, name, l);
  }
  return errors;
}

function withoutErrors(table: CrossRefTable, errors: readonly CrossRefError[]): CrossRefTable {
  const drop = (typeUrl: string, m: ReadonlyMap<string, unknown>) => {
    const bad = new Set(errors.filter((e) => e.typeUrl === typeUrl).map((e) => e.name));
    return bad.size ? new Map([...m].filter(([k]) => !bad.has(k))) : m;
  };
  return {
    clusters: drop(TypeUrl.Cluster, table.clusters),
    assignments: drop(TypeUrl.ClusterLoadAssignment, table.assignments),
    listeners: drop(TypeUrl.Listener, table.listeners),
    routes: drop(TypeUrl.RouteConfiguration, table.routes),
    secrets: drop(TypeUrl.Secret, table.secrets),
  };
}

/**
 * Drops every resource named by an error and re-checks (dropping a cluster
 * can break a route) until the table is consistent. Returns the consistent
 * table and every error that caused a drop.
 */
export function pruneUntilConsistent(table: CrossRefTable): { table: CrossRefTable; dropped: CrossRefError[] } {
  const dropped: CrossRefError[] = [];
  let current = table;
  for (;;) {
    const errors = checkCrossReferences(current);
    if (errors.length === 0) return { table: current, dropped };
    dropped.push(...errors);
    current = withoutErrors(current, errors);
  }
}
