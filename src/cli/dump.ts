/**
 * `tower dump`: reads a folder of manifests exactly as `tower serve --files`
 * does and prints the resources a client of the given role would be sent,
 * with every input and translation error. No server is started.
 * Exit code 0 when the input is clean, 1 when any error was found.
 */
import { stringify } from 'yaml';
import { parseDumpConfig, type DumpType } from '../config/dump-config';
import { ConfigError } from '../config/errors';
import { defaultMeshConfig } from '../model/model-builder';
import { roleFromFlag, viewKey } from '../model/roles';
import type { InputObject } from '../model/inputs';
import { dumpConfig } from '../pipeline/dump-config';
import { FileSource } from '../sources/files/file-source';
import { towerKindRegistry } from '../sources/kinds';
import type { SourceEvent } from '../sources/source';
import type { Io } from './main';

const typeNames: Record<DumpType, string> = { cds: 'CDS', eds: 'EDS', lds: 'LDS', rds: 'RDS', sds: 'SDS' };

/** Reads every object of a folder through the file source (same parsing and validation as serve). */
export async function readFolder(dir: string): Promise<{ objects: InputObject[]; errors: string[] }> {
  const objects = new Map<string, InputObject>();
  const errors: string[] = [];
  const source = new FileSource(dir, { watch: false, registry: towerKindRegistry() });
  await source.start((ev: SourceEvent) => {
    switch (ev.type) {
      case 'upsert':
        objects.set(ev.key, { object: ev.object, ...(ev.origin.source === 'file' ? { file: ev.origin.file } : {}) });
        break;
      case 'delete':
        objects.delete(ev.key);
        break;
      case 'invalid':
      case 'error':
        errors.push(ev.error.message);
        break;
      case 'synced':
        break;
    }
  });
  await source.stop();
  return { objects: [...objects.values()], errors };
}

export async function runDump(argv: readonly string[], io: Io): Promise<number> {
  const cfg = parseDumpConfig(argv, io.env);
  let role;
  try {
    role = roleFromFlag(cfg.role, {
      ...(cfg.nodeId ? { nodeId: cfg.nodeId } : {}),
      ...(cfg.namespace ? { namespace: cfg.namespace } : {}),
      ...(cfg.labels ? { labels: cfg.labels } : {}),
      ...(cfg.serviceAccount ? { serviceAccount: cfg.serviceAccount } : {}),
    });
  } catch (err) {
    throw new ConfigError(`tower dump: flag --role: ${(err as Error).message}`);
  }
  const { objects, errors: inputErrors } = await readFolder(cfg.dir);
  const dump = dumpConfig(objects, role, { config: { ...defaultMeshConfig, mtls: { mode: cfg.mtlsMode } } });
  const resources = cfg.type ? { [typeNames[cfg.type]]: dump.resources[typeNames[cfg.type]] ?? [] } : dump.resources;
  const out = { role: role.kind, view: viewKey(role), resources };
  io.out(cfg.format === 'json' ? JSON.stringify(out, null, 2) + '\n' : stringify(out, { aliasDuplicateObjects: false, lineWidth: 0 }));
  const errors = [
    ...inputErrors,
    ...dump.modelErrors,
    ...dump.translationErrors.map((e) => `${e.typeUrl.slice(e.typeUrl.lastIndexOf('.') + 1)} ${e.name} [${e.reason}]${e.sources.length ? ` from ${e.sources.join(', ')}` : ''}: ${e.errors.join('; ')}`),
  ];
  for (const e of errors) io.err(`error: ${e}\n`);
  return errors.length > 0 ? 1 : 0;
}
