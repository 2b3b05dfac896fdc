/**
 * Writes status conditions to Tower's objects through the status subresource
 * (CustomObjectsApi get + patch…Status with a JSON merge patch). Only the leader writes; every replica
 * remembers the desired status, so a replica that becomes leader writes what
 * is still missing. A write is skipped when the object's live conditions
 * already say the same (type, status, reason, message, observedGeneration);
 * lastTransitionTime changes only when a condition's status changes.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiPath, type KubeApi } from '../../k8s/kube-api';
import { describeKubeError, httpStatusOf } from '../../k8s/kube-errors';
import { stableStringify } from '../kinds';
import { transitionTime, type ConditionInput } from '../../api/status';

/** A status condition as Tower's kinds declare it (src/api/status.ts). */
export type Condition = ConditionInput;

export interface StatusTarget {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name: string;
}

export type WriteResult = 'written' | 'unchanged' | 'not-leader' | 'gone' | 'failed';

export interface LeadershipView {
  readonly isLeader: boolean;
  onLeadershipChange?(fn: (leader: boolean) => void): void;
}

export interface StatusWriterStats {
  written: number;
  unchanged: number;
  notLeader: number;
  failed: number;
}

/** One entry of status.parents (routes) or status.ancestors (policies). */
export interface RefStatus {
  parentRef?: Record<string, unknown>;
  ancestorRef?: Record<string, unknown>;
  controllerName: string;
  conditions: Condition[];
}

/**
 * The part of an object's status Tower owns: top-level conditions (Gateways),
 * parents (RoutePolicies) or ancestors (policies), each replaced whole.
 */
export interface StatusBody {
  conditions?: Condition[];
  parents?: RefStatus[];
  ancestors?: RefStatus[];
}

const comparableConditions = (cs: readonly Condition[]) =>
  [...cs].sort((a, b) => a.type.localeCompare(b.type)).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, observedGeneration: c.observedGeneration }));

const refOf = (r: RefStatus): string => stableStringify(r.parentRef ?? r.ancestorRef ?? {});

/** A status body without transition times, in a stable form. */
function comparable(b: StatusBody): string {
  const lists = (l: readonly RefStatus[] | undefined) => l?.map((r) => ({ ref: refOf(r), controllerName: r.controllerName, conditions: comparableConditions(r.conditions) }));
  return stableStringify({ conditions: b.conditions && comparableConditions(b.conditions), parents: lists(b.parents), ancestors: lists(b.ancestors) });
}

/** `body` with only the fields Tower sets (a live object's status also holds what others wrote). */
function ownedPart(live: StatusBody, want: StatusBody): StatusBody {
  return {
    ...(want.conditions ? { conditions: live.conditions ?? [] } : {}),
    ...(want.parents ? { parents: live.parents ?? [] } : {}),
    ...(want.ancestors ? { ancestors: live.ancestors ?? [] } : {}),
  };
}

/** Fills lastTransitionTime from the live conditions of the same list (the one rule of src/api/status.ts). */
function withTransitionTimes(want: StatusBody, live: StatusBody, now: Date): StatusBody {
  const stamp = (cs: readonly Condition[], prev: readonly Condition[]) => cs.map((c) => ({ ...c, lastTransitionTime: transitionTime(prev.find((p) => p.type === c.type), c, now) }));
  const refs = (l: readonly RefStatus[] | undefined, prev: readonly RefStatus[] | undefined) =>
    l?.map((r) => ({ ...r, conditions: stamp(r.conditions, (prev ?? []).find((p) => refOf(p) === refOf(r))?.conditions ?? []) }));
  const out: StatusBody = {};
  if (want.conditions) out.conditions = stamp(want.conditions, live.conditions ?? []);
  if (want.parents) out.parents = refs(want.parents, live.parents);
  if (want.ancestors) out.ancestors = refs(want.ancestors, live.ancestors);
  return out;
}

export class StatusWriter {
  private readonly desired = new Map<string, { target: StatusTarget; body: StatusBody }>();
  /** What this replica last wrote or saw live, per object, in comparable form. */
  private readonly confirmed = new Map<string, string>();
  readonly stats: StatusWriterStats = { written: 0, unchanged: 0, notLeader: 0, failed: 0 };
  private readonly now: () => Date;

  constructor(
    private readonly api: KubeApi,
    private readonly leadership: LeadershipView,
    opts: { now?: () => Date; onError?: (err: Error) => void } = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.onError = opts.onError;
    leadership.onLeadershipChange?.((leader) => {
      if (leader) void this.resync();
      else this.confirmed.clear(); // someone else may write while we are not leading
    });
  }

  private readonly onError: ((err: Error) => void) | undefined;

  /** Sets an object's top-level conditions (Tower owns the whole conditions list of its objects). */
  async setConditions(target: StatusTarget, conditions: readonly Condition[]): Promise<WriteResult> {
    return this.setStatus(target, { conditions: conditions.map((c) => ({ ...c })) });
  }

  /** Sets the parts of an object's status Tower owns (each field given is replaced whole). */
  async setStatus(target: StatusTarget, body: StatusBody): Promise<WriteResult> {
    const key = this.keyOf(target);
    this.desired.set(key, { target, body: structuredClone(body) });
    return this.write(key);
  }

  /** Forgets an object (deleted): nothing more is written for it. */
  forget(target: StatusTarget): void {
    const key = this.keyOf(target);
    this.desired.delete(key);
    this.confirmed.delete(key);
  }

  /** Writes every desired status not confirmed yet (called on becoming leader). */
  async resync(): Promise<void> {
    for (const key of [...this.desired.keys()]) await this.write(key);
  }

  private keyOf(t: StatusTarget): string {
    return apiPath({ ...t, subresource: undefined });
  }

  private async write(key: string): Promise<WriteResult> {
    const d = this.desired.get(key);
    if (!d) return 'gone';
    if (!this.leadership.isLeader) {
      this.stats.notLeader++;
      return 'not-leader';
    }
    const want = comparable(d.body);
    if (this.confirmed.get(key) === want) {
      this.stats.unchanged++;
      return 'unchanged';
    }
    try {
      const t = d.target;
      const ref = { group: t.group, version: t.version, plural: t.plural, name: t.name };
      if (!t.group) throw new Error('status targets must be custom resources (an API group is required)');
      const live = (t.namespace
        ? await this.api.custom.getNamespacedCustomObject({ ...ref, namespace: t.namespace })
        : await this.api.custom.getClusterCustomObject(ref)) as { status?: StatusBody };
      const liveStatus = live.status ?? {};
      if (comparable(ownedPart(liveStatus, d.body)) === want) {
        this.confirmed.set(key, want);
        this.stats.unchanged++;
        return 'unchanged';
      }
      // The live conditions are the previous ones; a time the caller observed a change at is kept, `now` otherwise.
      const status = withTransitionTimes(d.body, liveStatus, this.now());
      if (!this.leadership.isLeader) {
        this.stats.notLeader++;
        return 'not-leader';
      }
      // client-node defaults patches to JSON Patch; a merge patch replaces just the fields given (arrays whole).
      const body = { status };
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      if (t.namespace) await this.api.custom.patchNamespacedCustomObjectStatus({ ...ref, namespace: t.namespace, body }, merge);
      else await this.api.custom.patchClusterCustomObjectStatus({ ...ref, body }, merge);
      // Only confirm if the desired status did not change while writing.
      if (this.desired.get(key) === d) this.confirmed.set(key, want);
      this.stats.written++;
      return 'written';
    } catch (e) {
      if (httpStatusOf(e) === 404) {
        this.forget(d.target);
        return 'gone';
      }
      this.stats.failed++;
      this.onError?.(new Error(`status write ${key}: ${describeKubeError(e)}`));
      return 'failed';
    }
  }
}
