/**
 * The compile step the pipeline runs every translated resource through:
 * compileResource from src/envoy/compile.ts (strict proto3 JSON decode,
 * validate.rules, encode once), and checkCrossReferences from
 * src/envoy/cross-refs.ts. Both are injected (Compiler) so the pipeline can be
 * tested and benchmarked against the real ones or a stand-in.
 */
import type { CompileResult } from '../envoy/compile';
import type { SourceRef } from '../xds/resource';

export type { CompileResult };

export type CompileFn = (typeUrl: string, name: string, json: unknown, sources?: readonly SourceRef[]) => CompileResult;

/** A dangling reference: resource (typeUrl, name) names `ref` of type refTypeUrl which is not in the table. */
export interface DanglingRef {
  readonly typeUrl: string;
  readonly name: string;
  readonly path: string;
  readonly message: string;
}

/** Given the resources of one view (type URL → name → proto3 JSON), the problems naming a resource to drop. */
export type CrossRefFn = (resources: ReadonlyMap<string, ReadonlyMap<string, unknown>>) => readonly DanglingRef[];

export interface Compiler {
  readonly compile: CompileFn;
  readonly crossRefs: CrossRefFn;
}
