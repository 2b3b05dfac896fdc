/**
 * One table describes every setting a command accepts: its flag, its
 * environment variable, how it is validated and its default. Parsing, error
 * messages and `--help` are all derived from it, so they cannot drift apart.
 */
import { z } from 'zod';

export interface Setting {
  /** Flag name without the leading dashes, e.g. 'xds-port'. */
  readonly flag: string;
  /** Environment variable, e.g. 'TOWER_XDS_PORT'; flags override it. */
  readonly env?: string;
  /** 'boolean' flags take no value; in the environment they are true/false/1/0. */
  readonly kind: 'string' | 'boolean';
  /** Validates the raw string (or boolean) and converts it. */
  readonly schema: z.ZodType<unknown>;
  readonly default?: unknown;
  readonly valueName?: string;
  readonly describe: string;
}

const digits = z.string().trim().regex(/^\d+$/, 'expected a whole number').transform(Number);

export const portSchema = digits.pipe(z.number().int().min(0, 'expected a port 0-65535').max(65535, 'expected a port 0-65535'));

export function millisSchema(max: number): z.ZodType<number> {
  return digits.pipe(z.number().int().min(0).max(max, `expected at most ${max} ms`));
}

export const hostSchema = z.string().trim().min(1, 'expected a host name or IP address');

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export const logLevelSchema = z.string().trim().toLowerCase().pipe(z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }));

export const pathSchema = z.string().min(1, 'expected a path');

/** Booleans from the environment: true/false/1/0/yes/no; from flags: presence. */
export const booleanSchema = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false' });
  return z.NEVER;
});

/** Renders settings as help lines: "  --xds-port N   ... (env TOWER_XDS_PORT, default 18000)". */
export function describeSettings(settings: readonly Setting[]): string {
  const left = settings.map((s) => `  --${s.flag}${s.kind === 'string' ? ` ${s.valueName ?? 'VALUE'}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return settings
    .map((s, i) => {
      const extras = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${String(s.default)}` : '']
        .filter(Boolean)
        .join(', ');
      return `${left[i]!.padEnd(width)}${s.describe}${extras ? ` (${extras})` : ''}`;
    })
    .join('\n');
}
