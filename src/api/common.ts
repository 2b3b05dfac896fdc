/**
 * Building blocks shared by Tower's CRD schemas (tower.dev/v1alpha1): names,
 * hostnames, durations, percentages, RE2 regexes, header names, and small
 * refinement helpers. Every string has a maxLength, every list a maxItems and
 * every number a minimum and maximum, so both zod and the generated CRD
 * OpenAPI schema bound the size of what an operator can apply.
 */
import { z } from 'zod';
import { maxRegexLength, re2CompileError } from '../envoy/validate-re2';

export const towerGroup = 'tower.dev';
export const towerVersion = 'v1alpha1';
export const towerApiVersion = `${towerGroup}/${towerVersion}`;
/** controllerName Tower writes into route and policy statuses. */
export const towerControllerName = 'tower.dev/controller';

/** A DNS-1123 label: namespaces, section (listener/rule/port) names. */
export const Dns1123Label = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lower-case letters, digits and "-")');
/** A DNS-1123 subdomain: object names. */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")');
export const Namespace = Dns1123Label;
/** Listener, rule or port name referenced by sectionName. */
export const SectionName = Dns1123Label;

/** A hostname that may start with a "*." wildcard label (Gateway API Hostname). */
export const Hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a lower-case DNS hostname, optionally starting with "*."',
  );
/** A hostname without wildcard (redirect/rewrite targets, SNI). */
export const PreciseHostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a lower-case DNS hostname without wildcard');

export const PortNumber = z.number().int().min(1).max(65535);
/** A percentage 0..100; fractions allowed (0.1 = one request in a thousand). */
export const Percent = z.number().min(0).max(100);

/** HTTP header name (RFC 7230 token), compared case-insensitively. */
export const HeaderName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be an HTTP header name (RFC 7230 token characters)');
export const HeaderValue = z.string().max(4096);

export const HttpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
export type HttpMethod = z.infer<typeof HttpMethod>;

export const HttpStatusCode = z.number().int().min(100).max(599);

// ---------------------------------------------------------------- durations

/** Gateway API Duration (GEP-2257): up to four <1..5 digits><h|m|s|ms> groups. */
export const durationPattern = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
export const Duration = z
  .string()
  .min(2)
  .max(32)
  .regex(durationPattern, 'must be a duration such as "1s", "250ms" or "1h2m" (units h, m, s, ms)');
export type Duration = z.infer<typeof Duration>;

const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parses a Gateway API duration string to milliseconds; throws a clear error on bad input. */
export function parseDurationMs(d: string): number {
  if (typeof d !== 'string' || !durationPattern.test(d)) {
    throw new Error(`invalid duration ${JSON.stringify(d)}: expected e.g. "1s", "250ms" or "1h2m" (units h, m, s, ms)`);
  }
  let total = 0;
  for (const m of d.matchAll(/([0-9]{1,5})(ms|h|m|s)/g)) total += Number(m[1]) * unitMs[m[2]];
  return total;
}

/** Milliseconds of a duration, or undefined when it is not one (for refinements, which run even after a field failed). */
export function tryParseDurationMs(d: unknown): number | undefined {
  return typeof d === 'string' && durationPattern.test(d) ? parseDurationMs(d) : undefined;
}

/** Formats milliseconds as the shortest Gateway API duration ("1h2m", "1500ms" → "1s500ms"). */
export function formatDurationMs(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`invalid duration: ${ms} ms must be a non-negative integer`);
  if (ms === 0) return '0s';
  let out = '';
  let rest = ms;
  for (const u of ['h', 'm', 's', 'ms']) {
    const n = Math.floor(rest / unitMs[u]);
    if (n > 0) out += `${n}${u}`;
    rest -= n * unitMs[u];
  }
  return out;
}

/** A duration as google.protobuf.Duration fields (what Envoy's protos take). */
export function durationToProto(d: string): { seconds: number; nanos: number } {
  const ms = parseDurationMs(d);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

// ---------------------------------------------------------------- RE2

export { maxRegexLength } from '../envoy/validate-re2';

/** Returns why `pattern` is not a valid RE2 regex (Envoy's safe_regex dialect), or undefined if it is. */
export function re2Error(pattern: string): string | undefined {
  if (pattern.length > maxRegexLength) return `regex is ${pattern.length} characters, at most ${maxRegexLength} allowed`;
  return re2CompileError(pattern);
}

// ---------------------------------------------------------------- helpers

/** A string map with at most `max` entries (labels, selectors). */
export function boundedMap(max: number, key: z.ZodString, value: z.ZodString) {
  return z
    .record(key, value)
    .meta({ maxProperties: max })
    .superRefine((m, ctx) => {
      const n = Object.keys(m).length;
      if (n > max) ctx.addIssue({ code: 'custom', message: `has ${n} entries, at most ${max} allowed` });
    });
}

export const LabelKey = z
  .string()
  .min(1)
  .max(317)
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a Kubernetes label key');
export const LabelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a Kubernetes label value');

/** A list of scalars whose items must be unique (a Kubernetes "set" list). */
export function uniqueSet<T extends z.ZodType<string | number>>(item: T, max: number, min = 0) {
  const list = min > 0 ? z.array(item).min(min).max(max) : z.array(item).max(max);
  return list
    .meta({ 'x-kubernetes-list-type': 'set' })
    .superRefine((xs, ctx) => {
      const seen = new Set<unknown>();
      xs.forEach((x, i) => {
        if (seen.has(x)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate value ${JSON.stringify(x)}` });
        seen.add(x);
      });
    });
}

/** Reports items of `xs` whose key (as returned by `key`) repeats; `what` names the key in the message. */
export function reportDuplicates<T>(
  ctx: z.RefinementCtx,
  xs: readonly T[] | undefined,
  key: (x: T) => string | undefined,
  path: (string | number)[],
  what: string,
): void {
  const seen = new Set<string>();
  (xs ?? []).forEach((x, i) => {
    const k = key(x);
    if (k === undefined) return;
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `duplicate ${what} ${JSON.stringify(k)}` });
    seen.add(k);
  });
}

/** Checks that exactly the member of `obj` named by its `type` is set, among `members` (type → field). */
export function checkUnionMember(
  ctx: z.RefinementCtx,
  obj: Record<string, unknown>,
  type: string,
  members: Record<string, string>,
  path: (string | number)[] = [],
): void {
  for (const [t, field] of Object.entries(members)) {
    const set = obj[field] !== undefined;
    if (t === type && !set) ctx.addIssue({ code: 'custom', path: [...path, field], message: `must be set when type is ${type}` });
    if (t !== type && set) ctx.addIssue({ code: 'custom', path: [...path, field], message: `must not be set when type is ${type}` });
  }
}
