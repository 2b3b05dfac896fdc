/** Small builders for Kubernetes objects used by model and translator tests. */
import type { InputObject } from '../../src/model/inputs';

export interface PortSpec {
  name?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
  protocol?: string;
}

export function service(ns: string, name: string, ports: PortSpec[], extra: { clusterIP?: string; selector?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { clusterIP: extra.clusterIP ?? '10.96.0.1', ...(extra.selector ? { selector: extra.selector } : {}), ports },
  };
}

export interface EpSpec {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zone?: string;
  nodeName?: string;
}

export function slice(ns: string, name: string, svc: string, ports: { name?: string; port: number }[], eps: EpSpec[]): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports,
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ...(e.ready !== undefined ? { ready: e.ready } : {}), ...(e.serving !== undefined ? { serving: e.serving } : {}), ...(e.terminating !== undefined ? { terminating: e.terminating } : {}) },
      ...(e.zone ? { zone: e.zone } : {}),
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    })),
  };
}

export function tlsSecret(ns: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': '-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n', 'tls.key': '-----BEGIN PRIVATE KEY-----\nZmFrZQ==\n-----END PRIVATE KEY-----\n' },
  };
}

export function inputs(...objects: Record<string, unknown>[]): InputObject[] {
  return objects.map((object) => ({ object, file: 'test.yaml' }));
}
