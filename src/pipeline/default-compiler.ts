/**
 * The compiler the pipeline uses by default: compileResource from
 * src/envoy/compile.ts (strict decode, validate.rules, encode once) and the
 * cross-reference check of src/envoy/cross-refs.ts.
 */
import { compileResource } from '../envoy/compile';
import type { Compiler } from './compiler';
import { envoyCrossRefs } from './envoy-cross-refs';

const compiler: Compiler = { compile: compileResource, crossRefs: envoyCrossRefs };

export function defaultCompiler(): Compiler {
  return compiler;
}
