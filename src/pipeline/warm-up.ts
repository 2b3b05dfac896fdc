/**
 * Start-up warm-up: translates and compiles a small mesh (an HTTP, a gRPC
 * and a TCP service, a Gateway with an HTTPS listener, plus `services` more
 * HTTP services with a few endpoints each) for every role, so the work done
 * on first use (field plans, generated strict decoders and validate.rules
 * walkers, protobufjs encoders, and V8 optimizing all of them once they have
 * run a few thousand times) happens at start up, next to proto loading,
 * instead of inside the first real translation. Nothing of it is kept.
 * Returns the CPU milliseconds it took and the errors met (none expected:
 * an error means part of the pipeline was not warmed).
 */
import { compileResource } from '../envoy/compile';
import { roleFromFlag } from '../model/roles';
import { MeshTranslator } from './mesh-translator';
import type { ObjectChange } from '../model/model-builder';

const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const key = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n').toString('base64');

function objects(extra: number): ObjectChange[] {
  const svc = (name: string, ports: { name: string; port: number; appProtocol?: string }[], ip: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'warm' },
    spec: { clusterIP: ip, selector: { app: name }, ports: ports.map((p) => ({ ...p, targetPort: p.port })) },
  });
  const slice = (name: string, port: { name: string; port: number }) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-1`, namespace: 'warm', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [port],
    endpoints: [
      { addresses: ['10.254.0.1'], conditions: { ready: true }, zone: 'a' },
      { addresses: ['10.254.0.2'], conditions: { ready: false, serving: true, terminating: true }, zone: 'b' },
    ],
  });
  const list: unknown[] = [
    svc('web', [{ name: 'http', port: 80 }], '10.255.255.1'),
    slice('web', { name: 'http', port: 80 }),
    svc('rpc', [{ name: 'grpc', port: 9090 }], '10.255.255.2'),
    slice('rpc', { name: 'grpc', port: 9090 }),
    svc('db', [{ name: 'tcp', port: 5432 }], '10.255.255.3'),
    slice('db', { name: 'tcp', port: 5432 }),
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'tls', namespace: 'warm' }, data: { 'tls.crt': cert, 'tls.key': key } },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'warm' },
      spec: { gatewayClassName: 'tower', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }, { name: 'https', port: 8443, protocol: 'HTTPS', hostname: 'web.example.com', tls: { certificateRefs: [{ name: 'tls' }] } }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'warm' },
      spec: { parentRefs: [{ name: 'gw' }], hostnames: ['web.example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80, weight: 1 }] }] },
    },
  ];
  for (let i = 0; i < extra; i++) {
    list.push(svc(`s${i}`, [{ name: 'http', port: 80 }], `10.254.${(i >> 8) & 255}.${i & 255}`));
    list.push({ ...slice(`s${i}`, { name: 'http', port: 8080 }), endpoints: [1, 2, 3, 4, 5, 6].map((e) => ({ addresses: [`10.253.${i & 255}.${e}`], conditions: { ready: true }, zone: `z${e % 3}` })) });
  }
  return list.map((object) => ({ type: 'upsert' as const, object }));
}

export function warmUpTranslation(opts: { readonly services?: number } = {}): { cpuMs: number; errors: string[] } {
  const c0 = process.cpuUsage();
  // The Envoy protos themselves (proto-root loads them on first use).
  compileResource('type.googleapis.com/envoy.config.cluster.v3.Cluster', 'warm', { name: 'warm', type: 'STATIC' });
  const mt = new MeshTranslator({ config: { clusterDomain: 'cluster.local', tracing: { collector: { namespace: 'warm', name: 'rpc', port: 9090 }, samplingPercent: 1 } } });
  const errors = mt.update(objects(opts.services ?? 100)).modelErrors.map((e) => `${e.source.kind} ${e.source.name} ${e.path}: ${e.message}`);
  for (const flag of ['gateway=warm/gw', 'sidecar-transparent', 'sidecar-explicit', 'proxyless']) {
    const u = mt.addView(roleFromFlag(flag, { namespace: 'warm', labels: { app: 'web' } }));
    for (const e of u.errors) errors.push(`${flag}: ${e.reason} ${e.typeUrl} ${e.name}: ${e.errors.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
  }
  const d = process.cpuUsage(c0);
  return { cpuMs: (d.user + d.system) / 1000, errors };
}
