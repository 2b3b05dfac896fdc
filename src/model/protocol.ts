/**
 * Port protocol detection, following Istio's rules: appProtocol wins, then
 * the port name "<protocol>" or "<protocol>-<suffix>". Anything else is TCP.
 */
import type { PortProtocol } from './types';

const byAppProtocol: Readonly<Record<string, PortProtocol>> = {
  'kubernetes.io/h2c': 'http2',
  'kubernetes.io/ws': 'http',
  'kubernetes.io/wss': 'tcp',
  h2c: 'http2',
  http2: 'http2',
  grpc: 'grpc',
  'grpc-web': 'http',
  http: 'http',
  https: 'tcp',
  tcp: 'tcp',
  tls: 'tcp',
};

const byNamePrefix: readonly (readonly [string, PortProtocol])[] = [
  ['grpc-web', 'http'],
  ['grpc', 'grpc'],
  ['http2', 'http2'],
  ['h2c', 'http2'],
  ['http', 'http'],
  ['tcp', 'tcp'],
];

export function detectProtocol(port: { name?: string | null; appProtocol?: string | null }): PortProtocol {
  const app = port.appProtocol?.toLowerCase();
  if (app) {
    const p = byAppProtocol[app];
    if (p) return p;
  }
  const name = (port.name ?? '').toLowerCase();
  for (const [prefix, proto] of byNamePrefix) {
    if (name === prefix || name.startsWith(prefix + '-')) return proto;
  }
  return 'tcp';
}

/** HTTP-family ports are routed by an HTTP connection manager. */
export function isHttpFamily(p: PortProtocol): boolean {
  return p !== 'tcp';
}

/** Ports whose upstream connections use HTTP/2 (prior knowledge). */
export function usesHttp2(p: PortProtocol): boolean {
  return p === 'http2' || p === 'grpc';
}
