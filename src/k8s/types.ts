/**
 * The Kubernetes objects Tower reads, as zod schemas. Sources (files and the
 * Kubernetes API) parse into these types; the model builder consumes them.
 * Unknown fields are allowed (Kubernetes objects carry many Tower ignores);
 * the fields Tower uses are checked.
 */
import { z } from 'zod';

const dns1123Label = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label');
const dns1123Subdomain = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain');

export const ObjectMeta = z.looseObject({
  name: dns1123Subdomain,
  namespace: dns1123Label.optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

const port = z.number().int().min(1).max(65535);
const protocol = z.enum(['TCP', 'UDP', 'SCTP']);

export const ServicePort = z.looseObject({
  name: z.string().max(63).optional(),
  protocol: protocol.default('TCP'),
  appProtocol: z.string().max(253).optional(),
  port,
  targetPort: z.union([port, z.string().min(1).max(15)]).optional(),
});
export type ServicePort = z.infer<typeof ServicePort>;

export const Service = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: ObjectMeta,
  spec: z.looseObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
    clusterIP: z.string().optional(),
    clusterIPs: z.array(z.string()).optional(),
    selector: z.record(z.string(), z.string()).optional(),
    ports: z.array(ServicePort).default([]),
    externalName: z.string().optional(),
  }),
});
export type Service = z.infer<typeof Service>;

export const Endpoint = z.looseObject({
  addresses: z.array(z.string().min(1)).min(1).max(100),
  conditions: z
    .looseObject({
      ready: z.boolean().nullish(),
      serving: z.boolean().nullish(),
      terminating: z.boolean().nullish(),
    })
    .default({}),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  zone: z.string().optional(),
  targetRef: z.looseObject({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() }).optional(),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const EndpointPort = z.looseObject({
  name: z.string().nullish(),
  port: port.nullish(),
  protocol: protocol.nullish(),
  appProtocol: z.string().nullish(),
});
export type EndpointPort = z.infer<typeof EndpointPort>;

export const EndpointSlice = z.looseObject({
  apiVersion: z.literal('discovery.k8s.io/v1'),
  kind: z.literal('EndpointSlice'),
  metadata: ObjectMeta,
  addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
  endpoints: z.array(Endpoint).default([]),
  ports: z.array(EndpointPort).nullish(),
});
export type EndpointSlice = z.infer<typeof EndpointSlice>;

/** Label on an EndpointSlice naming the Service it belongs to. */
export const serviceNameLabel = 'kubernetes.io/service-name';

export const Secret = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata: ObjectMeta,
  type: z.string().optional(),
  data: z.record(z.string(), z.string()).optional(),
  stringData: z.record(z.string(), z.string()).optional(),
});
export type Secret = z.infer<typeof Secret>;

/** Identifies an object across sources: kind/namespace/name. */
export function objectKey(o: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
