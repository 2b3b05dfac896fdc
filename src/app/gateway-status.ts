/**
 * First status Tower writes: Accepted and ResolvedRefs conditions on
 * tower.dev/v1alpha1 Gateways (Kubernetes mode; written by the leader only,
 * see StatusWriter).
 *
 * - Accepted=True (Accepted) when the Gateway parsed and is in the model;
 *   Accepted=False (Invalid) with the validation error when its latest
 *   version was rejected (the model keeps serving the last good version).
 * - ResolvedRefs=True when every listener's certificateRefs names a
 *   kubernetes.io/tls Secret the model holds; False (InvalidCertificateRef)
 *   naming each missing or unusable Secret otherwise.
 *
 * Conditions are computed a short while after the last change (statusDelayMs)
 * so a Gateway whose Secret is read just after it does not flap.
 */
import { towerApiVersion, towerGroup, towerVersion } from '../api/common';
import { ConditionReason } from '../api/status';
import type { GatewayModel, MeshModel } from '../model/types';
import type { Logger } from '../observability/logger';
import type { KubeObject } from '../sources/kinds';
import type { Condition, StatusTarget, WriteResult } from '../sources/kubernetes/status-writer';
import type { ChangeSet } from '../store/change-set';
import type { Store } from '../store/store';

/** The part of StatusWriter the reporter uses. */
export interface ConditionSink {
  setConditions(target: StatusTarget, conditions: readonly Condition[]): Promise<WriteResult>;
  forget(target: StatusTarget): void;
}

export interface GatewayStatusDeps {
  readonly store: Store;
  readonly model: () => MeshModel;
  readonly writer: ConditionSink;
  readonly logger: Logger;
  /** Wait this long after the last change before computing statuses (default 200 ms). */
  readonly statusDelayMs?: number;
}

const maxMessage = 32_768;
const gatewayPrefix = 'Gateway/';

function targetOf(key: string): StatusTarget {
  const [, namespace = '', ...rest] = key.split('/');
  return { group: towerGroup, version: towerVersion, plural: 'gateways', namespace, name: rest.join('/') };
}

const clip = (s: string): string => (s.length > maxMessage ? `${s.slice(0, maxMessage - 1)}…` : s);

/**
 * The conditions of one Gateway. `object` is the last good version (undefined
 * when none was ever valid), `invalid` the error of a rejected latest version.
 */
export function gatewayConditions(
  object: KubeObject | undefined,
  invalid: string | undefined,
  gateway: GatewayModel | undefined,
  model: MeshModel,
  secretHeld: (key: string) => boolean,
): Condition[] {
  const generation = object?.metadata.generation;
  const gen = generation !== undefined ? { observedGeneration: generation } : {};
  const accepted: Condition =
    invalid !== undefined
      ? { type: 'Accepted', status: 'False', reason: ConditionReason.Invalid, message: clip(invalid), ...gen }
      : gateway
        ? { type: 'Accepted', status: 'True', reason: ConditionReason.Accepted, message: 'Gateway accepted', ...gen }
        : { type: 'Accepted', status: 'False', reason: ConditionReason.Invalid, message: 'Gateway is not in the model', ...gen };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const l of gateway?.listeners ?? []) {
    for (const ref of l.certificateRefs) {
      const key = `${ref.namespace}/${ref.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (model.secrets[key]) continue;
      problems.push(
        secretHeld(`Secret/${key}`)
          ? `Secret ${key} is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key`
          : `Secret ${key} not found`,
      );
    }
  }
  const resolved: Condition =
    problems.length === 0
      ? { type: 'ResolvedRefs', status: 'True', reason: ConditionReason.ResolvedRefs, message: 'All references resolved', ...gen }
      : { type: 'ResolvedRefs', status: 'False', reason: ConditionReason.InvalidCertificateRef, message: clip(problems.join('; ')), ...gen };
  return [accepted, resolved];
}

export class GatewayStatusReporter {
  /** Gateway keys (Gateway/ns/name) with a stored version or a pending error. */
  private readonly keys = new Set<string>();
  private readonly invalid = new Map<string, string>();
  /** What was last handed to the writer per key, to hand over changes only. */
  private readonly handed = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: GatewayStatusDeps) {}

  /** Called after each change set was applied to the model. */
  onChangeSet(cs: ChangeSet): void {
    if (this.closed) return;
    if (cs.initial) {
      const snap = this.deps.store.snapshot();
      for (const o of snap.byKind('Gateway')) if (o.object.apiVersion === towerApiVersion) this.keys.add(o.key);
      for (const [key, e] of snap.errors) if (key.startsWith(gatewayPrefix)) this.setInvalid(key, e.message);
    }
    for (const o of cs.upserted) {
      if (o.object.kind !== 'Gateway' || o.object.apiVersion !== towerApiVersion) continue;
      this.keys.add(o.key);
      this.invalid.delete(o.key);
    }
    for (const d of cs.deleted) {
      if (d.kind !== 'Gateway' || !d.key.startsWith(gatewayPrefix)) continue;
      this.keys.delete(d.key);
      this.invalid.delete(d.key);
      this.handed.delete(d.key);
      this.deps.writer.forget(targetOf(d.key));
    }
    for (const e of cs.errors) if (e.key?.startsWith(gatewayPrefix)) this.setInvalid(e.key, e.message);
    // Secrets and the model's gateways change statuses too: recompute after every change set.
    this.schedule();
  }

  /** Resolves when the statuses handed over so far were written (or skipped). */
  async idle(): Promise<void> {
    let w: Promise<unknown>;
    do {
      w = this.writing;
      await w;
    } while (w !== this.writing);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private setInvalid(key: string, message: string): void {
    this.keys.add(key);
    this.invalid.set(key, message);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.report();
    }, this.deps.statusDelayMs ?? 200);
    this.timer.unref();
  }

  private report(): void {
    if (this.closed) return;
    const { store, logger } = this.deps;
    const model = this.deps.model();
    const byKey = new Map(model.gateways.map((g) => [`${gatewayPrefix}${g.namespace}/${g.name}`, g]));
    const held = (key: string): boolean => store.get(key) !== undefined;
    for (const key of [...this.keys].sort()) {
      const stored = store.get(key);
      const object = stored && stored.object.apiVersion === towerApiVersion ? stored.object : undefined;
      const conditions = gatewayConditions(object, this.invalid.get(key), object ? byKey.get(key) : undefined, model, held);
      const sig = JSON.stringify(conditions);
      if (this.handed.get(key) === sig) continue;
      this.handed.set(key, sig);
      const target = targetOf(key);
      this.writing = this.writing.then(() =>
        this.deps.writer.setConditions(target, conditions).then(
          (r) => logger.debug({ gateway: key, result: r }, 'gateway status'),
          (err: unknown) => logger.warn({ err, gateway: key }, 'writing gateway status failed'),
        ),
      );
    }
  }
}
