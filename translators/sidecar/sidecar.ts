/** Sidecar role: outbound clusters for every service, plus mode-specific listeners (see outbound.ts, inbound.ts). */
import { meshIdentitySecrets } from '../mesh-mtls';
import { outboundClusters, outboundLoadAssignments } from '../outbound';
import type { RoleTranslator } from '../types';
import { inboundReadsEndpointsOf, transparentInbound } from './inbound';
import { explicitOutbound, transparentOutbound, type SidecarRole } from './outbound';

export const sidecarTranslator: RoleTranslator<SidecarRole> = {
  kind: 'sidecar',
  shareKey: () => 'outbound',
  service: (svc) => outboundClusters(svc),
  endpoints: (svc, eps) => outboundLoadAssignments(svc, eps),
  mesh(model, role) {
    switch (role.mode) {
      case 'transparent':
        return [...transparentOutbound(model, role), ...transparentInbound(model, role), ...meshIdentitySecrets(model, role)];
      case 'explicit':
        return [...explicitOutbound(model, role), ...meshIdentitySecrets(model, role)];
    }
  },
  meshReadsEndpointsOf: (model, role) => (role.mode === 'transparent' ? inboundReadsEndpointsOf(model, role) : new Set()),
};
