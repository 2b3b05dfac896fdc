/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it:
 * acquire when the lease is free or expired, renew every retry period, lose
 * leadership when renewals fail for longer than the renew deadline, release
 * (holderIdentity '') on a clean stop so another replica takes over at once.
 * Expiry is judged by the local clock from when this replica last saw the
 * lease record change, so clock skew between nodes does not matter.
 * Only status writing depends on leadership; every replica serves xDS.
 */
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { abortable, type KubeApi } from '../../k8s/kube-api';
import { describeKubeError, httpStatusOf } from '../../k8s/kube-errors';
import { sleep } from './backoff';

export interface LeaderElectorOptions {
  /** Leases are read and written with its CoordinationV1Api. */
  api: KubeApi;
  namespace: string;
  /** Lease name, e.g. 'tower'. */
  name: string;
  /** holderIdentity: the pod name. */
  identity: string;
  /** Default 15 s (whole seconds are written to the Lease). */
  leaseDurationMs?: number;
  /** Give up leadership when no renewal succeeded for this long (default 10 s). */
  renewDeadlineMs?: number;
  /** Time between attempts (default 2 s). */
  retryPeriodMs?: number;
  onError?: (err: Error) => void;
}

type LeaseSpec = NonNullable<V1Lease['spec']>;

/** A MicroTime: client-node's V1MicroTime serializes with the six fractional digits the API server requires. */
const microTime = (ms: number): V1MicroTime => new V1MicroTime(ms);
/** Comparable form of a Lease time (client-node may hand back a string or a Date). */
const timeKey = (t: unknown): string => (t instanceof Date ? t.toISOString() : String(t ?? ''));

export class LeaderElector {
  private readonly opts: Required<Omit<LeaderElectorOptions, 'onError'>> & Pick<LeaderElectorOptions, 'onError'>;
  private leader = false;
  private observedRecord = '';
  private observedAt = 0;
  private observedHolder: string | undefined;
  private lastRenew = 0;
  private readonly stopCtl = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly listeners: ((leader: boolean) => void)[] = [];

  constructor(opts: LeaderElectorOptions) {
    this.opts = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
    if (this.opts.renewDeadlineMs >= this.opts.leaseDurationMs) throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    if (!opts.identity) throw new Error('leader election: identity (pod name) is required');
  }

  private get callTimeoutMs(): number {
    return Math.max(1000, this.opts.retryPeriodMs * 2);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get identity(): string {
    return this.opts.identity;
  }

  /** The holder this replica last observed (itself when leading). */
  get observedLeader(): string | undefined {
    return this.observedHolder;
  }

  onLeadershipChange(fn: (leader: boolean) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning; with release (default) a held lease is handed over at once. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopCtl.abort();
    await this.loop;
    if (this.leader && (opts.release ?? true)) {
      try {
        const { api, name, namespace } = this.opts;
        const opts = abortable(AbortSignal.timeout(this.callTimeoutMs));
        const cur = await api.coordination.readNamespacedLease({ name, namespace }, opts);
        if (cur.spec?.holderIdentity === this.opts.identity) {
          const now = Date.now();
          const spec = { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) };
          await api.coordination.replaceNamespacedLease({ name, namespace, body: { ...cur, spec } }, opts);
        }
      } catch (e) {
        this.opts.onError?.(new Error(`leader election: releasing lease ${this.opts.namespace}/${this.opts.name}: ${describeKubeError(e)}`));
      }
    }
    this.setLeader(false);
  }

  private setLeader(v: boolean): void {
    if (this.leader === v) return;
    this.leader = v;
    for (const l of this.listeners) l(v);
  }

  private async run(): Promise<void> {
    const stop = this.stopCtl.signal;
    while (!stop.aborted) {
      let r: 'held' | 'other' | 'failed' = 'failed';
      try {
        r = await this.tryAcquireOrRenew();
      } catch (e) {
        if (!stop.aborted) this.opts.onError?.(new Error(`leader election: lease ${this.opts.namespace}/${this.opts.name}: ${describeKubeError(e)}`));
      }
      if (stop.aborted) break;
      const now = Date.now();
      if (r === 'held') {
        this.lastRenew = now;
        this.setLeader(true);
      } else if (r === 'other' || (this.leader && now - this.lastRenew > this.opts.renewDeadlineMs)) {
        this.setLeader(false);
      }
      // Non-leaders jitter their retries so replicas do not move in lock step.
      const wait = this.leader ? this.opts.retryPeriodMs : this.opts.retryPeriodMs * (1 + Math.random() * 0.2);
      await sleep(wait, stop);
    }
  }

  private async tryAcquireOrRenew(): Promise<'held' | 'other' | 'failed'> {
    const { api, name, identity, namespace } = this.opts;
    const now = Date.now();
    const durationSeconds = Math.max(1, Math.round(this.opts.leaseDurationMs / 1000));
    // A hung call must not keep a leader that cannot renew: each call gives up after callTimeoutMs (or on stop).
    const opts = abortable(AbortSignal.any([this.stopCtl.signal, AbortSignal.timeout(this.callTimeoutMs)]));
    let cur: V1Lease | undefined;
    try {
      cur = await api.coordination.readNamespacedLease({ name, namespace }, opts);
    } catch (e) {
      if (httpStatusOf(e) !== 404) throw e;
    }
    if (!cur) {
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      try {
        await api.coordination.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec } }, opts);
      } catch (e) {
        if (httpStatusOf(e) === 409) return 'failed'; // another replica created it first: re-read next round
        throw e;
      }
      this.observe(spec, now);
      return 'held';
    }
    const spec = cur.spec ?? {};
    this.observe(spec, now);
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && holder !== identity && this.observedAt + duration > now) return 'other';
    const mine = holder === identity;
    const next: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: mine ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      // metadata.resourceVersion is sent back: a concurrent update makes this a 409 (optimistic concurrency).
      await api.coordination.replaceNamespacedLease({ name, namespace, body: { ...cur, spec: next } }, opts);
    } catch (e) {
      if (httpStatusOf(e) === 409) return 'failed'; // someone else updated it: re-read next round
      throw e;
    }
    this.observe(next, now);
    return 'held';
  }

  private observe(spec: LeaseSpec, now: number): void {
    const record = JSON.stringify([spec.holderIdentity, timeKey(spec.renewTime), spec.leaseTransitions, spec.leaseDurationSeconds]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now;
    }
    this.observedHolder = spec.holderIdentity || undefined;
  }
}
