/**
 * The Gateway shapes the model reads, reduced to one form (`Gateway`):
 * - Tower's own tower.dev/v1alpha1 Gateway (src/api/gateway.ts), validated
 *   with its CRD schema and mapped onto the model's listener shape;
 * - provisional gateway.networking.k8s.io/v1 Gateway and HTTPRoute schemas
 *   (only the fields Tower uses); tower.dev RoutePolicies reach the model too
 *   (src/model/route-policy.ts).
 * The model types they produce (GatewayModel, RouteModel) stay.
 *
 * Attachment (Gateway API semantics, used by the gateway translator and
 * reported by gatewayAttachmentErrors): a parentRef attaches a route to the
 * Gateway's listeners named by sectionName (all when absent) and on port
 * (any when absent) that allow the route's namespace (allowedRoutes, default
 * Same) and whose hostname intersects the route's hostnames (a wildcard
 * "*.example.com" matches one or more labels in front of example.com; the
 * intersection is the more specific name). A parentRef that attaches to no
 * listener is an 'invalid-route' error at spec.parentRefs[i] saying why.
 */
import { z } from 'zod';
import { towerApiVersion } from '../api/common';
import { Gateway as TowerGateway } from '../api/gateway';
import { ObjectMeta } from '../k8s/types';
import type { AllowedRoutesModel, GatewayListenerModel, GatewayModel, MeshModel, ModelError, RouteModel, RouteParent } from './types';

const port = z.number().int().min(1).max(65535);
const hostname = z.string().min(1).max(253).regex(/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a host name, optionally with a leading "*."');

const allowedRoutes = z.looseObject({
  namespaces: z
    .looseObject({
      from: z.enum(['Same', 'All', 'Selector']).default('Same'),
      selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() }).optional(),
    })
    .optional(),
});

export const GatewayListener = z.looseObject({
  name: z.string().min(1).max(253),
  port,
  protocol: z.enum(['HTTP', 'HTTPS']),
  hostname: hostname.optional(),
  allowedRoutes: allowedRoutes.optional(),
  tls: z
    .looseObject({
      mode: z.enum(['Terminate']).default('Terminate'),
      certificateRefs: z.array(z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional(), kind: z.literal('Secret').optional() })).default([]),
    })
    .optional(),
});

export const gatewayApiVersion = 'gateway.networking.k8s.io/v1';

/** gateway.networking.k8s.io/v1 Gateway (provisional: only what Tower uses). */
export const ApiGateway = z.looseObject({
  apiVersion: z.literal(gatewayApiVersion),
  kind: z.literal('Gateway'),
  metadata: ObjectMeta,
  spec: z.looseObject({
    gatewayClassName: z.string().optional(),
    listeners: z.array(GatewayListener).min(1).max(64),
  }),
});

/** specIndex: index of the listener in the object's spec.listeners (tower.dev listeners expand to one per host name). */
type ListenerInput = z.infer<typeof GatewayListener> & { readonly specIndex?: number };

/** A Gateway as the model reads it, whichever API it came from. */
export interface Gateway {
  readonly apiVersion: string;
  readonly kind: 'Gateway';
  readonly metadata: z.infer<typeof ObjectMeta>;
  readonly spec: { readonly listeners: readonly ListenerInput[] };
}

/**
 * tower.dev listeners onto the model's listeners, which carry one host name
 * each: a listener with several hostnames becomes one model listener per host
 * name, the first keeping the listener's name (so a route's sectionName
 * attaches to it), the others named "<name>.<index>" (a dot cannot occur in a
 * listener name, so these never collide). Certificates are Secrets in the
 * Gateway's namespace.
 */
export function fromTowerGateway(g: TowerGateway): Gateway {
  const listeners: ListenerInput[] = [];
  for (const [specIndex, l] of g.spec.listeners.entries()) {
    const hosts: (string | undefined)[] = l.hostnames && l.hostnames.length > 0 ? l.hostnames : [undefined];
    hosts.forEach((h, i) => {
      listeners.push({
        name: i === 0 ? l.name : `${l.name}.${i}`,
        port: l.port,
        protocol: l.protocol,
        specIndex,
        ...(h !== undefined ? { hostname: h } : {}),
        ...(l.tls ? { tls: { mode: l.tls.mode, certificateRefs: l.tls.certificateRefs.map((c) => ({ name: c.name })) } } : {}),
        ...(l.allowedRoutes ? { allowedRoutes: l.allowedRoutes } : {}),
      });
    });
  }
  return { apiVersion: g.apiVersion, kind: 'Gateway', metadata: g.metadata, spec: { listeners } };
}

/** Either Gateway API, by apiVersion; issues keep their field paths in the original object. */
export const Gateway: z.ZodType<Gateway> = z.unknown().transform((v, ctx): Gateway => {
  const tower = typeof v === 'object' && v !== null && (v as { apiVersion?: unknown }).apiVersion === towerApiVersion;
  const r = tower ? TowerGateway.safeParse(v) : ApiGateway.safeParse(v);
  if (r.success) return tower ? fromTowerGateway(r.data as TowerGateway) : (r.data as Gateway);
  for (const i of r.error.issues) {
    const message = i.path.length === 1 && i.path[0] === 'apiVersion' ? `must be ${towerApiVersion} or ${gatewayApiVersion}` : i.message;
    ctx.issues.push({ code: 'custom', message, path: [...i.path], input: v });
  }
  return z.NEVER;
});

const pathMatch = z.looseObject({
  type: z.enum(['PathPrefix', 'Exact']).default('PathPrefix'),
  value: z.string().startsWith('/', 'must start with "/"').default('/'),
});

export const HTTPRoute = z.looseObject({
  apiVersion: z.literal('gateway.networking.k8s.io/v1'),
  kind: z.literal('HTTPRoute'),
  metadata: ObjectMeta,
  spec: z.looseObject({
    parentRefs: z.array(z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional(), sectionName: z.string().min(1).optional() })).min(1),
    hostnames: z.array(hostname).default([]),
    rules: z
      .array(
        z.looseObject({
          matches: z.array(z.looseObject({ path: pathMatch.optional() })).default([]),
          backendRefs: z.array(z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional(), port, weight: z.number().int().min(0).max(1000000).default(1) })).min(1),
        }),
      )
      .min(1),
  }),
});
export type HTTPRoute = z.infer<typeof HTTPRoute>;

/** The model's allowedRoutes for a listener as read (absent = Same). Spread into GatewayListenerModel when it is built. */
export function allowedRoutesModel(l: { allowedRoutes?: { namespaces?: { from?: string; selector?: { matchLabels?: Record<string, string> } } } }): { allowedRoutes?: AllowedRoutesModel } {
  const n = l.allowedRoutes?.namespaces;
  if (!n || n.from === undefined || n.from === 'Same') return {};
  if (n.from === 'All') return { allowedRoutes: { from: 'All' } };
  return { allowedRoutes: { from: 'Selector', matchLabels: { ...(n.selector?.matchLabels ?? {}) } } };
}

/** The one namespace label Tower knows without watching Namespaces (Kubernetes sets it on every namespace). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/** Whether a listener of a Gateway in `gatewayNs` admits routes from `routeNs`. */
export function namespaceAllowed(l: GatewayListenerModel, gatewayNs: string, routeNs: string): boolean {
  const a = l.allowedRoutes;
  if (!a || a.from === 'Same') return routeNs === gatewayNs;
  if (a.from === 'All') return true;
  return Object.entries(a.matchLabels ?? {}).every(([k, v]) => k === namespaceNameLabel && v === routeNs);
}

function wildcardSuffix(h: string): string | undefined {
  return h.startsWith('*.') ? h.slice(1) : undefined;
}

/** The host names both a listener (undefined = any) and a route host name accept: the more specific one, or undefined. */
export function hostIntersection(listenerHost: string | undefined, routeHost: string): string | undefined {
  if (listenerHost === undefined || listenerHost === routeHost) return routeHost;
  const ls = wildcardSuffix(listenerHost);
  const rs = wildcardSuffix(routeHost);
  if (ls && routeHost.endsWith(ls) && routeHost.length > ls.length) return routeHost;
  if (rs && listenerHost.endsWith(rs) && listenerHost.length > rs.length) return listenerHost;
  return undefined;
}

export interface ListenerAttachment {
  readonly listener: GatewayListenerModel;
  /** Virtual host names for the route on this listener ("*" = any host). */
  readonly hosts: readonly string[];
}

type GatewayParent = Extract<RouteParent, { kind: 'gateway' }>;

function routeNamespace(route: RouteModel): string {
  return route.source.namespace ?? 'default';
}

function names(ls: readonly GatewayListenerModel[]): string {
  return ls.map((l) => l.name).join(', ');
}

/** Where one gateway parentRef of a route attaches on `gw`, and why not when nowhere. */
export function parentAttachment(route: RouteModel, parent: GatewayParent, gw: GatewayModel): { attached: ListenerAttachment[]; reason?: string } {
  const gwName = `Gateway ${gw.namespace}/${gw.name}`;
  let ls = gw.listeners;
  if (parent.sectionName !== undefined) {
    const s = parent.sectionName;
    ls = ls.filter((l) => l.name === s || l.name.startsWith(`${s}.`));
    if (ls.length === 0) return { attached: [], reason: `${gwName} has no listener named "${s}"` };
  }
  if (parent.port !== undefined) {
    const before = ls;
    ls = ls.filter((l) => l.port === parent.port);
    if (ls.length === 0) return { attached: [], reason: `${gwName} has no listener${parent.sectionName !== undefined ? ` "${parent.sectionName}"` : ''} on port ${parent.port} (listeners: ${names(before)})` };
  }
  const ns = routeNamespace(route);
  const allowed = ls.filter((l) => namespaceAllowed(l, gw.namespace, ns));
  if (allowed.length === 0) {
    return { attached: [], reason: `listener(s) ${names(ls)} of ${gwName} do not allow routes from namespace ${ns} (allowedRoutes.namespaces)` };
  }
  const attached: ListenerAttachment[] = [];
  for (const l of allowed) {
    const hosts = route.hostnames.length === 0 ? [l.hostname ?? '*'] : [...new Set(route.hostnames.map((h) => hostIntersection(l.hostname, h)).filter((h): h is string => h !== undefined))];
    if (hosts.length > 0) attached.push({ listener: l, hosts });
  }
  if (attached.length === 0) {
    return { attached, reason: `no host name of spec.hostnames (${route.hostnames.join(', ')}) overlaps listener(s) ${allowed.map((l) => `${l.name} (${l.hostname ?? 'any'})`).join(', ')} of ${gwName}` };
  }
  return { attached };
}

/** Listener index in the Gateway object for a model listener name ("<name>.<i>" listeners come from the first). */
function specListenerIndex(gw: GatewayModel, name: string): number {
  const base: string[] = [];
  for (const l of gw.listeners) {
    const b = l.name.includes('.') ? l.name.slice(0, l.name.indexOf('.')) : l.name;
    if (!base.includes(b)) base.push(b);
  }
  const b = name.includes('.') ? name.slice(0, name.indexOf('.')) : name;
  return base.indexOf(b);
}

/**
 * Attachment problems: a gateway parentRef attaching to no listener (the
 * route, at spec.parentRefs[i]); a Selector naming labels other than
 * kubernetes.io/metadata.name (the Gateway: such namespaces never match).
 * Missing Gateways are validateReferences' to report.
 */
export function gatewayAttachmentErrors(model: MeshModel): ModelError[] {
  const errors: ModelError[] = [];
  for (const route of model.routes) {
    route.parents.forEach((p, i) => {
      if (p.kind !== 'gateway') return;
      const gw = model.gateways.find((g) => g.namespace === p.gateway.namespace && g.name === p.gateway.name);
      if (!gw) return;
      const r = parentAttachment(route, p, gw);
      if (r.reason) errors.push({ code: 'invalid-route', source: route.source, path: `spec.parentRefs[${i}]`, message: `${r.reason}; not attached there` });
    });
  }
  for (const gw of model.gateways) {
    const seen = new Set<number>();
    for (const l of gw.listeners) {
      const i = specListenerIndex(gw, l.name);
      if (seen.has(i) || l.allowedRoutes?.from !== 'Selector') continue;
      seen.add(i);
      for (const k of Object.keys(l.allowedRoutes.matchLabels ?? {})) {
        if (k === namespaceNameLabel) continue;
        errors.push({
          code: 'invalid-gateway',
          source: gw.source,
          path: `spec.listeners[${i}].allowedRoutes.namespaces.selector.matchLabels["${k}"]`,
          message: `Tower knows namespace labels only as ${namespaceNameLabel} (Namespaces are not watched): no namespace matches this selector`,
        });
      }
    }
  }
  return errors;
}
