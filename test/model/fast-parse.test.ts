import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EndpointSlice, Service } from '../../src/k8s/types';
import { fastParseEndpointSlice, fastParseService } from '../../src/model/fast-parse';

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'api', namespace: 'shop', uid: 'u-1', resourceVersion: '7', generation: 2, labels: { app: 'api' }, annotations: { a: 'b' }, extra: 1 },
  spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' }, { name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP' }], sessionAffinity: 'None' },
  status: {},
};

const slice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'api-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'api' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: null, port: null, appProtocol: null }],
  endpoints: [
    { addresses: ['10.0.0.1'], conditions: { ready: true, serving: null }, zone: 'a', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'p' } },
    { addresses: ['10.0.0.2'], hostname: 'h' },
  ],
};

/** Values each field is set to: some valid somewhere, most invalid somewhere. */
const probes: unknown[] = [undefined, null, 0, -1, 1, 1.5, 65535, 65536, Number.NaN, 2 ** 60, '', 'x', 'Bad_Name', 'a'.repeat(16), 'b'.repeat(64), 'c'.repeat(300), 'UDP', 'TCP', 'IPv6', 'FQDN', 'NodePort', true, false, [], ['x'], [1], {}, { k: 'v' }, { k: 1 }, new Map()];

/** Every path to a field (objects and array elements), including fields the schemas do not name. */
function paths(o: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(o)) o.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])));
  else if (typeof o === 'object' && o !== null) {
    for (const [k, v] of Object.entries(o)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
    out.push([...prefix, 'unknownField']);
  }
  return out;
}

function withValue(o: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(o) as Record<string | number, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

/** The fast path never accepts what the schema rejects, and when it accepts, its output is the schema's. */
function checkAgreement(name: string, base: unknown, fast: (o: unknown) => unknown, schema: { safeParse(o: unknown): { success: boolean; data?: unknown } }): number {
  let accepted = 0;
  const cases: unknown[] = [base];
  for (const p of paths(base)) for (const v of probes) cases.push(withValue(base, p, v));
  for (const c of cases) {
    const f = fast(c);
    const z = schema.safeParse(c);
    if (f === undefined) continue;
    accepted++;
    assert.ok(z.success, `${name}: fast path accepted what the schema rejects: ${JSON.stringify(c)}`);
    assert.deepStrictEqual(f, z.data, `${name}: outputs differ for ${JSON.stringify(c)}`);
  }
  return accepted;
}

test('fast Service parse agrees with the zod schema on valid and invalid variants', () => {
  assert.deepStrictEqual(fastParseService(service), Service.parse(service));
  const minimal = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: {} };
  assert.deepStrictEqual(fastParseService(minimal), Service.parse(minimal)); // defaults: type, ports
  const accepted = checkAgreement('Service', service, fastParseService, Service);
  assert.ok(accepted > 50, `fast path accepted only ${accepted} variants`);
});

test('fast EndpointSlice parse agrees with the zod schema on valid and invalid variants', () => {
  assert.deepStrictEqual(fastParseEndpointSlice(slice), EndpointSlice.parse(slice));
  const minimal = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a' }, addressType: 'IPv4' };
  assert.deepStrictEqual(fastParseEndpointSlice(minimal), EndpointSlice.parse(minimal)); // default endpoints
  const accepted = checkAgreement('EndpointSlice', slice, fastParseEndpointSlice, EndpointSlice);
  assert.ok(accepted > 50, `fast path accepted only ${accepted} variants`);
});

test('fast parse output does not share arrays or records with the input', () => {
  const s = structuredClone(slice);
  const out = fastParseEndpointSlice(s);
  assert.ok(out);
  assert.notEqual(out.endpoints, s.endpoints);
  assert.notEqual(out.endpoints[0]?.addresses, s.endpoints[0]?.addresses);
  assert.notEqual(out.metadata.labels, s.metadata.labels);
  const svc = fastParseService(structuredClone(service));
  assert.ok(svc);
  assert.notEqual(svc.spec.selector, service.spec.selector);
});
