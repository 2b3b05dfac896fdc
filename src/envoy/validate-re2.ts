/**
 * RE2 through re2-wasm. The library's RE2 class translates JavaScript regex
 * syntax first (e.g. it rewrites `(?<name>` and `\u0041`), so Tower uses the
 * wrapped RE2 object underneath, which sees the pattern exactly as Envoy's RE2
 * would.
 */
import { WrappedRE2 } from 're2-wasm/build/wasm/re2';

export interface CompiledRe2 {
  readonly ok: boolean;
  readonly error: string;
  test(input: string): boolean;
}

/**
 * Envoy refuses regexes whose RE2 program size exceeds
 * re2.max_program_size.error_level (default 100). re2-wasm does not expose the
 * program size, so Tower bounds the pattern length instead; see docs/validation.md.
 */
export const maxRegexLength = 1024;

const compiled = new Map<string, CompiledRe2>();

/** Compiles a pattern once (cached for the life of the process: only for patterns from Envoy's protos). */
export function compileRe2(pattern: string): CompiledRe2 {
  let c = compiled.get(pattern);
  if (c) return c;
  const w = new WrappedRE2(pattern, false, false, false);
  const ok = w.ok();
  c = { ok, error: ok ? '' : w.error(), test: (input: string) => ok && w.match(input, 0, false).index >= 0 };
  compiled.set(pattern, c);
  return c;
}

const verdicts = new Map<string, string | undefined>();
const maxVerdicts = 10000;

/**
 * RE2's own compile error for `pattern`, or undefined if it compiles. Results
 * are cached (bounded) and every wasm object is freed at once: re2-wasm's heap
 * is fixed, so leaked instances would eventually abort the process.
 */
export function re2CompileError(pattern: string): string | undefined {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  let error: string | undefined;
  let w: InstanceType<typeof WrappedRE2> | undefined;
  try {
    w = new WrappedRE2(pattern, false, false, false);
    error = w.ok() ? undefined : w.error() || 'invalid regex';
  } catch (e) {
    error = `cannot be compiled: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    (w as unknown as { delete?: () => void } | undefined)?.delete?.();
  }
  if (verdicts.size >= maxVerdicts) verdicts.clear();
  verdicts.set(pattern, error);
  return error;
}

/** Why Envoy's RE2 would reject `pattern` (too long, or not RE2), or undefined if it compiles. */
export function re2Problem(pattern: string): string | undefined {
  if (pattern.length > maxRegexLength) {
    return `regex is ${pattern.length} characters long; Tower accepts at most ${maxRegexLength} (Envoy bounds RE2 program size)`;
  }
  const error = re2CompileError(pattern);
  return error === undefined ? undefined : `not RE2: ${error}`;
}
