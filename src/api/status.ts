/**
 * Status shared by Tower's kinds, as the Gateway API writes it: a list of
 * conditions (Accepted, ResolvedRefs, Programmed) keyed by type, each with a
 * reason, message, observedGeneration and lastTransitionTime. Routes report
 * per parent, policies per ancestor (the object they took effect on).
 */
import { z } from 'zod';
import { ParentRef } from './refs';

export const ConditionType = z.enum(['Accepted', 'ResolvedRefs', 'Programmed']);
export type ConditionType = z.infer<typeof ConditionType>;

/** Reasons Tower uses, per condition type (the string is free-form in the schema, like the Gateway API's). */
export const ConditionReason = {
  Accepted: 'Accepted',
  Invalid: 'Invalid',
  Conflicted: 'Conflicted',
  NoMatchingParent: 'NoMatchingParent',
  NotAllowedByListeners: 'NotAllowedByListeners',
  NoMatchingListenerHostname: 'NoMatchingListenerHostname',
  TargetNotFound: 'TargetNotFound',
  UnsupportedValue: 'UnsupportedValue',
  ResolvedRefs: 'ResolvedRefs',
  BackendNotFound: 'BackendNotFound',
  InvalidKind: 'InvalidKind',
  RefNotPermitted: 'RefNotPermitted',
  InvalidCertificateRef: 'InvalidCertificateRef',
  Programmed: 'Programmed',
  Pending: 'Pending',
  Rejected: 'Rejected',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];

export const Condition = z.looseObject({
  type: z.string().min(1).max(316).regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a condition type'),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(1024).regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, 'must be a CamelCase reason'),
  message: z.string().max(32768),
  observedGeneration: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  lastTransitionTime: z.string().min(1).max(64).meta({ format: 'date-time' }),
});
export type Condition = z.infer<typeof Condition>;

const Conditions = z
  .array(Condition)
  .max(8)
  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

/** Status of a route for one parent (Gateway API RouteParentStatus). */
export const RouteParentStatus = z.looseObject({
  parentRef: ParentRef,
  controllerName: z.string().min(1).max(253),
  conditions: Conditions,
});
export type RouteParentStatus = z.infer<typeof RouteParentStatus>;

/** Status of a policy for one ancestor it was applied to (Gateway API PolicyAncestorStatus). */
export const PolicyAncestorStatus = z.looseObject({
  ancestorRef: ParentRef,
  controllerName: z.string().min(1).max(253),
  conditions: Conditions,
});
export type PolicyAncestorStatus = z.infer<typeof PolicyAncestorStatus>;

export const ListenerStatus = z.looseObject({
  name: z.string().min(1).max(63),
  attachedRoutes: z.number().int().min(0).max(1_000_000),
  conditions: Conditions,
});
export type ListenerStatus = z.infer<typeof ListenerStatus>;

export const GatewayStatus = z.looseObject({
  conditions: Conditions.optional(),
  listeners: z
    .array(ListenerStatus)
    .max(64)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .optional(),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;

/**
 * Routes and policies carry Tower's verdict on the whole object at status.conditions
 * (so `kubectl wait --for=condition=Accepted` works, and an object no version of
 * which was ever valid, with no parent or target to hang status on, still says why),
 * and per parent / ancestor below it, as the Gateway API does.
 */
const ObjectConditions = Conditions.optional().describe('conditions of the whole object (Accepted, ResolvedRefs, Programmed)');

export const RouteStatus = z.looseObject({ conditions: ObjectConditions, parents: z.array(RouteParentStatus).max(32).optional() });
export type RouteStatus = z.infer<typeof RouteStatus>;

export const PolicyStatus = z.looseObject({ conditions: ObjectConditions, ancestors: z.array(PolicyAncestorStatus).max(16).optional() });
export type PolicyStatus = z.infer<typeof PolicyStatus>;

/** A condition to set; lastTransitionTime is filled in by setCondition. */
export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/**
 * Returns `conditions` with `next` set (replacing the one of the same type).
 * lastTransitionTime changes only when the status value changes, as the
 * Kubernetes API conventions ask; `now` is used otherwise.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const prev = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = transitionTime(prev, next, now);
  const merged: Condition = { ...next, lastTransitionTime };
  const out = conditions.filter((c) => c.type !== next.type);
  out.push(merged);
  const order = ConditionType.options as readonly string[];
  return out.sort((a, b) => rank(order, a.type) - rank(order, b.type));
}

/** RFC 3339 without milliseconds, as Kubernetes writes times. */
function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The one lastTransitionTime rule (setCondition, StatusWriter, /debug/status):
 * the previous condition's time while the status value is unchanged; when it
 * changes (or the condition is new), `next.lastTransitionTime` if given, else `now`.
 */
export function transitionTime(
  prev: { status: string; lastTransitionTime?: string | undefined } | undefined,
  next: { status: string; lastTransitionTime?: string | undefined },
  now: Date,
): string {
  if (prev && prev.status === next.status && prev.lastTransitionTime) return prev.lastTransitionTime;
  return next.lastTransitionTime ?? kubeTime(now);
}

function rank(order: readonly string[], t: string): number {
  const i = order.indexOf(t);
  return i < 0 ? order.length : i;
}

/** The condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
