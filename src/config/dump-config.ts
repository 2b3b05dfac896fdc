/**
 * Configuration of `tower dump`: which role's configuration to print from a
 * folder of manifests, without starting a server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import { parseSettings, type Env } from './parse';
import { defaultMtlsMode, mtlsModeSchema } from './mtls-settings';
import { pathSchema, type Setting } from './settings';
import type { MtlsMode } from '../model/types';

export const dumpRoles = ['gateway', 'sidecar', 'proxyless'] as const;
/** gateway[=ns/name], sidecar[-transparent|-explicit] or proxyless (see model/roles.ts roleFromFlag). */
export type DumpRole = string;
const roleSchema = z
  .string()
  .trim()
  .regex(/^(gateway(=[a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*)?|sidecar(-transparent|-explicit)?|proxyless)$/, {
    error: 'expected gateway[=NAMESPACE/NAME], sidecar[-transparent|-explicit] or proxyless',
  });
const labelPair = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/;
/** "app=api,version=v2" → { app: 'api', version: 'v2' }. */
const labelsSchema = z
  .string()
  .trim()
  .refine((s) => s.split(',').every((p) => labelPair.test(p.trim())), { error: 'expected KEY=VALUE[,KEY=VALUE…]' })
  .transform((s) => Object.fromEntries(s.split(',').map((p) => { const m = labelPair.exec(p.trim()) as RegExpExecArray; return [m[1] as string, m[2] as string]; })));

export const dumpTypes = ['cds', 'eds', 'lds', 'rds', 'sds'] as const;
export type DumpType = (typeof dumpTypes)[number];
export const dumpFormats = ['yaml', 'json'] as const;
export type DumpFormat = (typeof dumpFormats)[number];

export interface DumpConfig {
  readonly role: DumpRole;
  readonly nodeId?: string;
  readonly namespace?: string;
  /** Workload labels of a sidecar (which Services' inbound side it serves). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Service account of a sidecar (its mTLS identity and RBAC principal). */
  readonly serviceAccount?: string;
  readonly dir: string;
  /** Mesh mTLS mode, as `tower serve --mtls-mode` (identity certificates show as placeholders). */
  readonly mtlsMode: MtlsMode;
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
  { flag: 'labels', kind: 'string', schema: labelsSchema, valueName: 'K=V,…', describe: 'workload labels of a sidecar, e.g. app=payments' },
  { flag: 'service-account', kind: 'string', schema: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a service account name'), valueName: 'SA', describe: 'service account of a sidecar' },
  { flag: 'mtls-mode', env: 'TOWER_MTLS_MODE', kind: 'string', schema: mtlsModeSchema, default: defaultMtlsMode, valueName: 'MODE', describe: `mesh mTLS as tower serve has it: disabled, permissive or strict (default ${defaultMtlsMode})` },
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
  const labels = values.get('labels') as Record<string, string> | undefined;
  const serviceAccount = values.get('service-account') as string | undefined;
  return {
    role,
    dir,
    format: values.get('output') as DumpFormat,
    mtlsMode: values.get('mtls-mode') as MtlsMode,
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
  };
}
