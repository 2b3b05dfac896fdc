/**
 * Issued workload identities, one per namespace/service account, cached and
 * rotated: each certificate is re-issued at 2/3 of its lifetime and the
 * listeners are told, so the views using it are re-translated and re-pushed
 * (Envoy swaps SDS secrets without dropping connections). The translators
 * read it synchronously through IdentityLookup; issuing is asynchronous and
 * happens here, never in a translator.
 */
import { spiffeId } from '../../translators/rbac';
import { realClock, type Clock, type TimerHandle } from '../xds/clock';
import { defaultLeafLifetimeMs, issueLeaf, type IssuedIdentity } from './issue-leaf';
import type { RootCa } from './root-ca';

/** What translators read: the root to trust and the current certificate of an identity. */
export interface IdentityLookup {
  readonly rootCertPem: string;
  identity(namespace: string, serviceAccount: string): IssuedIdentity | undefined;
}

/** spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount> (the form translators/rbac.ts matches principals against). */
export function spiffeIdOf(trustDomain: string, namespace: string, serviceAccount: string): string {
  return spiffeId(trustDomain, namespace, serviceAccount);
}

export interface IdentityStoreOptions {
  readonly root: RootCa;
  readonly trustDomain: string;
  /** Leaf lifetime, default 24 h. */
  readonly lifetimeMs?: number;
  readonly clock?: Clock;
  /** Called when a rotation fails (the previous certificate stays until it expires; retried after 1/12 of the lifetime). */
  readonly onError?: (err: Error, namespace: string, serviceAccount: string) => void;
}

interface Entry {
  current?: IssuedIdentity;
  inflight?: Promise<IssuedIdentity>;
  timer?: TimerHandle;
}

export class MeshIdentityStore implements IdentityLookup {
  readonly rootCertPem: string;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(namespace: string, serviceAccount: string) => void>();
  private readonly clock: Clock;
  private readonly lifetimeMs: number;
  private closed = false;

  constructor(private readonly opts: IdentityStoreOptions) {
    this.rootCertPem = opts.root.certPem;
    this.clock = opts.clock ?? realClock;
    this.lifetimeMs = opts.lifetimeMs ?? defaultLeafLifetimeMs;
  }

  identity(namespace: string, serviceAccount: string): IssuedIdentity | undefined {
    return this.entries.get(`${namespace}/${serviceAccount}`)?.current;
  }

  /** The identity's certificate, issuing it on first use (concurrent callers share one issuance). */
  ensure(namespace: string, serviceAccount: string): Promise<IssuedIdentity> {
    const key = `${namespace}/${serviceAccount}`;
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = {}));
    if (e.current) return Promise.resolve(e.current);
    return (e.inflight ??= this.issue(key, namespace, serviceAccount, e));
  }

  /** Re-issues an identity's certificate now (as the 2/3-lifetime timer does); listeners are told. Issues it if it has none. */
  rotate(namespace: string, serviceAccount: string): Promise<IssuedIdentity> {
    const key = `${namespace}/${serviceAccount}`;
    const e = this.entries.get(key);
    if (!e?.current) return this.ensure(namespace, serviceAccount);
    if (e.inflight) return e.inflight;
    if (e.timer) this.clock.clearTimeout(e.timer);
    e.timer = undefined;
    return (e.inflight = this.issue(key, namespace, serviceAccount, e));
  }

  /** Called after an identity's certificate was rotated. Returns an unsubscribe function. */
  onRotated(fn: (namespace: string, serviceAccount: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Identities currently held ("ns/sa"). */
  keys(): string[] {
    return [...this.entries.keys()].filter((k) => this.entries.get(k)?.current);
  }

  /** Stops rotation timers; the store issues nothing afterwards. */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) if (e.timer) this.clock.clearTimeout(e.timer);
    this.entries.clear();
    this.listeners.clear();
  }

  private async issue(key: string, namespace: string, serviceAccount: string, e: Entry): Promise<IssuedIdentity> {
    try {
      const id = await issueLeaf(this.opts.root, spiffeIdOf(this.opts.trustDomain, namespace, serviceAccount), { lifetimeMs: this.lifetimeMs, now: new Date(this.clock.now()) });
      if (this.closed) return id;
      const rotated = e.current !== undefined;
      e.current = id;
      this.schedule(key, namespace, serviceAccount, e, Math.max(1000, Math.floor(((id.notAfter.getTime() - this.clock.now()) * 2) / 3)));
      if (rotated) for (const fn of this.listeners) fn(namespace, serviceAccount);
      return id;
    } finally {
      e.inflight = undefined;
    }
  }

  private schedule(key: string, namespace: string, serviceAccount: string, e: Entry, ms: number): void {
    if (e.timer) this.clock.clearTimeout(e.timer);
    e.timer = this.clock.setTimeout(() => {
      e.timer = undefined;
      if (this.closed || this.entries.get(key) !== e) return;
      e.inflight = this.issue(key, namespace, serviceAccount, e);
      e.inflight.catch((err: Error) => {
        this.opts.onError?.(err, namespace, serviceAccount);
        if (!this.closed) this.schedule(key, namespace, serviceAccount, e, Math.max(1000, Math.floor(this.lifetimeMs / 12)));
      });
    }, ms);
  }
}
