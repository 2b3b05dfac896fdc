/** The mesh CA: root, workload identity certificates, their cache and rotation (docs/mtls.md). */
export { generateRootCa, rootCaFromPem, type RootCa, type GenerateRootOptions } from './root-ca';
export { issueLeaf, defaultLeafLifetimeMs, type IssuedIdentity } from './issue-leaf';
export { MeshIdentityStore, spiffeIdOf, type IdentityLookup, type IdentityStoreOptions } from './identity-store';
export { loadRootCaDir, loadOrGenerateRootCa, type RootCaSource } from './load-root-ca';
export { IdentityGate, type IdentityOf } from './identity-gate';
