/**
 * `tower serve --files` with Tower's own Gateway kind: a folder holding a
 * tower.dev/v1alpha1 Gateway, a Service, its EndpointSlice and the Gateway's
 * kubernetes.io/tls Secret is served to a raw ADS client whose node metadata
 * says TOWER_ROLE=gateway, TOWER_GATEWAY=shop/public. An invalid Gateway is
 * reported with its file, document and field, and the rest is still served;
 * fixing the file brings that Gateway in too.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { startTower } from '../../src/app/start-tower';
import { parseServeConfig } from '../../src/config/serve-config';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createLogger } from '../../src/observability/logger';
import { decodeAny, SotwClient, type SotwResponse } from '../fixtures/xds-client';

const str = (s: string) => ({ stringValue: s });
const gatewayNode = (id: string, gateway: string) => ({ id, cluster: 'edge', metadata: { fields: { TOWER_ROLE: str('gateway'), TOWER_GATEWAY: str(gateway) } } });

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

const manifests = `apiVersion: tower.dev/v1alpha1
kind: Gateway
metadata: { name: public, namespace: shop }
spec:
  listeners:
    - { name: http, port: 8080, protocol: HTTP, hostnames: [shop.example.com] }
    - name: https
      port: 8443
      protocol: HTTPS
      hostnames: [shop.example.com]
      tls: { certificateRefs: [{ name: shop-cert }] }
---
apiVersion: v1
kind: Secret
metadata: { name: shop-cert, namespace: shop }
type: kubernetes.io/tls
data:
  tls.crt: ${b64(pem('CERTIFICATE', 'test certificate, not a real one'))}
  tls.key: ${b64(pem('PRIVATE KEY', 'test key, not a real one'))}
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  clusterIP: 10.96.0.20
  ports: [{ name: http, port: 8080 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: shop, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints: [{ addresses: [10.1.0.1], conditions: { ready: true } }]
ports: [{ name: http, port: 8080 }]
`;

const brokenGateway = (port: string) => `# an Ingress Tower does not read, then the Gateway
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ignored, namespace: shop }
---
apiVersion: tower.dev/v1alpha1
kind: Gateway
metadata: { name: side, namespace: shop }
spec:
  listeners:
    - { name: http, port: ${port}, protocol: HTTP }
`;

class Lines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const l of chunk.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as Record<string, unknown>);
    cb();
  }
}

/** Listeners of the response: name, port and SNI names of each filter chain. */
function listeners(r: SotwResponse): { name: string; port: number; sni: string[][] }[] {
  return r.resources.map((a) => {
    const l = decodeAny(a) as { name: string; address: { socket_address: { port_value: number } }; filter_chains: { filter_chain_match?: { server_names?: string[] } }[] };
    return { name: l.name, port: l.address.socket_address.port_value, sni: l.filter_chains.map((c) => c.filter_chain_match?.server_names ?? []) };
  });
}

test('a tower.dev Gateway from a folder reaches a gateway client; an invalid one is reported and skipped', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-gw-'));
  fs.writeFileSync(path.join(dir, 'shop.yaml'), manifests);
  fs.writeFileSync(path.join(dir, 'side.yaml'), brokenGateway('http'));
  const logs = new Lines();
  const config = parseServeConfig(['--files', dir, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50'], {});
  const tower = await startTower(config, { logger: createLogger({ level: 'info', destination: logs }) });
  const clients: SotwClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await tower.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => tower.readiness.onReady(resolve));
  assert.equal(tower.leadership(), undefined, 'no leader election without Kubernetes');

  // The invalid Gateway is reported with file, document (counted from 0) and field.
  const sidePath = path.join(dir, 'side.yaml');
  const report = logs.lines.find((l) => typeof l.msg === 'string' && l.msg.includes('Gateway/shop/side'));
  assert.ok(report, `no report of the invalid Gateway in ${JSON.stringify(logs.lines.map((l) => l.msg))}`);
  assert.equal(report.field, 'spec.listeners[0].port');
  assert.match(String(report.msg), new RegExp(`${sidePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} document 1: Gateway/shop/side: field spec\\.listeners\\[0\\]\\.port: `));

  // The valid one is served: its listeners, with the HTTPS port's SNI chain.
  const gw = new SotwClient(tower.xdsPort, { node: gatewayNode('gw-public', 'shop/public') });
  clients.push(gw);
  gw.subscribe(TypeUrl.Listener);
  const lds = await gw.expect(TypeUrl.Listener);
  assert.deepEqual(listeners(lds), [
    { name: '0.0.0.0_8080', port: 8080, sni: [[]] },
    { name: '0.0.0.0_8443', port: 8443, sni: [['shop.example.com']] },
  ]);
  gw.ack(lds);
  // Its certificate Secret was marked referenced, so the store let it through to SDS.
  gw.subscribe(TypeUrl.Secret, ['shop/shop-cert']);
  const sds = await gw.expect(TypeUrl.Secret);
  assert.deepEqual(sds.names, ['shop/shop-cert']);
  const secret = decodeAny(sds.resources[0]!) as { tls_certificate?: { certificate_chain?: unknown } };
  assert.ok(secret.tls_certificate?.certificate_chain, 'the secret carries the certificate');
  gw.ack(sds);
  // Clusters for the services behind it.
  gw.subscribe(TypeUrl.Cluster);
  const cds = await gw.expect(TypeUrl.Cluster);
  assert.ok(cds.names.includes('outbound|8080||web.shop.svc.cluster.local'), cds.names.join(', '));

  // The invalid Gateway is not in the model: its client gets no listener.
  const side = new SotwClient(tower.xdsPort, { node: gatewayNode('gw-side', 'shop/side') });
  clients.push(side);
  side.subscribe(TypeUrl.Listener);
  const none = await side.expect(TypeUrl.Listener);
  assert.deepEqual(none.names, []);
  side.ack(none);

  // Fixing the file brings it in, pushed to its client.
  fs.writeFileSync(sidePath, brokenGateway('9090'));
  const fixed = await side.expect(TypeUrl.Listener);
  assert.deepEqual(listeners(fixed).map((l) => l.port), [9090]);
});
