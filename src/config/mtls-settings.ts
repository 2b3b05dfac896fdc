/**
 * Mesh mTLS settings of `tower serve` (docs/mtls.md, docs/operations.md):
 *   --mtls-mode disabled|permissive|strict   (TOWER_MTLS_MODE, default permissive)
 *   --mesh-ca-dir DIR                        (TOWER_MESH_CA_DIR; default: a root generated at start)
 *
 * Default permissive, as Istio: sidecars accept mesh mTLS and plaintext, and
 * callers originate mTLS to every Service not annotated tower.dev/mtls:
 * disabled, so SecurityPolicy principals hold for meshed callers without
 * breaking callers that have no sidecar.
 */
import { z } from 'zod';
import { mtlsModes, type MtlsMode } from '../model/types';
import { pathSchema, type Setting } from './settings';

export { mtlsModes };
export const defaultMtlsMode: MtlsMode = 'permissive';

export interface MtlsSettings {
  readonly mode: MtlsMode;
  /** Directory with the mesh root (ca.crt + ca.key, or tls.crt + tls.key of a mounted kubernetes.io/tls Secret). */
  readonly caDir?: string;
}

export const mtlsModeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(mtlsModes, { error: `expected one of ${mtlsModes.join(', ')}` }));

export const mtlsSettings: readonly Setting[] = [
  { flag: 'mtls-mode', env: 'TOWER_MTLS_MODE', kind: 'string', schema: mtlsModeSchema, valueName: 'MODE', describe: `mesh mTLS: disabled, permissive or strict (default ${defaultMtlsMode}; a Service's tower.dev/mtls annotation overrides it)` },
  { flag: 'mesh-ca-dir', env: 'TOWER_MESH_CA_DIR', kind: 'string', schema: pathSchema, valueName: 'DIR', describe: 'mesh CA root from DIR (ca.crt + ca.key, or a mounted kubernetes.io/tls Secret); default: generated at start, one replica only' },
];

/** The effective settings: absent from ServeConfig means all defaults. */
export function mtlsSettingsOf(config: { readonly mtls?: MtlsSettings }): MtlsSettings {
  return config.mtls ?? { mode: defaultMtlsMode };
}
