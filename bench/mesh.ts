/**
 * Synthetic mesh generator: S Services with E endpoints each, spread over
 * zones, as Service and EndpointSlice objects (src/k8s/types.ts), plus the
 * endpoint changes the scenarios apply.
 *
 * Endpoint changes carry a marker: the first endpoint of the changed slice
 * gets the address 10.255.X.Y where X.Y encodes the change's sequence number.
 * A simulated Envoy that finds a marker address in a ClusterLoadAssignment
 * knows exactly which change it is looking at, even when changes overlap.
 * Ordinary endpoints live in 10.0.0.0 - 10.254.255.255, so they never
 * collide with markers.
 */
import type { EndpointSlice, Service } from '../src/k8s/types';

export interface MeshSpec {
  services: number;
  endpointsPerService: number;
  zones: number;
  namespace?: string;
}

export interface Mesh {
  spec: Required<MeshSpec>;
  services: Service[];
  slices: EndpointSlice[];
}

export const meshPort = 8080;

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(5, '0')}`;
}

function endpointAddress(index: number): string {
  // index < 254 * 65536; 10.0.0.1 upwards, skipping 10.255.0.0/16 (markers).
  const n = index + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Address carrying change number seq (0 < seq < 65536; wraps beyond). */
export function markerAddress(seq: number): string {
  const s = seq & 0xffff;
  return `10.255.${(s >> 8) & 255}.${s & 255}`;
}

/** Sequence number encoded in a marker address, or undefined for an ordinary address. */
export function parseMarker(address: string): number | undefined {
  if (!address.startsWith('10.255.')) return undefined;
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  return (Number(parts[2]) << 8) | Number(parts[3]);
}

export function makeService(i: number, namespace: string): Service {
  const grpc = i % 10 === 9; // one service in ten speaks gRPC (HTTP/2 cluster)
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(i), namespace, labels: { app: serviceName(i) } },
    spec: {
      type: 'ClusterIP',
      clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`,
      selector: { app: serviceName(i) },
      ports: [grpc
        ? { name: 'grpc', protocol: 'TCP', appProtocol: 'grpc', port: meshPort, targetPort: 9090 }
        : { name: 'http', protocol: 'TCP', port: meshPort, targetPort: 8080 }],
    },
  };
}

export function makeSlice(i: number, spec: Required<MeshSpec>, firstAddress?: string): EndpointSlice {
  const name = serviceName(i);
  const grpc = i % 10 === 9;
  const endpoints = [];
  for (let j = 0; j < spec.endpointsPerService; j++) {
    const address = j === 0 && firstAddress ? firstAddress : endpointAddress(i * spec.endpointsPerService + j);
    endpoints.push({
      addresses: [address],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${(i + j) % 50}`,
      zone: `zone-${String.fromCharCode(97 + ((i + j) % spec.zones))}`,
      targetRef: { kind: 'Pod', name: `${name}-pod-${j}`, namespace: spec.namespace },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-slice`,
      namespace: spec.namespace,
      labels: { 'kubernetes.io/service-name': name },
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: grpc ? 'grpc' : 'http', port: grpc ? 9090 : 8080, protocol: 'TCP' }],
  };
}

export function generateMesh(spec: MeshSpec): Mesh {
  if (!Number.isInteger(spec.services) || spec.services < 1) throw new Error(`mesh: services must be a positive integer, got ${spec.services}`);
  if (!Number.isInteger(spec.endpointsPerService) || spec.endpointsPerService < 1) throw new Error(`mesh: endpointsPerService must be a positive integer, got ${spec.endpointsPerService}`);
  if (spec.services * spec.endpointsPerService >= 254 * 65536) throw new Error('mesh: too many endpoints for the 10.0.0.0/8 address plan');
  const full: Required<MeshSpec> = { namespace: 'bench', ...spec, zones: Math.max(1, spec.zones) };
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < full.services; i++) {
    services.push(makeService(i, full.namespace));
    slices.push(makeSlice(i, full));
  }
  return { spec: full, services, slices };
}

/** The slice of service i after change number seq: its first endpoint moves to the marker address. */
export function changedSlice(mesh: Mesh, serviceIndex: number, seq: number): EndpointSlice {
  return makeSlice(serviceIndex, mesh.spec, markerAddress(seq));
}

/** Node metadata of the simulated Envoys: explicit-mode sidecars of one namespace (one view). */
export function benchNodeMetadata(namespace: string): Record<string, string> {
  return { TOWER_ROLE: 'sidecar', NAMESPACE: namespace, SERVICE_ACCOUNT: 'bench', INTERCEPTION_MODE: 'explicit' };
}
