import type { KindInfo, KubeObject } from '../sources/kinds';
import type { Origin, SourceError } from '../sources/source';

/** One object as the store holds it. */
export interface StoredObject {
  readonly key: string;
  readonly object: KubeObject;
  readonly kind: KindInfo;
  readonly origin: Origin;
  /** Hash of the kind's relevant content: equal hash, no change for Tower. */
  readonly hash: string;
}

/** What changed since the previous change set, as the subscriber sees it. */
export interface ChangeSet {
  /** True for the first change set after every awaited source synced: rebuild from snapshot(). */
  readonly initial: boolean;
  readonly upserted: readonly StoredObject[];
  readonly deleted: readonly { readonly key: string; readonly kind: string }[];
  /** Kind names (e.g. 'Service') of everything upserted or deleted. */
  readonly kindsTouched: ReadonlySet<string>;
  /** Objects rejected (their last good version stays) and other source errors since the last change set. */
  readonly errors: readonly SourceError[];
}

export interface StoreSnapshot {
  readonly objects: ReadonlyMap<string, StoredObject>;
  /** Objects of one kind, e.g. byKind('Service'). */
  byKind(kind: string): StoredObject[];
  /** Current validation errors by object key (objects whose latest version was rejected). */
  readonly errors: ReadonlyMap<string, SourceError>;
}
