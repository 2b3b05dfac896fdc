/**
 * Configuration of `tower serve`: flags and TOWER_* environment variables,
 * validated with zod. Flags override the environment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import { defaultMtlsMode, mtlsSettings, type MtlsSettings } from './mtls-settings';
import { parseSettings, type Env } from './parse';
import {
  booleanSchema,
  hostSchema,
  logLevelSchema,
  millisSchema,
  pathSchema,
  portSchema,
  type LogLevel,
  type Setting,
} from './settings';

export type SourceConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'files'; readonly dir: string }
  | { readonly kind: 'kubernetes'; readonly kubeconfig?: string; readonly inCluster: boolean; readonly namespace?: string };

export interface DebounceConfig {
  readonly quietMs: number;
  readonly maxWaitMs: number;
  /** Quiet period for endpoint-only changes; the xDS server's default when unset. */
  readonly endpointQuietMs?: number;
}

export interface ServeConfig {
  readonly host: string;
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly logLevel: LogLevel;
  readonly debounce: DebounceConfig;
  readonly source: SourceConfig;
  /** Mesh mTLS (src/config/mtls-settings.ts); absent when no mTLS flag or variable is given = the defaults. */
  readonly mtls?: MtlsSettings;
}

export const defaultXdsPort = 18000;
export const defaultAdminPort = 18001;
export const defaultHost = '0.0.0.0';

const namespaceSchema = z.string().trim().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a namespace name (DNS-1123 label)').max(63);

export const serveSettings: readonly Setting[] = [
  { flag: 'files', env: 'TOWER_FILES', kind: 'string', schema: pathSchema, valueName: 'DIR', describe: 'serve the YAML manifests in DIR (watched for changes)' },
  { flag: 'kubeconfig', env: 'TOWER_KUBECONFIG', kind: 'string', schema: pathSchema, valueName: 'PATH', describe: 'watch the Kubernetes API using this kubeconfig' },
  { flag: 'in-cluster', env: 'TOWER_IN_CLUSTER', kind: 'boolean', schema: booleanSchema, describe: "watch the Kubernetes API with the pod's service account" },
  { flag: 'namespace', env: 'TOWER_NAMESPACE', kind: 'string', schema: namespaceSchema, valueName: 'NS', describe: 'Kubernetes: watch only this namespace (default: all)' },
  { flag: 'host', env: 'TOWER_HOST', kind: 'string', schema: hostSchema, default: defaultHost, valueName: 'ADDR', describe: 'address the xDS and admin servers listen on' },
  { flag: 'xds-port', env: 'TOWER_XDS_PORT', kind: 'string', schema: portSchema, default: defaultXdsPort, valueName: 'N', describe: 'xDS (ADS, CSDS) gRPC port; 0 picks a free port' },
  { flag: 'admin-port', env: 'TOWER_ADMIN_PORT', kind: 'string', schema: portSchema, default: defaultAdminPort, valueName: 'N', describe: 'admin HTTP port (health, metrics, debug); 0 picks a free port' },
  { flag: 'log-level', env: 'TOWER_LOG_LEVEL', kind: 'string', schema: logLevelSchema, default: 'info', valueName: 'L', describe: 'fatal, error, warn, info, debug, trace or silent' },
  { flag: 'debounce-quiet-ms', env: 'TOWER_DEBOUNCE_QUIET_MS', kind: 'string', schema: millisSchema(60_000), default: 100, valueName: 'N', describe: 'push after this long without further changes' },
  { flag: 'debounce-max-ms', env: 'TOWER_DEBOUNCE_MAX_MS', kind: 'string', schema: millisSchema(600_000), default: 1000, valueName: 'N', describe: 'push at the latest this long after the first change' },
  { flag: 'debounce-endpoint-quiet-ms', env: 'TOWER_DEBOUNCE_ENDPOINT_QUIET_MS', kind: 'string', schema: millisSchema(60_000), valueName: 'N', describe: 'quiet period for endpoint-only changes' },
  ...mtlsSettings,
];

function requireExisting(what: string, p: string, kind: 'dir' | 'file', origin: string): string {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new ConfigError(`tower serve: ${origin} ${JSON.stringify(p)}: ${what} does not exist`);
  }
  if (kind === 'dir' && !st.isDirectory()) throw new ConfigError(`tower serve: ${origin} ${JSON.stringify(p)}: not a directory`);
  if (kind === 'file' && !st.isFile()) throw new ConfigError(`tower serve: ${origin} ${JSON.stringify(p)}: not a file`);
  return abs;
}

/** Parses `tower serve` flags (argv after "serve") and the environment. Throws ConfigError. */
export function parseServeConfig(argv: readonly string[], env: Env = process.env): ServeConfig {
  const { values, origin } = parseSettings('serve', argv, env, serveSettings);
  const name = (flag: string): string => {
    const s = serveSettings.find((x) => x.flag === flag)!;
    return origin.get(flag) === 'env' ? `environment variable ${s.env}` : `flag --${flag}`;
  };
  const files = values.get('files') as string | undefined;
  const kubeconfig = values.get('kubeconfig') as string | undefined;
  const inCluster = (values.get('in-cluster') as boolean | undefined) ?? false;

  const chosen = [files !== undefined && name('files'), kubeconfig !== undefined && name('kubeconfig'), inCluster && name('in-cluster')].filter(
    (x): x is string => typeof x === 'string',
  );
  if (chosen.length > 1) throw new ConfigError(`tower serve: choose one source, not ${chosen.join(' and ')}`);
  const namespace = values.get('namespace') as string | undefined;
  if (namespace !== undefined && files !== undefined) throw new ConfigError(`tower serve: ${name('namespace')} applies to Kubernetes sources, not ${name('files')}`);
  const ns = namespace !== undefined ? { namespace } : {};
  let source: SourceConfig;
  if (files !== undefined) source = { kind: 'files', dir: requireExisting('directory', files, 'dir', name('files')) };
  else if (kubeconfig !== undefined) source = { kind: 'kubernetes', kubeconfig: requireExisting('file', kubeconfig, 'file', name('kubeconfig')), inCluster: false, ...ns };
  else if (inCluster) source = { kind: 'kubernetes', inCluster: true, ...ns };
  // No source: an empty mesh (start-up logs a warning naming the flags to use).
  else source = { kind: 'none' };

  const quietMs = values.get('debounce-quiet-ms') as number;
  const maxWaitMs = values.get('debounce-max-ms') as number;
  if (quietMs > maxWaitMs) {
    throw new ConfigError(`tower serve: ${name('debounce-quiet-ms')}=${quietMs} exceeds ${name('debounce-max-ms')}=${maxWaitMs}`);
  }
  const endpointQuietMs = values.get('debounce-endpoint-quiet-ms') as number | undefined;
  const xdsPort = values.get('xds-port') as number;
  const adminPort = values.get('admin-port') as number;
  if (xdsPort !== 0 && xdsPort === adminPort) {
    throw new ConfigError(`tower serve: ${name('xds-port')} and ${name('admin-port')} are both ${xdsPort}`);
  }
  const mtlsMode = values.get('mtls-mode') as MtlsSettings['mode'] | undefined;
  const caDir = values.get('mesh-ca-dir') as string | undefined;
  const mtls: MtlsSettings | undefined =
    mtlsMode !== undefined || caDir !== undefined
      ? { mode: mtlsMode ?? defaultMtlsMode, ...(caDir !== undefined ? { caDir: requireExisting('directory', caDir, 'dir', name('mesh-ca-dir')) } : {}) }
      : undefined;
  return {
    host: values.get('host') as string,
    xdsPort,
    adminPort,
    logLevel: values.get('log-level') as LogLevel,
    debounce: { quietMs, maxWaitMs, ...(endpointQuietMs !== undefined ? { endpointQuietMs } : {}) },
    source,
    ...(mtls ? { mtls } : {}),
  };
}
