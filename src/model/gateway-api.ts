/**
 * Provisional schemas for the two Gateway API kinds the model understands
 * (gateway.networking.k8s.io/v1 Gateway and HTTPRoute), only the fields Tower
 * uses. Tower's own CRDs will replace or extend these; the model types they
 * produce (GatewayModel, RouteModel) stay.
 */
import { z } from 'zod';
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

export const Gateway = z.looseObject({
  apiVersion: z.literal('gateway.networking.k8s.io/v1'),
  kind: z.literal('Gateway'),
  metadata: ObjectMeta,
  spec: z.looseObject({
    gatewayClassName: z.string().optional(),
    listeners: z.array(GatewayListener).min(1).max(64),
  }),
});
export type Gateway = z.infer<typeof Gateway>;

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
