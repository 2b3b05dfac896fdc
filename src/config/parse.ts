/**
 * Parses a command's flags (node:util parseArgs, strict) and environment
 * against its settings table. Flags override environment variables, which
 * override defaults. Every failure is a ConfigError naming the flag or
 * variable and the offending value.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './errors';
import type { Setting } from './settings';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ParsedSettings {
  /** Validated values keyed by flag name; absent when unset and without default. */
  readonly values: ReadonlyMap<string, unknown>;
  /** Where each value came from, for logs: 'flag', 'env' or 'default'. */
  readonly origin: ReadonlyMap<string, 'flag' | 'env' | 'default'>;
  readonly positionals: readonly string[];
}

function zodMessage(err: { issues: ReadonlyArray<{ message: string }> }): string {
  return err.issues.map((i) => i.message).join('; ');
}

function quote(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function parseSettings(
  command: string,
  argv: readonly string[],
  env: Env,
  settings: readonly Setting[],
  opts: { allowPositionals?: boolean } = {},
): ParsedSettings {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of settings) options[s.flag] = { type: s.kind };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: opts.allowPositionals ?? false });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const msg = e.message ?? String(err);
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
      throw new ConfigError(`tower ${command}: unknown flag ${flag} (see 'tower ${command} --help')`);
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']+)'/.exec(msg)?.[1] ?? msg;
      throw new ConfigError(`tower ${command}: unexpected argument ${JSON.stringify(arg)} (see 'tower ${command} --help')`);
    }
    throw new ConfigError(`tower ${command}: ${msg.replace(/\s*\n\s*/g, " ")}`);
  }

  const values = new Map<string, unknown>();
  const origin = new Map<string, 'flag' | 'env' | 'default'>();
  const flagValues = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  for (const s of settings) {
    const fromFlag = flagValues[s.flag];
    const fromEnv = s.env !== undefined ? env[s.env] : undefined;
    let raw: unknown;
    let where: string;
    if (fromFlag !== undefined) {
      raw = Array.isArray(fromFlag) ? fromFlag[fromFlag.length - 1] : fromFlag;
      where = `flag --${s.flag}`;
      origin.set(s.flag, 'flag');
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw = fromEnv;
      where = `environment variable ${s.env}`;
      origin.set(s.flag, 'env');
    } else {
      if (s.default !== undefined) {
        values.set(s.flag, s.default);
        origin.set(s.flag, 'default');
      }
      continue;
    }
    const result = s.schema.safeParse(raw);
    if (!result.success) {
      throw new ConfigError(`tower ${command}: invalid ${where}=${quote(raw)}: ${zodMessage(result.error)}`);
    }
    values.set(s.flag, result.data);
  }
  return { values, origin, positionals: parsed.positionals };
}
