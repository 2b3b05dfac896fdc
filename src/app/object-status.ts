/**
 * The conditions of one Tower object (Gateway, RoutePolicy, BackendPolicy,
 * SecurityPolicy), computed from what the pipeline knows about it. Pure: the
 * reporter (status-reporter.ts) gathers the inputs and adds lastTransitionTime.
 *
 * - Accepted: False/Invalid naming the field when the latest version was
 *   rejected (the last good version, if any, stays in effect) or the model
 *   could not use it; False/Conflicted when every match (RoutePolicy) or
 *   target (policies) lost a conflict, naming the winner; False/NoMatchingParent
 *   when no parentRef exists; True otherwise, with a Conflicted=True condition
 *   when only some matches or targets lost.
 * - ResolvedRefs: False naming each missing Service (BackendNotFound), Secret
 *   (InvalidCertificateRef) or policy target (TargetNotFound).
 * - Programmed: False/Rejected quoting a proxy's NACK of a resource built from
 *   the object; False/Invalid when Tower could not build such a resource;
 *   True "programmed on N of N <role> proxies" once every connected client
 *   using it ACKed the current version; False/Pending "N of M" until then or
 *   when no connected proxy uses it.
 */
import { ConditionReason, type ConditionInput } from '../api/status';
import type { ModelError } from '../model/types';
import type { TranslationError } from '../pipeline/types';
import type { KubeObject } from '../sources/kinds';
import type { RefStatus, StatusBody } from '../sources/kubernetes/status-writer';
import type { ObjectProgress, Rejection } from './programmed-tracker';

export type Condition = ConditionInput;

export interface ObjectStatusInputs {
  readonly kind: string;
  /** The version in effect (the last good one); undefined when no version was ever valid. */
  readonly object: KubeObject | undefined;
  /** Why the latest version was rejected (names the field), if it was. */
  readonly invalid: string | undefined;
  /** Model errors whose source is this object. */
  readonly modelErrors: readonly ModelError[];
  /** Resources built from this object that Tower could not build (any view, each once). */
  readonly translationErrors: readonly TranslationError[];
  /** ACK/NACK progress of the resources built from this object; undefined when no client uses it. */
  readonly progress: ObjectProgress | undefined;
  /** Gateways: reference problems found on the model (certificate Secrets), replacing missing-secret errors. */
  readonly refProblems?: readonly string[];
}

const maxMessage = 32_768;
const maxListed = 5;
const clip = (s: string): string => (s.length > maxMessage ? `${s.slice(0, maxMessage - 1)}…` : s);

const describe = (e: ModelError): string => `${e.path}: ${e.message}`;

function listed(items: readonly string[]): string {
  const shown = items.slice(0, maxListed).join('; ');
  return items.length > maxListed ? `${shown}; and ${items.length - maxListed} more` : shown;
}

const refReasons: Partial<Record<ModelError['code'], string>> = {
  'missing-backend': ConditionReason.BackendNotFound,
  'missing-secret': ConditionReason.InvalidCertificateRef,
  'missing-target': ConditionReason.TargetNotFound,
};

interface Spec { rules?: { matches?: unknown[] }[]; targetRefs?: unknown[]; parentRefs?: unknown[] }
const specOf = (o: KubeObject | undefined): Spec => ((o as { spec?: Spec } | undefined)?.spec ?? {});

/** How many matches (RoutePolicy) or targets (policies) a conflict can take from the object. */
function conflictUnits(kind: string, object: KubeObject | undefined): number {
  const spec = specOf(object);
  if (kind === 'RoutePolicy') return (spec.rules ?? []).reduce((n, r) => n + Math.max(1, r.matches?.length ?? 0), 0);
  return spec.targetRefs?.length ?? 0;
}

const distinctPaths = (errors: readonly ModelError[]): number => new Set(errors.map((e) => e.path)).size;

function roleLabel(role: string): string {
  return role === 'proxyless' ? 'proxyless gRPC clients' : `${role} proxies`;
}

/** "programmed on 2 of 2 gateway proxies, 1 of 3 sidecar proxies". */
function progressSummary(p: ObjectProgress): { total: number; programmed: number; text: string } {
  let total = 0;
  let programmed = 0;
  const parts: string[] = [];
  for (const role of [...p.byRole.keys()].sort()) {
    const rp = p.byRole.get(role)!;
    total += rp.total;
    programmed += rp.programmed;
    parts.push(`${rp.programmed} of ${rp.total} ${roleLabel(role)}`);
  }
  return { total, programmed, text: `programmed on ${parts.join(', ')}` };
}

const describeRejection = (r: Rejection): string => `${r.role} proxy ${r.nodeId} rejected ${r.type} ${r.resource}: ${r.message}`;

function describeTranslation(e: TranslationError): string {
  const type = e.typeUrl.slice(e.typeUrl.lastIndexOf('.') + 1);
  const detail = e.errors.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
  return `${type} ${e.name} [${e.reason}]: ${detail}${e.servingLastGood ? ' (its last good version is still served)' : ''}`;
}

export function objectConditions(i: ObjectStatusInputs): Condition[] {
  const generation = i.invalid === undefined ? i.object?.metadata.generation : undefined;
  const gen = generation !== undefined ? { observedGeneration: generation } : {};
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string): Condition => ({ type, status, reason, message: clip(message), ...gen });
  const out: Condition[] = [];

  // Accepted (and Conflicted)
  const errs = (codes: readonly ModelError['code'][]) => i.modelErrors.filter((e) => codes.includes(e.code));
  const invalidObject = errs(['invalid-object']);
  const conflicts = errs(['route-conflict', 'policy-conflict']);
  const noParent = errs(['invalid-route']);
  const partial = errs(['invalid-gateway', 'unsupported-policy']);
  const parents = specOf(i.object).parentRefs?.length ?? 0;
  let accepted: Condition;
  if (i.invalid !== undefined) {
    accepted = cond('Accepted', 'False', ConditionReason.Invalid, `${i.invalid}${i.object ? '; the last good version stays in effect' : ''}`);
  } else if (!i.object) {
    accepted = cond('Accepted', 'False', ConditionReason.Invalid, `${i.kind} is not in the model`);
  } else if (invalidObject.length > 0) {
    accepted = cond('Accepted', 'False', ConditionReason.Invalid, listed(invalidObject.map(describe)));
  } else if (conflicts.length > 0 && distinctPaths(conflicts) >= conflictUnits(i.kind, i.object)) {
    accepted = cond('Accepted', 'False', ConditionReason.Conflicted, listed(conflicts.map(describe)));
  } else if (noParent.length > 0 && parents > 0 && distinctPaths(noParent) >= parents) {
    accepted = cond('Accepted', 'False', ConditionReason.NoMatchingParent, listed(noParent.map(describe)));
  } else {
    const notes = [...partial, ...noParent].map(describe);
    accepted = cond('Accepted', 'True', ConditionReason.Accepted, notes.length > 0 ? `${i.kind} accepted; ${listed(notes)}` : `${i.kind} accepted`);
  }
  out.push(accepted);
  if (accepted.status === 'True' && conflicts.length > 0) {
    out.push(cond('Conflicted', 'True', ConditionReason.Conflicted, listed(conflicts.map(describe))));
  }

  // ResolvedRefs
  const refErrors = i.modelErrors.filter((e) => refReasons[e.code] !== undefined && !(i.refProblems && e.code === 'missing-secret'));
  const problems = [...(i.refProblems ?? []), ...refErrors.map(describe)];
  if (problems.length === 0) out.push(cond('ResolvedRefs', 'True', ConditionReason.ResolvedRefs, 'All references resolved'));
  else {
    const reason = i.refProblems && i.refProblems.length > 0 ? ConditionReason.InvalidCertificateRef : refReasons[refErrors[0]!.code]!;
    out.push(cond('ResolvedRefs', 'False', reason, listed(problems)));
  }

  // Programmed
  const progress = i.progress;
  const summary = progress ? progressSummary(progress) : undefined;
  const rejections = progress?.rejections ?? [];
  if (rejections.length > 0) {
    const waiting = summary && summary.total > 0 ? `; ${summary.text}` : '';
    out.push(cond('Programmed', 'False', ConditionReason.Rejected, `${listed(rejections.map(describeRejection))}${waiting}`));
  } else if (i.translationErrors.length > 0) {
    out.push(cond('Programmed', 'False', ConditionReason.Invalid, `Tower could not build ${listed(i.translationErrors.map(describeTranslation))}`));
  } else if (!summary || summary.total === 0) {
    out.push(cond('Programmed', 'False', ConditionReason.Pending, 'no connected proxy uses this object'));
  } else if (summary.programmed === summary.total) {
    out.push(cond('Programmed', 'True', ConditionReason.Programmed, summary.text));
  } else {
    out.push(cond('Programmed', 'False', ConditionReason.Pending, summary.text));
  }
  return out;
}

interface RefLike { group?: string; kind?: string; namespace?: string; name?: string; sectionName?: string; port?: number }

/** Errors about one spec list entry ("spec.parentRefs[2]", "spec.targetRefs[0].name"). */
const aboutRef = (errors: readonly ModelError[], list: string, i: number, codes: readonly ModelError['code'][]): ModelError[] =>
  errors.filter((e) => codes.includes(e.code) && (e.path === `spec.${list}[${i}]` || e.path.startsWith(`spec.${list}[${i}].`)));

function replaceAccepted(conditions: readonly Condition[], status: 'True' | 'False', reason: string, message: string): Condition[] {
  return conditions.map((c) => (c.type === 'Accepted' ? { ...c, status, reason, message: clip(message) } : c));
}

/**
 * Where the conditions go in the object's status, as the CRDs declare it:
 * every kind carries them at status.conditions (the whole object); a
 * RoutePolicy also once per parentRef (status.parents) and policies once per
 * Gateway or Service target (status.ancestors). A parent or target a model error names gets its own
 * Accepted=False (NoMatchingParent, Conflicted, TargetNotFound).
 */
export function statusBody(kind: string, object: KubeObject | undefined, conditions: readonly Condition[], modelErrors: readonly ModelError[], controllerName: string): StatusBody {
  if (kind === 'Gateway') return { conditions: [...conditions] };
  const namespace = object?.metadata.namespace;
  const spec = specOf(object) as { parentRefs?: RefLike[]; targetRefs?: RefLike[] };
  if (kind === 'RoutePolicy') {
    const parents = (spec.parentRefs ?? []).map((ref, i) => {
      const missing = aboutRef(modelErrors, 'parentRefs', i, ['invalid-route']);
      const conds = missing.length > 0 ? replaceAccepted(conditions, 'False', ConditionReason.NoMatchingParent, missing.map(describe).join('; ')) : [...conditions];
      return { parentRef: { ...ref, ...(namespace && ref.namespace === undefined ? { namespace } : {}) }, controllerName, conditions: conds };
    });
    return { conditions: [...conditions], parents };
  }
  const ancestors: RefStatus[] = [];
  const seen = new Set<string>();
  (spec.targetRefs ?? []).forEach((ref, i) => {
    if (ref.kind !== 'Gateway' && ref.kind !== 'Service') return; // RoutePolicy targets have no ancestor shape yet
    const ancestorRef = ref.kind === 'Gateway'
      ? { group: 'tower.dev', kind: 'Gateway', ...(namespace ? { namespace } : {}), name: ref.name ?? '', ...(ref.sectionName ? { sectionName: ref.sectionName } : {}) }
      : { group: '', kind: 'Service', ...(namespace ? { namespace } : {}), name: ref.name ?? '' };
    const id = JSON.stringify(ancestorRef);
    if (seen.has(id)) return;
    seen.add(id);
    const conflict = aboutRef(modelErrors, 'targetRefs', i, ['policy-conflict']);
    const missing = aboutRef(modelErrors, 'targetRefs', i, ['missing-target']);
    let conds = [...conditions];
    if (conflict.length > 0) conds = replaceAccepted(conds, 'False', ConditionReason.Conflicted, conflict.map(describe).join('; '));
    else if (missing.length > 0) conds = replaceAccepted(conds, 'False', ConditionReason.TargetNotFound, missing.map(describe).join('; '));
    ancestors.push({ ancestorRef, controllerName, conditions: conds });
  });
  return { conditions: [...conditions], ancestors };
}
