/**
 * The interface both sources (a folder of YAML, a Kubernetes cluster) implement.
 * A source validates what it reads against the kinds registry and reports
 * upserts, deletes, rejected objects and other errors as values; it never
 * throws for bad input and never stops serving because one object is bad.
 */
import type { KindInfo, KubeObject } from './kinds';

/** Where an object came from. */
export type Origin =
  /** document: 0-based index in a multi-document file; item: index inside a `kind: List`. */
  | { readonly source: 'file'; readonly file: string; readonly document: number; readonly item?: number }
  | { readonly source: 'cluster'; readonly cluster: string };

/** An error as a value, naming everything needed to find the bad input. */
export interface SourceError {
  /** One line, human readable, naming file/document/object/field. */
  readonly message: string;
  readonly origin?: Origin;
  /** kind/namespace/name of the object, when it could be read. */
  readonly key?: string;
  /** Field path from the schema, e.g. 'spec.ports[0].port'. */
  readonly field?: string;
  /** 1-based line and column of a YAML syntax error. */
  readonly line?: number;
  readonly column?: number;
}

export type SourceEvent =
  | { readonly type: 'upsert'; readonly key: string; readonly object: KubeObject; readonly kind: KindInfo; readonly origin: Origin }
  | { readonly type: 'delete'; readonly key: string; readonly kind: KindInfo; readonly origin: Origin }
  /** An object failed validation: it is skipped; the store keeps its last good version. */
  | { readonly type: 'invalid'; readonly key?: string; readonly error: SourceError }
  /** A problem not tied to one object (unreadable file, failed watch, ...). */
  | { readonly type: 'error'; readonly error: SourceError }
  /** The initial list/scan is complete: the store holds everything that existed at start. */
  | { readonly type: 'synced'; readonly source: string };

export type SourceListener = (event: SourceEvent) => void;

export interface Source {
  /** A short name for logs and the 'synced' event, e.g. 'files:/etc/tower' or 'kubernetes'. */
  readonly name: string;
  /** Starts reading; resolves once started (not necessarily synced). Events go to listener. */
  start(listener: SourceListener): Promise<void>;
  /** Stops every watch/timer; resolves when nothing is left open. */
  stop(): Promise<void>;
  /** Which Secrets Tower references (keys 'Secret/ns/name'); sources with 'referenced' kinds read only those. */
  setReferencedSecrets?(keys: ReadonlySet<string>): void;
}
