/**
 * Configuration of `tower dump`: which role's configuration to print from a
 * folder of manifests, without starting a server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import { parseSettings, type Env } from './parse';
import { pathSchema, type Setting } from './settings';

export const dumpRoles = ['gateway', 'sidecar', 'proxyless'] as const;
/** gateway[=ns/name], sidecar[-transparent|-explicit] or proxyless (see model/roles.ts roleFromFlag). */
export type DumpRole = string;
const roleSchema = z
  .string()
  .trim()
  .regex(/^(gateway(=[a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*)?|sidecar(-transparent|-explicit)?|proxyless)$/, {
    error: 'expected gateway[=NAMESPACE/NAME], sidecar[-transparent|-explicit] or proxyless',
  });
export const dumpTypes = ['cds', 'eds', 'lds', 'rds', 'sds'] as const;
export type DumpType = (typeof dumpTypes)[number];
export const dumpFormats = ['yaml', 'json'] as const;
export type DumpFormat = (typeof dumpFormats)[number];

export interface DumpConfig {
  readonly role: DumpRole;
  readonly nodeId?: string;
  readonly namespace?: string;
  readonly dir: string;
  /** Only this xDS type; all types when unset. */
  readonly type?: DumpType;
  readonly format: DumpFormat;
}

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().trim().toLowerCase().pipe(z.enum(values, { error: `expected one of ${values.join(', ')}` }));

export const dumpSettings: readonly Setting[] = [
  { flag: 'role', kind: 'string', schema: roleSchema, valueName: 'ROLE', describe: 'gateway[=NS/NAME], sidecar[-transparent|-explicit] or proxyless (required)' },
  { flag: 'files', env: 'TOWER_FILES', kind: 'string', schema: pathSchema, valueName: 'DIR', describe: 'folder of YAML manifests (required)' },
  { flag: 'node-id', kind: 'string', schema: z.string().min(1, 'expected a node id'), valueName: 'ID', describe: 'node id the client would present' },
  { flag: 'namespace', kind: 'string', schema: z.string().min(1, 'expected a namespace'), valueName: 'NS', describe: 'namespace of the client (sidecar, proxyless)' },
  { flag: 'type', kind: 'string', schema: enumOf(dumpTypes), valueName: 'T', describe: 'only cds, eds, lds, rds or sds' },
  { flag: 'output', kind: 'string', schema: enumOf(dumpFormats), default: 'yaml', valueName: 'FMT', describe: 'yaml or json' },
];

/** Parses `tower dump` flags (argv after "dump"). Throws ConfigError. */
export function parseDumpConfig(argv: readonly string[], env: Env = process.env): DumpConfig {
  const { values } = parseSettings('dump', argv, env, dumpSettings);
  const role = values.get('role') as DumpRole | undefined;
  if (role === undefined) throw new ConfigError(`tower dump: missing flag --role (${dumpRoles.join('|')})`);
  const files = values.get('files') as string | undefined;
  if (files === undefined) throw new ConfigError('tower dump: missing flag --files DIR');
  const dir = path.resolve(files);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigError(`tower dump: flag --files ${JSON.stringify(files)}: directory does not exist`);
  }
  const nodeId = values.get('node-id') as string | undefined;
  const namespace = values.get('namespace') as string | undefined;
  const type = values.get('type') as DumpType | undefined;
  return {
    role,
    dir,
    format: values.get('output') as DumpFormat,
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(type !== undefined ? { type } : {}),
  };
}
