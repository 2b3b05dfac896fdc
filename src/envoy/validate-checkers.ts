/**
 * protoc-gen-validate rules for one value (a scalar, an enum, a Duration,
 * a Timestamp, an Any), compiled once into small checker functions. A
 * checker returns undefined when the value passes, else the violation text,
 * which always names the rule, e.g. `must be >= 1 (validate.rules uint32.gte)`.
 */
import { isIP } from 'node:net';
import * as protobuf from 'protobufjs';
import { longToBigInt } from './json-codec';
import { compileRe2 } from './validate-re2';

export type Checker = (v: unknown) => string | undefined;
export type RuleObject = Record<string, unknown>;

const numericKinds = new Set([
  'float', 'double', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64',
]);

function asArray(v: unknown): unknown[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Combines checks that must all pass; returns the first violation. */
function all(checks: Checker[]): Checker | undefined {
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (v) => {
    for (const c of checks) {
      const m = c(v);
      if (m !== undefined) return m;
    }
    return undefined;
  };
}

/**
 * Range checks shared by numbers, durations and timestamps. `cmp` maps a
 * value to something comparable; PGV's exclusive ranges (lt < gt: value
 * must lie outside) are honoured.
 */
function rangeChecks<T>(kind: string, r: RuleObject, conv: (x: unknown) => T, fmt: (x: unknown) => string, checks: Checker[], valueOf: (v: unknown) => T): void {
  const tag = (k: string) => `(validate.rules ${kind}.${k})`;
  const has = (k: string) => r[k] !== undefined;
  const lower = has('gt') ? 'gt' : has('gte') ? 'gte' : undefined;
  const upper = has('lt') ? 'lt' : has('lte') ? 'lte' : undefined;
  const bound = (k: string) => conv(r[k]);
  const ok = (k: string, v: T): boolean => {
    const b = bound(k);
    switch (k) {
      case 'gt': return v > b;
      case 'gte': return v >= b;
      case 'lt': return v < b;
      default: return v <= b;
    }
  };
  const sym: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
  if (lower && upper && bound(upper) < bound(lower)) {
    checks.push((v) => {
      const x = valueOf(v);
      return ok(lower, x) || ok(upper, x)
        ? undefined
        : `must be ${sym[lower]} ${fmt(r[lower])} or ${sym[upper]} ${fmt(r[upper])} ${tag(`${lower}/${upper}`)}`;
    });
    return;
  }
  for (const k of [lower, upper]) {
    if (!k) continue;
    checks.push((v) => (ok(k, valueOf(v)) ? undefined : `must be ${sym[k]} ${fmt(r[k])} ${tag(k)}`));
  }
}

function numberValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) return 0;
  return Number(longToBigInt(v));
}

function numericChecker(kind: string, r: RuleObject): Checker | undefined {
  const tag = (k: string) => `(validate.rules ${kind}.${k})`;
  const checks: Checker[] = [];
  if (r.const !== undefined) {
    const c = Number(r.const);
    checks.push((v) => (numberValue(v) === c ? undefined : `must equal ${c} ${tag('const')}`));
  }
  rangeChecks(kind, r, (x) => Number(x), (x) => String(x), checks, numberValue);
  const inList = asArray(r.in)?.map(Number);
  if (inList) checks.push((v) => (inList.includes(numberValue(v)) ? undefined : `must be one of [${inList.join(', ')}] ${tag('in')}`));
  const notIn = asArray(r.not_in)?.map(Number);
  if (notIn) checks.push((v) => (notIn.includes(numberValue(v)) ? `must not be one of [${notIn.join(', ')}] ${tag('not_in')}` : undefined));
  const c = all(checks);
  if (c && r.ignore_empty) return (v) => (numberValue(v) === 0 ? undefined : c(v));
  return c;
}

// ----- strings

/** Header name/value regexes of protoc-gen-validate's well_known_regex (strict and non-strict). */
const headerNameStrict = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
const headerValueStrict = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
const headerLoose = /^[^\u0000\u000A\u000D]*$/;

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

const hostnameRe = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const uuidRe = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const emailRe = /^[^@\s]+@[^@\s]+$/;

function stringChecker(r: RuleObject, field: string): Checker | undefined {
  const tag = (k: string) => `(validate.rules string.${k})`;
  const checks: Checker[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (r.const !== undefined) checks.push((v) => (str(v) === r.const ? undefined : `must equal ${show(r.const)} ${tag('const')}`));
  if (r.len !== undefined) { const n = Number(r.len); checks.push((v) => (codePoints(str(v)) === n ? undefined : `must be exactly ${n} characters ${tag('len')}`)); }
  if (r.min_len !== undefined) {
    const n = Number(r.min_len);
    checks.push((v) => { const s = str(v); return s.length >= 2 * n || codePoints(s) >= n ? undefined : `must be at least ${n} characters long ${tag('min_len')}`; });
  }
  if (r.max_len !== undefined) {
    const n = Number(r.max_len);
    checks.push((v) => { const s = str(v); return s.length <= n || codePoints(s) <= n ? undefined : `must be at most ${n} characters long ${tag('max_len')}`; });
  }
  if (r.len_bytes !== undefined) { const n = Number(r.len_bytes); checks.push((v) => (utf8Length(str(v)) === n ? undefined : `must be exactly ${n} bytes ${tag('len_bytes')}`)); }
  if (r.min_bytes !== undefined) { const n = Number(r.min_bytes); checks.push((v) => (utf8Length(str(v)) >= n ? undefined : `must be at least ${n} bytes ${tag('min_bytes')}`)); }
  if (r.max_bytes !== undefined) {
    const n = Number(r.max_bytes);
    checks.push((v) => { const s = str(v); return s.length * 3 <= n || utf8Length(s) <= n ? undefined : `must be at most ${n} bytes ${tag('max_bytes')}`; });
  }
  if (typeof r.pattern === 'string') {
    const pattern = r.pattern;
    const re = compileRe2(pattern);
    if (!re.ok) throw new Error(`validate.rules string.pattern of ${field} is not RE2: ${re.error}`);
    checks.push((v) => (re.test(str(v)) ? undefined : `must match the pattern ${JSON.stringify(pattern)} ${tag('pattern')}`));
  }
  if (typeof r.prefix === 'string') { const p = r.prefix; checks.push((v) => (str(v).startsWith(p) ? undefined : `must start with ${show(p)} ${tag('prefix')}`)); }
  if (typeof r.suffix === 'string') { const p = r.suffix; checks.push((v) => (str(v).endsWith(p) ? undefined : `must end with ${show(p)} ${tag('suffix')}`)); }
  if (typeof r.contains === 'string') { const p = r.contains; checks.push((v) => (str(v).includes(p) ? undefined : `must contain ${show(p)} ${tag('contains')}`)); }
  if (typeof r.not_contains === 'string') { const p = r.not_contains; checks.push((v) => (str(v).includes(p) ? `must not contain ${show(p)} ${tag('not_contains')}` : undefined)); }
  const inList = asArray(r.in) as string[] | undefined;
  if (inList) checks.push((v) => (inList.includes(str(v)) ? undefined : `must be one of [${inList.map(show).join(', ')}] ${tag('in')}`));
  const notIn = asArray(r.not_in) as string[] | undefined;
  if (notIn) checks.push((v) => (notIn.includes(str(v)) ? `must not be one of [${notIn.map(show).join(', ')}] ${tag('not_in')}` : undefined));
  const wkr = r.well_known_regex;
  if (wkr !== undefined && wkr !== 'UNKNOWN' && wkr !== 0) {
    const strict = r.strict !== false;
    const isName = wkr === 'HTTP_HEADER_NAME' || wkr === 1;
    const re = strict ? (isName ? headerNameStrict : headerValueStrict) : headerLoose;
    const what = isName ? 'an HTTP header name' : 'an HTTP header value';
    const label = `well_known_regex ${isName ? 'HTTP_HEADER_NAME' : 'HTTP_HEADER_VALUE'}${strict ? '' : ' (strict: false)'}`;
    checks.push((v) => (re.test(str(v)) ? undefined : `must be ${what} ${tag(label)}`));
  }
  const formats: [string, (s: string) => boolean, string][] = [
    ['email', (s) => emailRe.test(s), 'an email address'],
    ['hostname', (s) => hostnameRe.test(s), 'a hostname'],
    ['ip', (s) => isIP(s) !== 0, 'an IP address'],
    ['ipv4', (s) => isIP(s) === 4, 'an IPv4 address'],
    ['ipv6', (s) => isIP(s) === 6, 'an IPv6 address'],
    ['address', (s) => isIP(s) !== 0 || hostnameRe.test(s), 'an IP address or hostname'],
    ['uuid', (s) => uuidRe.test(s), 'a UUID'],
    ['uri', (s) => { try { new URL(s); return true; } catch { return false; } }, 'an absolute URI'],
  ];
  for (const [k, test, what] of formats) {
    if (r[k] === true) checks.push((v) => (test(str(v)) ? undefined : `must be ${what} ${tag(k)}`));
  }
  const c = all(checks);
  if (c && r.ignore_empty) return (v) => (str(v) === '' ? undefined : c(v));
  return c;
}

function bytesChecker(r: RuleObject): Checker | undefined {
  const tag = (k: string) => `(validate.rules bytes.${k})`;
  const checks: Checker[] = [];
  const len = (v: unknown) => (v instanceof Uint8Array ? v.length : 0);
  const buf = (v: unknown) => Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(0));
  if (r.len !== undefined) { const n = Number(r.len); checks.push((v) => (len(v) === n ? undefined : `must be exactly ${n} bytes ${tag('len')}`)); }
  if (r.min_len !== undefined) { const n = Number(r.min_len); checks.push((v) => (len(v) >= n ? undefined : `must be at least ${n} bytes ${tag('min_len')}`)); }
  if (r.max_len !== undefined) { const n = Number(r.max_len); checks.push((v) => (len(v) <= n ? undefined : `must be at most ${n} bytes ${tag('max_len')}`)); }
  for (const k of ['prefix', 'suffix', 'contains'] as const) {
    if (typeof r[k] !== 'string') continue;
    const p = Buffer.from(r[k] as string, 'base64');
    const test = (b: Buffer) => (k === 'prefix' ? b.subarray(0, p.length).equals(p) : k === 'suffix' ? b.subarray(b.length - p.length).equals(p) : b.includes(p));
    checks.push((v) => (test(buf(v)) ? undefined : `must satisfy ${k} ${tag(k)}`));
  }
  if (r.ipv4 === true) checks.push((v) => (len(v) === 4 ? undefined : `must be an IPv4 address (4 bytes) ${tag('ipv4')}`));
  if (r.ipv6 === true) checks.push((v) => (len(v) === 16 ? undefined : `must be an IPv6 address (16 bytes) ${tag('ipv6')}`));
  if (r.ip === true) checks.push((v) => (len(v) === 4 || len(v) === 16 ? undefined : `must be an IP address (4 or 16 bytes) ${tag('ip')}`));
  const c = all(checks);
  if (c && r.ignore_empty) return (v) => (len(v) === 0 ? undefined : c(v));
  return c;
}

function enumChecker(r: RuleObject, enumType: protobuf.Enum | undefined): Checker | undefined {
  const tag = (k: string) => `(validate.rules enum.${k})`;
  const checks: Checker[] = [];
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const name = (n: number) => enumType?.valuesById[n] ?? String(n);
  if (r.const !== undefined) { const c = Number(r.const); checks.push((v) => (num(v) === c ? undefined : `must equal ${name(c)} ${tag('const')}`)); }
  if (r.defined_only === true && enumType) {
    const e = enumType;
    checks.push((v) => (e.valuesById[num(v)] !== undefined ? undefined : `${num(v)} is not a defined value of ${e.fullName.slice(1)} ${tag('defined_only')}`));
  }
  const inList = asArray(r.in)?.map(Number);
  if (inList) checks.push((v) => (inList.includes(num(v)) ? undefined : `must be one of [${inList.map(name).join(', ')}] ${tag('in')}`));
  const notIn = asArray(r.not_in)?.map(Number);
  if (notIn) checks.push((v) => (notIn.includes(num(v)) ? `must not be ${name(num(v))} ${tag('not_in')}` : undefined));
  return all(checks);
}

// ----- Duration / Timestamp / Any (applied to a present message)

function nanosOf(v: unknown): bigint {
  if (v === null || typeof v !== 'object') return 0n;
  const o = v as { seconds?: unknown; nanos?: unknown };
  return longToBigInt(o.seconds ?? 0) * 1000000000n + BigInt(typeof o.nanos === 'number' ? o.nanos : 0);
}

function fmtDuration(v: unknown): string {
  const n = nanosOf(v);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const s = a / 1000000000n;
  const frac = a % 1000000000n;
  return `${neg ? '-' : ''}${s}${frac ? `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}` : ''}s`;
}

function timeChecker(kind: 'duration' | 'timestamp', r: RuleObject): Checker | undefined {
  const tag = (k: string) => `(validate.rules ${kind}.${k})`;
  const checks: Checker[] = [];
  const fmt = kind === 'duration' ? fmtDuration : (x: unknown) => new Date(Number(nanosOf(x) / 1000000n)).toISOString();
  if (r.const !== undefined) { const c = nanosOf(r.const); checks.push((v) => (nanosOf(v) === c ? undefined : `must equal ${fmt(r.const)} ${tag('const')}`)); }
  rangeChecks(kind, r, nanosOf, fmt, checks, nanosOf);
  const inList = asArray(r.in)?.map(nanosOf);
  if (inList) checks.push((v) => (inList.includes(nanosOf(v)) ? undefined : `must be one of the allowed values ${tag('in')}`));
  const notIn = asArray(r.not_in)?.map(nanosOf);
  if (notIn) checks.push((v) => (notIn.includes(nanosOf(v)) ? `must not be ${fmt(v)} ${tag('not_in')}` : undefined));
  if (kind === 'timestamp') {
    const now = () => BigInt(Date.now()) * 1000000n;
    if (r.lt_now === true) checks.push((v) => (nanosOf(v) < now() ? undefined : `must be in the past ${tag('lt_now')}`));
    if (r.gt_now === true) checks.push((v) => (nanosOf(v) > now() ? undefined : `must be in the future ${tag('gt_now')}`));
    if (r.within !== undefined) {
      const w = nanosOf(r.within);
      checks.push((v) => { const d = nanosOf(v) - now(); return (d < 0n ? -d : d) <= w ? undefined : `must be within ${fmtDuration(r.within)} of now ${tag('within')}`; });
    }
  }
  return all(checks);
}

function anyChecker(r: RuleObject): Checker | undefined {
  const tag = (k: string) => `(validate.rules any.${k})`;
  const checks: Checker[] = [];
  const url = (v: unknown) => String((v as { type_url?: unknown } | null)?.type_url ?? '');
  const inList = asArray(r.in) as string[] | undefined;
  if (inList) checks.push((v) => (inList.includes(url(v)) ? undefined : `type must be one of [${inList.join(', ')}] ${tag('in')}`));
  const notIn = asArray(r.not_in) as string[] | undefined;
  if (notIn) checks.push((v) => (notIn.includes(url(v)) ? `type must not be ${url(v)} ${tag('not_in')}` : undefined));
  return all(checks);
}

/**
 * Compiles the rules of one kind (`uint32`, `string`, `duration`, …) for a
 * value. Throws on a malformed pattern in Envoy's own protos (a bug worth
 * failing loudly on at startup).
 */
export function compileKindRule(kind: string, r: RuleObject, field: string, enumType?: protobuf.Enum): Checker | undefined {
  if (numericKinds.has(kind)) return numericChecker(kind, r);
  switch (kind) {
    case 'string': return stringChecker(r, field);
    case 'bytes': return bytesChecker(r);
    case 'bool':
      if (r.const === undefined) return undefined;
      return (v) => ((v === true) === (r.const === true) ? undefined : `must be ${String(r.const)} (validate.rules bool.const)`);
    case 'enum': return enumChecker(r, enumType);
    case 'duration': return timeChecker('duration', r);
    case 'timestamp': return timeChecker('timestamp', r);
    case 'any': return anyChecker(r);
    default: return undefined;
  }
}
