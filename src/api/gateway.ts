/**
 * Gateway (tower.dev/v1alpha1): a set of gateway Envoys and the listeners
 * they open. Envoys belong to a Gateway either by node metadata
 * TOWER_GATEWAY = "<namespace>/<name>" (always honoured) or, when
 * spec.selector is set, by node metadata LABELS matching selector.matchLabels.
 * HTTPS listeners terminate TLS with kubernetes.io/tls Secrets from the
 * Gateway's own namespace.
 */
import { z } from 'zod';
import { ObjectMeta } from '../k8s/types';
import { Hostname, LabelKey, LabelValue, PortNumber, SectionName, boundedMap, reportDuplicates, towerApiVersion, uniqueSet } from './common';
import { SecretRef } from './refs';
import { GatewayStatus } from './status';

export const ListenerTls = z.strictObject({
  mode: z.literal('Terminate').default('Terminate'),
  certificateRefs: z.array(SecretRef).min(1).max(16).describe('kubernetes.io/tls Secrets in the Gateway namespace; chosen by SNI'),
});
export type ListenerTls = z.infer<typeof ListenerTls>;

/**
 * Which namespaces' RoutePolicies may attach to a listener (Gateway API
 * AllowedRoutes): Same (the Gateway's namespace, default), All, or Selector
 * (namespaces whose labels match selector.matchLabels; Tower knows a
 * namespace's labels only as kubernetes.io/metadata.name = its name, which
 * Kubernetes sets on every namespace).
 */
export const AllowedRoutes = z.strictObject({
  namespaces: z
    .strictObject({
      from: z.enum(['Same', 'All', 'Selector']).default('Same'),
      selector: z.strictObject({ matchLabels: boundedMap(16, LabelKey, LabelValue) }).optional().describe('required when from is Selector'),
    })
    .superRefine((n, ctx) => {
      if (n.from === 'Selector' && !n.selector) ctx.addIssue({ code: 'custom', path: ['selector'], message: 'is required when from is Selector' });
      if (n.from !== 'Selector' && n.selector) ctx.addIssue({ code: 'custom', path: ['selector'], message: 'must only be set when from is Selector' });
    })
    .optional(),
});
export type AllowedRoutes = z.infer<typeof AllowedRoutes>;

export const Listener = z
  .strictObject({
    name: SectionName,
    port: PortNumber,
    protocol: z.enum(['HTTP', 'HTTPS']),
    hostnames: uniqueSet(Hostname, 16).optional().describe('hosts this listener serves; empty means any'),
    tls: ListenerTls.optional(),
    allowedRoutes: AllowedRoutes.optional().describe('namespaces whose RoutePolicies may attach (default Same)'),
  })
  .superRefine((l, ctx) => {
    if (l.protocol === 'HTTPS' && !l.tls) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'is required when protocol is HTTPS' });
    if (l.protocol === 'HTTP' && l.tls) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'must not be set when protocol is HTTP' });
  });
export type Listener = z.infer<typeof Listener>;

export const GatewaySpec = z
  .strictObject({
    selector: z
      .strictObject({ matchLabels: boundedMap(16, LabelKey, LabelValue) })
      .optional()
      .describe('labels of the gateway Envoy pods (sent as node metadata LABELS)'),
    listeners: z
      .array(Listener)
      .min(1)
      .max(64)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
  })
  .superRefine((s, ctx) => {
    reportDuplicates(ctx, s.listeners, (l) => l.name, ['listeners'], 'listener name');
    const protocolByPort = new Map<number, string>();
    const hostsByPort = new Map<string, number>();
    s.listeners.forEach((l, i) => {
      const p = protocolByPort.get(l.port);
      if (p !== undefined && p !== l.protocol) {
        ctx.addIssue({ code: 'custom', path: ['listeners', i, 'protocol'], message: `port ${l.port} is already used with protocol ${p}` });
      }
      protocolByPort.set(l.port, l.protocol);
      for (const h of l.hostnames && l.hostnames.length > 0 ? l.hostnames : ['']) {
        const k = `${l.port}/${h}`;
        if (hostsByPort.has(k)) {
          ctx.addIssue({
            code: 'custom',
            path: ['listeners', i, 'hostnames'],
            message: `port ${l.port} hostname ${JSON.stringify(h || '*any*')} is already served by listener ${s.listeners[hostsByPort.get(k)!].name}`,
          });
        }
        hostsByPort.set(k, i);
      }
    });
  });
export type GatewaySpec = z.infer<typeof GatewaySpec>;

export const Gateway = z.looseObject({
  apiVersion: z.literal(towerApiVersion),
  kind: z.literal('Gateway'),
  metadata: ObjectMeta,
  spec: GatewaySpec,
  status: GatewayStatus.optional(),
});
export type Gateway = z.infer<typeof Gateway>;
