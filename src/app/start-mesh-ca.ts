/**
 * The mesh CA of a running Tower (docs/mtls.md): the root (from
 * --mesh-ca-dir, else generated), the identity store that issues and rotates
 * workload certificates, the gate that holds views until their certificate
 * exists, and the MeshConfig translators read them through.
 */
import { mtlsSettingsOf } from '../config/mtls-settings';
import type { ServeConfig } from '../config/serve-config';
import { IdentityGate } from '../mesh-ca/identity-gate';
import { MeshIdentityStore } from '../mesh-ca/identity-store';
import { loadOrGenerateRootCa } from '../mesh-ca/load-root-ca';
import { defaultMeshConfig } from '../model/model-builder';
import type { MeshConfig } from '../model/types';
import type { Logger } from '../observability/logger';
import { identityOf } from '../../translators/mesh-mtls';

export interface MeshCa {
  readonly meshConfig: MeshConfig;
  readonly identities: MeshIdentityStore;
  readonly gate: IdentityGate;
}

export async function startMeshCa(config: ServeConfig, logger: Logger): Promise<MeshCa> {
  const settings = mtlsSettingsOf(config);
  const trustDomain = defaultMeshConfig.clusterDomain;
  const { root, origin } = await loadOrGenerateRootCa({ trustDomain, ...(settings.caDir !== undefined ? { dir: settings.caDir } : {}) });
  const identities = new MeshIdentityStore({
    root,
    trustDomain,
    onError: (err, ns, sa) => logger.error({ identity: `${ns}/${sa}` }, `rotating the identity certificate failed (the current one stays until it expires): ${err.message}`),
  });
  const gate = new IdentityGate(identities, identityOf, (err, id) => logger.error({ identity: id }, `issuing the identity certificate failed: ${err.message}`));
  if (origin === 'generated') logger.info({ mode: settings.mode, trustDomain }, 'mesh CA root generated at start (single replica only; use --mesh-ca-dir to share one root)');
  else logger.info({ mode: settings.mode, trustDomain, root: origin }, 'mesh CA root loaded');
  return { meshConfig: { ...defaultMeshConfig, mtls: { mode: settings.mode, identities } }, identities, gate };
}
