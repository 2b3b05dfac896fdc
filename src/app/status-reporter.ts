/**
 * Status of every Tower object (tower.dev Gateway, RoutePolicy,
 * BackendPolicy, SecurityPolicy): one computation (object-status.ts) fed by
 * the store (rejected versions), the model (errors per object), the
 * translators (resources Tower could not build) and the ProgrammedTracker
 * (ACKs and NACKs), recomputed a short while after anything changes.
 *
 * - Every mode: the latest conditions are kept for the admin page
 *   /debug/status, and a warning is logged once when an object becomes
 *   rejected (Accepted=False), an info line when it is accepted again.
 * - Kubernetes mode: changed statuses go to a sink (StatusWriter: leader
 *   only, status subresource, skipped when the live status already says the
 *   same). A burst of changes (a fleet ACKing) is one computation and at most
 *   one write per object: changes within statusDelayMs are merged, and
 *   computation waits at most 5 × statusDelayMs.
 */
import { towerApiVersion, towerControllerName, towerGroup, towerVersion } from '../api/common';
import { towerKinds } from '../api/kinds';
import { transitionTime, type Condition as StatusCondition } from '../api/status';
import type { MeshModel, ModelError } from '../model/types';
import type { Logger } from '../observability/logger';
import type { KubeObject } from '../sources/kinds';
import type { TranslationError } from '../pipeline/types';
import type { StatusBody, StatusTarget, WriteResult } from '../sources/kubernetes/status-writer';
import type { ChangeSet } from '../store/change-set';
import type { Store } from '../store/store';
import { gatewayRefProblems } from './gateway-status';
import { objectConditions, statusBody, type Condition } from './object-status';
import { sourceKey, type ObjectProgress } from './programmed-tracker';

/** Where computed statuses are written (StatusWriter in Kubernetes mode). */
export interface ConditionSink {
  setStatus(target: StatusTarget, body: StatusBody): Promise<WriteResult>;
  forget(target: StatusTarget): void;
}

/** What the reporter reads from the pipeline (MeshTranslator). */
export interface PipelineState {
  model(): MeshModel;
  modelErrors(): readonly ModelError[];
  viewKeys(): string[];
  errors(viewKey: string): readonly TranslationError[];
}

export interface ObjectStatusDeps {
  readonly store: Store;
  readonly pipeline: PipelineState;
  /** ACK/NACK progress per object key; without it Programmed says no proxy uses the object. */
  readonly progress?: () => Map<string, ObjectProgress>;
  /** Kubernetes mode: where statuses are written. */
  readonly writer?: ConditionSink;
  readonly logger: Logger;
  /** Quiet period after the last change before computing (default 200 ms). */
  readonly statusDelayMs?: number;
  /** Quiet period after ACK/NACK/connect events (default 1000 ms: a fleet ACKing is one computation). */
  readonly programmedDelayMs?: number;
  readonly now?: () => Date;
}

/** One object's status as /debug/status shows it. */
export interface ObjectStatus {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** metadata.generation of the version in effect, when known. */
  readonly generation?: number;
  /** Conditions with lastTransitionTime. */
  readonly conditions: readonly StatusCondition[];
  /** What is written to the object's status subresource (Kubernetes mode). */
  readonly status: StatusBody;
}

const kindNames: ReadonlySet<string> = new Set<string>(towerKinds.map((k) => k.kind));
const pluralOf = new Map<string, string>(towerKinds.map((k) => [k.kind, k.plural]));

function splitKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

function targetOf(key: string): StatusTarget {
  const { kind, namespace, name } = splitKey(key);
  return { group: towerGroup, version: towerVersion, plural: pluralOf.get(kind) ?? '', namespace, name };
}

const isTowerKey = (key: string | undefined): key is string => key !== undefined && kindNames.has(key.slice(0, key.indexOf('/')));

export class ObjectStatusReporter {
  /** Tower object keys (Kind/ns/name) with a stored version or a pending error. */
  private readonly keys = new Set<string>();
  private readonly invalid = new Map<string, string>();
  private readonly current = new Map<string, ObjectStatus>();
  /** Comparable form of what was last handed to the writer, per key. */
  private readonly handed = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;
  /** When the pending report is due, and when the armed timer fires. */
  private fireAt = 0;
  private armedAt = 0;
  private writing: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Statuses in `current` were computed without ACK/NACK progress, or progress moved since (no writer). */
  private progressStale = true;
  private readonly now: () => Date;

  constructor(private readonly deps: ObjectStatusDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Called after each change set was applied to the model. */
  onChangeSet(cs: ChangeSet): void {
    if (this.closed) return;
    if (cs.initial) {
      const snap = this.deps.store.snapshot();
      for (const o of snap.objects.values()) if (o.object.apiVersion === towerApiVersion && kindNames.has(o.object.kind)) this.keys.add(o.key);
      for (const [key, e] of snap.errors) if (isTowerKey(key)) this.setInvalid(key, e.message);
    }
    for (const o of cs.upserted) {
      if (o.object.apiVersion !== towerApiVersion || !kindNames.has(o.object.kind)) continue;
      this.keys.add(o.key);
      this.invalid.delete(o.key);
    }
    for (const d of cs.deleted) {
      if (!this.keys.has(d.key)) continue;
      this.keys.delete(d.key);
      this.invalid.delete(d.key);
      this.handed.delete(d.key);
      this.current.delete(d.key);
      this.deps.writer?.forget(targetOf(d.key));
    }
    for (const e of cs.errors) if (isTowerKey(e.key)) this.setInvalid(e.key, e.message);
    this.schedule(this.deps.statusDelayMs ?? 200);
  }

  /** Something that changes Programmed happened (ACK, NACK, connect, disconnect, publish). */
  onProgress(): void {
    if (this.closed) return;
    // Without a writer nobody reads Programmed until /debug/status asks: aggregating
    // progress over a large fleet costs real CPU, so it is computed on demand then.
    if (!this.deps.writer) this.progressStale = true;
    else this.schedule(this.deps.programmedDelayMs ?? 1000);
  }

  /** Current statuses, sorted by key; filtered by kind, namespace and name when given. */
  list(filter: { kind?: string; namespace?: string; name?: string } = {}): ObjectStatus[] {
    if (this.progressStale && !this.closed) this.report(true);
    return [...this.current.keys()]
      .sort()
      .map((k) => this.current.get(k)!)
      .filter((s) => (filter.kind === undefined || s.kind.toLowerCase() === filter.kind.toLowerCase()) && (filter.namespace === undefined || s.namespace === filter.namespace) && (filter.name === undefined || s.name === filter.name));
  }

  /** Computes now (skipping the delay); tests and shutdown. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.report(true);
  }

  /** Resolves when nothing is scheduled and the statuses handed over so far were written (or skipped). */
  async idle(): Promise<void> {
    let w: Promise<unknown>;
    do {
      while (this.timer && !this.closed) await new Promise((r) => setTimeout(r, 5));
      w = this.writing;
      await w;
    } while (w !== this.writing || (this.timer && !this.closed));
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

  /** Computes `delay` after the last call, at most 5 × delay after the first uncomputed one. */
  private schedule(delay: number): void {
    const t = Date.now();
    if (!this.timer) this.deadline = t + 5 * delay;
    this.deadline = Math.min(this.deadline, t + 5 * delay);
    // Fires at the latest event's time + delay, never after the deadline. One timer: a later target
    // (the common case, an ACK after an ACK) is picked up when it fires; only an earlier one re-arms it.
    this.fireAt = Math.min(t + delay, this.deadline);
    if (this.timer && this.fireAt >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.arm(t);
  }

  private arm(now: number): void {
    this.armedAt = this.fireAt;
    this.timer = setTimeout(() => {
      const late = Date.now();
      if (this.fireAt > late) return this.arm(late); // pushed back by events since it was armed
      this.timer = undefined;
      this.report(this.deps.writer !== undefined);
    }, Math.max(0, this.fireAt - now));
    this.timer.unref();
  }

  /** withProgress: aggregate ACK/NACK progress too (always with a writer; on demand without one). */
  private report(withProgress: boolean): void {
    if (this.closed) return;
    try {
      this.compute(withProgress);
    } catch (err) {
      // Status is diagnostics: a bug here must not take serving down.
      this.deps.logger.error({ err }, 'computing object status failed');
    }
  }

  private compute(withProgress: boolean): void {
    const { store, pipeline, logger } = this.deps;
    const model = pipeline.model();
    const gateways = new Map(model.gateways.map((g) => [`Gateway/${g.namespace}/${g.name}`, g]));
    const modelErrors = groupBy(pipeline.modelErrors(), (e) => [sourceKey(e.source)]);
    const translationErrors = new Map<string, TranslationError[]>();
    const seen = new Set<string>();
    for (const view of pipeline.viewKeys()) {
      for (const e of pipeline.errors(view)) {
        for (const key of new Set(e.sources.map(sourceKey))) {
          const id = `${key}|${e.typeUrl}|${e.name}|${e.reason}`;
          if (seen.has(id)) continue;
          seen.add(id);
          push(translationErrors, key, e);
        }
      }
    }
    const progress = (withProgress && this.deps.progress?.()) || new Map<string, ObjectProgress>();
    this.progressStale = !withProgress;
    const held = (key: string): boolean => store.get(key) !== undefined;
    const now = this.now();
    for (const key of [...this.keys].sort()) {
      const { kind, namespace, name } = splitKey(key);
      const stored = store.get(key);
      const object = stored && stored.object.apiVersion === towerApiVersion ? stored.object : undefined;
      const errors = [...(modelErrors.get(key) ?? []), ...(kind === 'BackendPolicy' ? backendTargetErrors(object, model) : [])];
      const conditions = objectConditions({
        kind,
        object,
        invalid: this.invalid.get(key),
        modelErrors: errors,
        translationErrors: translationErrors.get(key) ?? [],
        progress: progress.get(key),
        ...(kind === 'Gateway' ? { refProblems: object ? gatewayRefProblems(gateways.get(key), model, held) : [] } : {}),
      });
      const prev = this.current.get(key);
      const stamped: StatusCondition[] = conditions.map((c) => ({ ...c, lastTransitionTime: transitionTime(prev?.conditions.find((p) => p.type === c.type), c, now) }));
      const generation = object?.metadata.generation;
      const body = statusBody(kind, object, stamped, errors, towerControllerName);
      this.current.set(key, { kind, namespace, name, ...(generation !== undefined ? { generation } : {}), conditions: stamped, status: body });
      this.logAcceptance(key, prev?.conditions, stamped);
      const writer = this.deps.writer;
      if (!writer) continue; // file mode: /debug/status only (a never-valid object gets status.conditions alone)
      const sig = JSON.stringify(strip(body));
      if (this.handed.get(key) === sig) continue;
      this.handed.set(key, sig);
      const target = targetOf(key);
      this.writing = this.writing.then(() =>
        writer.setStatus(target, body).then(
          (r: WriteResult) => logger.debug({ object: key, result: r }, 'object status'),
          (err: unknown) => logger.warn({ err, object: key }, 'writing object status failed'),
        ),
      );
    }
  }

  private logAcceptance(key: string, prev: readonly Condition[] | undefined, next: readonly Condition[]): void {
    const was = prev?.find((c) => c.type === 'Accepted');
    const is = next.find((c) => c.type === 'Accepted');
    if (!is || was?.status === is.status) return;
    const { kind, namespace, name } = splitKey(key);
    const who = `${kind} ${namespace}/${name}`;
    if (is.status === 'False') this.deps.logger.warn({ object: key, reason: is.reason }, `${who} rejected (${is.reason}): ${is.message}`);
    else if (was?.status === 'False') this.deps.logger.info({ object: key }, `${who} accepted again`);
  }
}

/** BackendPolicy targets the model cannot attach to (the model skips them silently). */
function backendTargetErrors(object: KubeObject | undefined, model: MeshModel): ModelError[] {
  if (!object) return [];
  const namespace = object.metadata.namespace ?? '';
  const source = { kind: object.kind, namespace, name: object.metadata.name };
  const refs = ((object as { spec?: { targetRefs?: { name: string; sectionName?: string }[] } }).spec?.targetRefs) ?? [];
  const out: ModelError[] = [];
  refs.forEach((r, i) => {
    const svc = model.services[`${namespace}/${r.name}`];
    const path = `spec.targetRefs[${i}]`;
    if (!svc) out.push({ code: 'missing-target', source, path, message: `service ${namespace}/${r.name} does not exist; the policy applies nowhere there` });
    else if (r.sectionName !== undefined && !svc.ports.some((p) => p.name === r.sectionName)) {
      out.push({ code: 'missing-target', source, path: `${path}.sectionName`, message: `service ${namespace}/${r.name} has no port named "${r.sectionName}"` });
    }
  });
  return out;
}

function strip(body: StatusBody): unknown {
  const c = (cs: readonly Condition[] | undefined) => cs?.map(({ lastTransitionTime: _t, ...rest }) => rest);
  return {
    conditions: c(body.conditions),
    parents: body.parents?.map((p) => ({ ...p, conditions: c(p.conditions) })),
    ancestors: body.ancestors?.map((p) => ({ ...p, conditions: c(p.conditions) })),
  };
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const l = m.get(key);
  if (l) l.push(v);
  else m.set(key, [v]);
}

function groupBy<T>(items: readonly T[], keys: (t: T) => string[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) for (const k of keys(it)) push(m, k, it);
  return m;
}
