import * as assert from 'node:assert/strict';
import type { z } from 'zod';
import { formatIssues } from '../../src/api/kinds';

/** Parses `obj` and returns the formatted issues ("path: message"), failing if it parsed. */
export function issuesOf(schema: z.ZodType, obj: unknown): string[] {
  const r = schema.safeParse(obj);
  assert.equal(r.success, false, `expected rejection, but parsed: ${JSON.stringify(obj).slice(0, 200)}`);
  return formatIssues((r as { error: z.ZodError }).error);
}

/** Asserts that parsing fails with an issue at exactly `path` whose message matches `message`. */
export function assertIssue(schema: z.ZodType, obj: unknown, path: string, message: RegExp): void {
  const issues = issuesOf(schema, obj);
  const hit = issues.some((i) => i.split('; ').some((part) => part.startsWith(`${path}: `) && message.test(part.slice(path.length + 2))));
  assert.ok(hit, `expected an issue at ${path} matching ${message}, got:\n  ${issues.join('\n  ')}`);
}

/** Asserts that `obj` parses, showing the issues otherwise. */
export function assertParses<T>(schema: z.ZodType<T>, obj: unknown): T {
  const r = schema.safeParse(obj);
  if (!r.success) assert.fail(`expected to parse, got:\n  ${formatIssues(r.error).join('\n  ')}`);
  return r.data;
}
