/** Pipeline output types. */
import type { FieldError } from '../envoy/field-error';
import type { ClientRole } from '../model/roles';
import type { ResourceTable, SourceRef } from '../xds/resource';

export type TranslationErrorReason =
  /** compileResource rejected it (proto decode or validate.rules). */
  | 'invalid'
  /** It references a resource that is not in the view (e.g. a route naming a cluster that failed). */
  | 'dangling'
  /** Two builders produced the same type and name. */
  | 'duplicate';

export interface TranslationError {
  readonly typeUrl: string;
  readonly name: string;
  readonly reason: TranslationErrorReason;
  /** The model objects the resource was built from. */
  readonly sources: readonly SourceRef[];
  readonly errors: readonly FieldError[];
  /** True when the client keeps receiving the last good version of the resource. */
  readonly servingLastGood: boolean;
}

export interface ResourceId {
  readonly typeUrl: string;
  readonly name: string;
}

export interface ViewResult {
  readonly viewKey: string;
  readonly role: ClientRole;
  /** Every valid resource of the view (unchanged resources are the same objects as before). */
  readonly table: ResourceTable;
  /** Every current error of the view. */
  readonly errors: readonly TranslationError[];
}

export interface ViewUpdate extends ViewResult {
  /** Resources added or whose version changed since the previous table of this view. */
  readonly changed: readonly ResourceId[];
  /** Resources no longer in the table. */
  readonly removed: readonly ResourceId[];
}
