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
import type { ConditionInput } from '../../api/status';

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

const comparable = (cs: readonly Condition[]) =>
  stableStringify([...cs].sort((a, b) => a.type.localeCompare(b.type)).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, observedGeneration: c.observedGeneration })));

export class StatusWriter {
  private readonly desired = new Map<string, { target: StatusTarget; conditions: Condition[] }>();
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

  /** Sets an object's conditions (Tower owns the whole conditions list of its objects). */
  async setConditions(target: StatusTarget, conditions: readonly Condition[]): Promise<WriteResult> {
    const key = this.keyOf(target);
    this.desired.set(key, { target, conditions: conditions.map((c) => ({ ...c })) });
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
    const want = comparable(d.conditions);
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
        : await this.api.custom.getClusterCustomObject(ref)) as { status?: { conditions?: Condition[] } };
      const liveConds = live.status?.conditions ?? [];
      if (comparable(liveConds) === want) {
        this.confirmed.set(key, want);
        this.stats.unchanged++;
        return 'unchanged';
      }
      const nowIso = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const conditions = d.conditions.map((c) => {
        const prev = liveConds.find((p) => p.type === c.type);
        return { ...c, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : nowIso };
      });
      if (!this.leadership.isLeader) {
        this.stats.notLeader++;
        return 'not-leader';
      }
      // client-node defaults patches to JSON Patch; a merge patch replaces just status.conditions.
      const body = { status: { conditions } };
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
