/**
 * References between objects, shaped like the Gateway API's: parentRefs (a
 * route attaches to a Gateway listener or, GAMMA-style, to a Service),
 * backendRefs (Services with a port and a weight) and policy targetRefs.
 */
import { z } from 'zod';
import { Namespace, ObjectName, PortNumber, SectionName, towerGroup } from './common';

/** The API group of each kind a reference may name ("" is the Kubernetes core group). */
export const groupOfKind: Readonly<Record<string, string>> = {
  Gateway: towerGroup,
  RoutePolicy: towerGroup,
  Service: '',
  Secret: '',
  ConfigMap: '',
};

/** Reports a group that does not belong to the kind (group may be omitted: it is implied by the kind). */
export function checkGroupOfKind(ctx: z.RefinementCtx, ref: { group?: string; kind?: string }, path: (string | number)[] = []): void {
  if (ref.group === undefined || ref.kind === undefined) return;
  const want = groupOfKind[ref.kind];
  if (want !== undefined && ref.group !== want) {
    ctx.addIssue({ code: 'custom', path: [...path, 'group'], message: `must be ${JSON.stringify(want)} (or omitted) for kind ${ref.kind}` });
  }
}

export const WeightMax = 1_000_000;

/**
 * Where a RoutePolicy attaches. kind Gateway (north-south; sectionName is a
 * listener name) or kind Service with group "" (east-west, GAMMA; port
 * narrows it to one Service port). Namespace defaults to the route's.
 */
export const ParentRef = z
  .strictObject({
    group: z.enum([towerGroup, '']).optional().describe('tower.dev for Gateway, "" for Service; implied by kind when omitted'),
    kind: z.enum(['Gateway', 'Service']).default('Gateway'),
    namespace: Namespace.optional(),
    name: ObjectName,
    sectionName: SectionName.optional().describe('Gateway listener name'),
    port: PortNumber.optional().describe('Gateway listener port or Service port'),
  })
  .superRefine((r, ctx) => {
    checkGroupOfKind(ctx, r);
    if (r.kind === 'Service' && r.sectionName !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['sectionName'], message: 'must not be set for a Service parent: use port' });
    }
  });
export type ParentRef = z.infer<typeof ParentRef>;

/** A Service and port (mirror targets, upstream references). */
export const BackendObjectRef = z
  .strictObject({
    group: z.literal('').optional(),
    kind: z.literal('Service').default('Service'),
    name: ObjectName,
    namespace: Namespace.optional(),
    port: PortNumber,
  });
export type BackendObjectRef = z.infer<typeof BackendObjectRef>;

/** A weighted backend of a route rule; weight 0 keeps the backend configured but sends it nothing. */
export const BackendRef = z.strictObject({
  group: z.literal('').optional(),
  kind: z.literal('Service').default('Service'),
  name: ObjectName,
  namespace: Namespace.optional(),
  port: PortNumber,
  weight: z.number().int().min(0).max(WeightMax).default(1).describe('share of traffic relative to the other backendRefs of the rule'),
});
export type BackendRef = z.infer<typeof BackendRef>;

/** A Secret in the same namespace as the referring object. */
export const SecretRef = z.strictObject({
  group: z.literal('').optional(),
  kind: z.literal('Secret').default('Secret'),
  name: ObjectName,
});
export type SecretRef = z.infer<typeof SecretRef>;

/** A CA bundle in a Secret (key ca.crt) or ConfigMap (key ca.crt) in the same namespace. */
export const CaCertificateRef = z.strictObject({
  group: z.literal('').optional(),
  // Secret by default: ConfigMap CA bundles are accepted by the schema but not read yet (the model reports them).
  kind: z.enum(['Secret', 'ConfigMap']).default('Secret'),
  name: ObjectName,
});
export type CaCertificateRef = z.infer<typeof CaCertificateRef>;

/** Policy target in the policy's namespace (Gateway API LocalPolicyTargetReferenceWithSectionName). */
export function targetRef<K extends [string, ...string[]]>(kinds: K) {
  return z
    .strictObject({
      group: z.enum([towerGroup, '']).optional().describe('tower.dev for Gateway and RoutePolicy, "" for Service; implied by kind when omitted'),
      kind: z.enum(kinds),
      name: ObjectName,
      sectionName: SectionName.optional().describe('listener name (Gateway), rule name (RoutePolicy) or port name (Service)'),
    })
    .superRefine((r, ctx) => checkGroupOfKind(ctx, r));
}

/** Identity of a reference for duplicate detection: kind/namespace/name/section/port. */
export function refKey(r: { kind?: string; namespace?: string; name: string; sectionName?: string; port?: number }): string {
  return `${r.kind ?? ''}/${r.namespace ?? ''}/${r.name}/${r.sectionName ?? ''}/${r.port ?? ''}`;
}
