/**
 * The Gateway shapes the model reads, reduced to one form (`Gateway`):
 * - Tower's own tower.dev/v1alpha1 Gateway (src/api/gateway.ts), validated
 *   with its CRD schema and mapped onto the model's listener shape;
 * - provisional gateway.networking.k8s.io/v1 Gateway and HTTPRoute schemas
 *   (only the fields Tower uses); tower.dev RoutePolicies reach the model too
 *   (src/model/route-policy.ts).
 * The model types they produce (GatewayModel, RouteModel) stay.
 */
import { z } from 'zod';
import { towerApiVersion } from '../api/common';
import { Gateway as TowerGateway } from '../api/gateway';
import { ObjectMeta } from '../k8s/types';

const port = z.number().int().min(1).max(65535);
const hostname = z.string().min(1).max(253).regex(/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a host name, optionally with a leading "*."');

export const GatewayListener = z.looseObject({
  name: z.string().min(1).max(253),
  port,
  protocol: z.enum(['HTTP', 'HTTPS']),
  hostname: hostname.optional(),
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

type ListenerInput = z.infer<typeof GatewayListener>;

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
  for (const l of g.spec.listeners) {
    const hosts: (string | undefined)[] = l.hostnames && l.hostnames.length > 0 ? l.hostnames : [undefined];
    hosts.forEach((h, i) => {
      listeners.push({
        name: i === 0 ? l.name : `${l.name}.${i}`,
        port: l.port,
        protocol: l.protocol,
        ...(h !== undefined ? { hostname: h } : {}),
        ...(l.tls ? { tls: { mode: l.tls.mode, certificateRefs: l.tls.certificateRefs.map((c) => ({ name: c.name })) } } : {}),
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
