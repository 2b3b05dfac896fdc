/** Service → ServiceModel: ports with detected protocols, ClusterIP, selector. */
import { isIP } from 'node:net';
import type { Service } from '../k8s/types';
import { detectProtocol } from './protocol';
import { mtlsModes, type ModelError, type MtlsMode, type ServiceModel, type ServicePortModel, type SourceRef } from './types';

/** Per-Service mTLS override (docs/mtls.md), e.g. "disabled" for workloads without a sidecar. */
export const mtlsAnnotation = 'tower.dev/mtls';

export function serviceHostname(namespace: string, name: string, clusterDomain: string): string {
  return `${name}.${namespace}.svc.${clusterDomain}`;
}

export function buildService(svc: Service, source: SourceRef, clusterDomain: string, meshMtls: MtlsMode = 'disabled'): { service?: ServiceModel; errors: ModelError[] } {
  const errors: ModelError[] = [];
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name;
  if (svc.spec.type === 'ExternalName') {
    errors.push({ code: 'unsupported-service', source, path: 'spec.type', message: 'ExternalName services are not supported yet; the service is skipped' });
    return { errors };
  }
  const ports: ServicePortModel[] = [];
  const seenNames = new Set<string>();
  const seenPorts = new Set<number>();
  svc.spec.ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (p.protocol !== 'TCP') {
      errors.push({ code: 'unsupported-service', source, path: `${path}.protocol`, message: `protocol ${p.protocol} is not supported (only TCP); port ${p.port} is skipped` });
      return;
    }
    const portName = p.name ?? '';
    if (portName === '' && svc.spec.ports.length > 1) {
      errors.push({ code: 'duplicate-port', source, path: `${path}.name`, message: 'ports of a multi-port service must be named; port is skipped' });
      return;
    }
    if (seenNames.has(portName)) {
      errors.push({ code: 'duplicate-port', source, path: `${path}.name`, message: `duplicate port name "${portName}"; port is skipped` });
      return;
    }
    if (seenPorts.has(p.port)) {
      errors.push({ code: 'duplicate-port', source, path: `${path}.port`, message: `duplicate port ${p.port}; port is skipped` });
      return;
    }
    seenNames.add(portName);
    seenPorts.add(p.port);
    ports.push({ name: portName, port: p.port, targetPort: p.targetPort ?? p.port, protocol: detectProtocol(p) });
  });
  let clusterIP: string | undefined;
  const ip = svc.spec.clusterIP;
  if (ip !== undefined && ip !== '' && ip !== 'None') {
    if (isIP(ip) === 0) errors.push({ code: 'invalid-object', source, path: 'spec.clusterIP', message: `"${ip}" is not an IP address; service treated as headless` });
    else clusterIP = ip;
  }
  let mtls = meshMtls;
  const ann = svc.metadata.annotations?.[mtlsAnnotation];
  if (ann !== undefined) {
    if ((mtlsModes as readonly string[]).includes(ann.trim().toLowerCase())) mtls = ann.trim().toLowerCase() as MtlsMode;
    else errors.push({ code: 'invalid-object', source, path: `metadata.annotations["${mtlsAnnotation}"]`, message: `"${ann}" is not an mTLS mode (disabled, permissive or strict); the mesh mode (${meshMtls}) applies` });
  }
  const service: ServiceModel = {
    namespace,
    name,
    hostname: serviceHostname(namespace, name, clusterDomain),
    ...(clusterIP !== undefined ? { clusterIP } : {}),
    ...(svc.spec.selector ? { selector: { ...svc.spec.selector } } : {}),
    ports,
    source,
    ...(mtls !== 'disabled' ? { mtls } : {}),
  };
  return { service, errors };
}
