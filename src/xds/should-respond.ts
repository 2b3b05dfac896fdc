/**
 * The ACK / NACK / stale decision for a state-of-the-world request, as one pure
 * function (compare Istio's pilot/pkg/xds ShouldRespond). Table-tested in
 * test/xds/should-respond.test.ts.
 *
 * | previous state for type | request                                  | kind    | subscription          | respond            |
 * |-------------------------|------------------------------------------|---------|-----------------------|--------------------|
 * | none                    | any                                      | initial | from names (*)        | yes                |
 * | exists                  | response_nonce = ''                      | initial | from names (*)        | yes                |
 * | exists                  | nonce != latest sent nonce               | stale   | unchanged             | no                 |
 * | exists                  | nonce = latest, error_detail set         | nack    | from names            | only if it changed |
 * | exists                  | nonce = latest, no error_detail          | ack     | from names            | only if it changed |
 *
 * (*) names containing '*' → wildcard. An empty list → wildcard for LDS/CDS
 * only while the stream has never named resources of that type; otherwise an
 * empty list unsubscribes from everything. NACK is decided by the presence of
 * error_detail alone, never by comparing versions. "respond" means the client
 * is owed a response for this type (new names are always sent); whether a
 * response is actually written also depends on ordering and in-flight state
 * (see `shouldPush`).
 */
import { isWildcardType } from '../envoy/type-urls';

/** '*' (wildcard) or an explicit set of names. */
export type Subscription = '*' | ReadonlySet<string>;

export interface SotwTypeState {
  subscribed: Subscription;
  /** Whether any request for this type on this stream has listed resource names. */
  everNamed: boolean;
  /** Nonce of the latest response sent for this type on this stream, if any. */
  lastNonce?: string;
}

export interface SotwRequestLike {
  typeUrl: string;
  resourceNames: readonly string[];
  responseNonce: string;
  errorDetail?: { code: number; message: string };
  /**
   * The request's names are byte-for-byte those of the request that produced
   * `prev.subscribed` (streams compare a digest instead of decoding ~1,000
   * repeated EDS names per ACK); `resourceNames` is then not read.
   */
  unchangedNames?: boolean;
}

export type RequestKind = 'initial' | 'ack' | 'nack' | 'stale';

export interface Decision {
  kind: RequestKind;
  respond: boolean;
  /** The subscription after this request. */
  subscription: Subscription;
  everNamed: boolean;
  /** Whether the subscription differs from the previous one. */
  changed: boolean;
}

export function sameSubscription(a: Subscription, b: Subscription): boolean {
  if (a === '*' || b === '*') return a === b;
  if (a.size !== b.size) return false;
  for (const n of a) if (!b.has(n)) return false;
  return true;
}

function subscriptionFrom(typeUrl: string, names: readonly string[], everNamed: boolean): Subscription {
  if (names.includes('*')) return '*';
  if (names.length === 0 && isWildcardType(typeUrl) && !everNamed) return '*';
  return new Set(names);
}

export function shouldRespond(prev: SotwTypeState | undefined, req: SotwRequestLike): Decision {
  if (prev && req.responseNonce !== '' && req.responseNonce !== prev.lastNonce) {
    return { kind: 'stale', respond: false, subscription: prev.subscribed, everNamed: prev.everNamed, changed: false };
  }
  // Same names as the request that produced prev.subscribed: same subscription, and everNamed already counts them.
  const same = prev !== undefined && req.unchangedNames === true;
  const everNamed = same ? prev.everNamed : (prev?.everNamed ?? false) || req.resourceNames.length > 0;
  const subscription = same ? prev.subscribed : subscriptionFrom(req.typeUrl, req.resourceNames, prev?.everNamed ?? false);
  const changed = !prev || (!same && !sameSubscription(prev.subscribed, subscription));
  if (!prev || req.responseNonce === '') return { kind: 'initial', respond: true, subscription, everNamed, changed };
  const kind: RequestKind = req.errorDetail ? 'nack' : 'ack';
  return { kind, respond: changed, subscription, everNamed, changed };
}

/** Delta requests: the nonce only pairs ACK/NACK with a response; subscription changes apply regardless. */
export function classifyDelta(lastNonce: string | undefined, req: { responseNonce: string; errorDetail?: unknown }): RequestKind {
  if (req.responseNonce === '') return 'initial';
  if (req.responseNonce !== lastNonce) return 'stale';
  return req.errorDetail ? 'nack' : 'ack';
}

/**
 * Whether a response for one type may be written now.
 * - never while a response of this type (or, on ADS, of an earlier type in push order) awaits ACK/NACK;
 * - when the content differs from the last response sent on this stream (so a NACKed version is never re-sent);
 * - when the client is owed a response (subscription change), unless that response would repeat a NACKed version.
 */
export function shouldPush(s: { blocked: boolean; desiredVersion: string; lastSentVersion?: string; owed: boolean; nackedVersion?: string }): boolean {
  if (s.blocked) return false;
  if (s.desiredVersion !== s.lastSentVersion) return true;
  return s.owed && s.desiredVersion !== s.nackedVersion;
}
