/**
 * EndpointSlices of one service → ServiceEndpointsModel. Slices are merged,
 * mapped to service ports by port name, and classified:
 * ready (and not terminating) → priority 0; terminating but serving →
 * priority 1 (a fallback, see Envoy Gateway issue 4946); anything else is
 * dropped. Kubernetes treats a missing ready/serving condition as true.
 */
import { isIP } from 'node:net';
import type { EndpointSlice } from '../k8s/types';
import type { EndpointModel, ModelError, ServiceEndpointsModel, ServiceModel, SourceRef } from './types';

export interface SliceInput {
  readonly slice: EndpointSlice;
  readonly source: SourceRef;
}

export function buildEndpoints(service: ServiceModel, slices: readonly SliceInput[]): { endpoints: ServiceEndpointsModel; errors: ModelError[] } {
  const errors: ModelError[] = [];
  const byPortMap = new Map<string, Map<string, EndpointModel>>();
  const portNames = new Set(service.ports.map((p) => p.name));
  for (const { slice, source } of slices) {
    if (slice.addressType === 'FQDN') {
      errors.push({ code: 'invalid-endpoint', source, path: 'addressType', message: 'FQDN EndpointSlices are not supported; slice is skipped' });
      continue;
    }
    (slice.ports ?? []).forEach((sp, pi) => {
      const portName = sp.name ?? '';
      if (!portNames.has(portName)) {
        errors.push({ code: 'unmatched-endpoint-port', source, path: `ports[${pi}].name`, message: `service ${service.namespace}/${service.name} has no port named "${portName}"` });
        return;
      }
      if (sp.port === null || sp.port === undefined) {
        errors.push({ code: 'invalid-endpoint', source, path: `ports[${pi}].port`, message: 'port number is missing' });
        return;
      }
      let eps = byPortMap.get(portName);
      if (!eps) byPortMap.set(portName, (eps = new Map()));
      slice.endpoints.forEach((ep, ei) => {
        const ready = ep.conditions.ready ?? true;
        const serving = ep.conditions.serving ?? ready;
        const terminating = ep.conditions.terminating ?? false;
        let priority: 0 | 1;
        if (!terminating && ready) priority = 0;
        else if (terminating && serving) priority = 1;
        else return;
        ep.addresses.forEach((address, ai) => {
          if (isIP(address) === 0) {
            if (pi === 0) errors.push({ code: 'invalid-endpoint', source, path: `endpoints[${ei}].addresses[${ai}]`, message: `"${address}" is not an IP address; endpoint skipped` });
            return;
          }
          const id = `${address}:${sp.port}`;
          const prev = eps.get(id);
          if (prev && prev.priority <= priority) return;
          const port = sp.port as number;
          const { zone, nodeName } = ep;
          // literal per case (no spread temporaries: this runs once per endpoint)
          eps.set(
            id,
            zone
              ? nodeName ? { address, port, priority, zone, nodeName, source } : { address, port, priority, zone, source }
              : nodeName ? { address, port, priority, nodeName, source } : { address, port, priority, source },
          );
        });
      });
    });
  }
  const byPort: Record<string, EndpointModel[]> = {};
  for (const p of service.ports) {
    const eps = byPortMap.get(p.name);
    if (!eps) continue;
    byPort[p.name] = [...eps.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  }
  return { endpoints: { namespace: service.namespace, name: service.name, byPort, sources: slices.map((s) => s.source) }, errors };
}
