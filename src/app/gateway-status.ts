/**
 * What is specific to tower.dev Gateways in their status: ResolvedRefs checks
 * every listener's certificateRefs against the model's kubernetes.io/tls
 * Secrets, naming each missing or unusable Secret (InvalidCertificateRef).
 * Everything else (Accepted, Programmed, writing, debouncing) is shared by
 * every Tower kind: see object-status.ts and status-reporter.ts.
 */
import type { GatewayModel, MeshModel } from '../model/types';

/** Problems with a Gateway's certificate references ("Secret ns/name not found", …); empty when all resolve. */
export function gatewayRefProblems(gateway: GatewayModel | undefined, model: MeshModel, secretHeld: (key: string) => boolean): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const l of gateway?.listeners ?? []) {
    for (const ref of l.certificateRefs) {
      const key = `${ref.namespace}/${ref.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (model.secrets[key]) continue;
      problems.push(
        secretHeld(`Secret/${key}`)
          ? `Secret ${key} is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key`
          : `Secret ${key} not found`,
      );
    }
  }
  return problems;
}

