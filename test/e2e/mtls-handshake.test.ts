/**
 * Mesh mTLS end to end: Tower (the real app, default mode permissive) serves
 * two sidecars of different service accounts their identity and root over
 * SDS on real ADS streams; a TLS server holding the callee's served
 * certificate and requiring client certificates from the served root sees
 * the caller's SPIFFE id, and refuses a certificate from another CA.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Tower } from '../../src/app/start-tower';
import { generateRootCa } from '../../src/mesh-ca/root-ca';
import { issueLeaf } from '../../src/mesh-ca/issue-leaf';
import { startFolderTower } from '../fixtures/tower-e2e';
import { decodeAny, SotwClient, testNode, type Any } from '../fixtures/xds-client';

const manifests = `apiVersion: v1
kind: Service
metadata: { name: payments, namespace: shop }
spec:
  clusterIP: 10.96.0.40
  selector: { app: payments }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: legacy, namespace: shop, annotations: { tower.dev/mtls: disabled } }
spec:
  clusterIP: 10.96.0.41
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`;

let dir: string;
let tower: Tower;
const clients: SotwClient[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-mtls-'));
  fs.writeFileSync(path.join(dir, 'mesh.yaml'), manifests);
  ({ tower } = await startFolderTower(dir));
  await new Promise<void>((resolve) => tower.readiness.onReady(resolve));
});

after(async () => {
  for (const c of clients) c.close();
  await tower.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sidecar(id: string, sa: string, app: string): SotwClient {
  const c = new SotwClient(tower.xdsPort, { node: testNode(id, { TOWER_ROLE: 'sidecar', NAMESPACE: 'shop', SERVICE_ACCOUNT: sa, LABELS: `app=${app}`, INTERCEPTION_MODE: 'transparent' }) });
  clients.push(c);
  return c;
}

interface Identity { cert: string; key: string; ca: string }

/** The "default" and "ROOTCA" Secrets a sidecar is served. */
async function servedIdentity(c: SotwClient): Promise<Identity> {
  c.subscribe(TypeUrl.Secret, ['default', 'ROOTCA']);
  const r = await c.expect(TypeUrl.Secret, 10_000);
  assert.deepEqual([...r.names].sort(), ['ROOTCA', 'default']);
  c.ack(r);
  const byName = new Map(r.resources.map((a) => [decodeAny(a).name as string, decodeAny(a)]));
  const def = byName.get('default') as { tls_certificate: { certificate_chain: { inline_string: string }; private_key: { inline_string: string } } };
  const root = byName.get('ROOTCA') as { validation_context: { trusted_ca: { inline_string: string } } };
  return { cert: def.tls_certificate.certificate_chain.inline_string, key: def.tls_certificate.private_key.inline_string, ca: root.validation_context.trusted_ca.inline_string };
}

/** A TLS server with the callee's identity, requiring client certificates from `ca`; resolves the peer's URI SAN per connection. */
async function mtlsServer(callee: Identity): Promise<{ port: number; peers: string[]; rejected: string[]; close: () => Promise<void> }> {
  const peers: string[] = [];
  const rejected: string[] = [];
  const server = tls.createServer({ cert: callee.cert, key: callee.key, ca: callee.ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
    peers.push(socket.getPeerCertificate().subjectaltname ?? '');
    socket.end('ok');
  });
  server.on('tlsClientError', (err) => rejected.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, peers, rejected, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Connects presenting cert/key, trusting `ca`, checking the server's SPIFFE id in the trust domain; resolves what the server wrote or rejects. */
function call(port: number, id: { cert: string; key: string }, ca: string): Promise<{ data: string; serverId: string }> {
  return new Promise((resolve, reject) => {
    let serverId = '';
    const s = tls.connect({
      port,
      host: '127.0.0.1',
      cert: id.cert,
      key: id.key,
      ca,
      // Mesh certificates carry no DNS name: verify the URI SAN, as Envoy's match_typed_subject_alt_names does.
      checkServerIdentity: (_host, cert) => {
        serverId = cert.subjectaltname ?? '';
        return serverId.startsWith('URI:spiffe://cluster.local/') ? undefined : new Error(`unexpected server identity ${serverId}`);
      },
    });
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('end', () => resolve({ data, serverId }));
    s.on('error', reject);
  });
}

test('two sidecars get their own identities from one root; a server with the callee identity sees the caller SPIFFE id; another CA is refused', async () => {
  const api = await servedIdentity(sidecar('api-0.shop', 'api', 'api'));
  const payments = await servedIdentity(sidecar('payments-0.shop', 'payments', 'payments'));
  assert.equal(api.ca, payments.ca, 'one mesh root');
  assert.notEqual(api.cert, payments.cert);

  const server = await mtlsServer(payments);
  try {
    const ok = await call(server.port, api, api.ca);
    assert.equal(ok.data, 'ok');
    assert.equal(ok.serverId, 'URI:spiffe://cluster.local/ns/shop/sa/payments');
    assert.deepEqual(server.peers, ['URI:spiffe://cluster.local/ns/shop/sa/api']);

    // A workload certificate from a different CA (same SPIFFE id) is refused by the server.
    const rogueRoot = await generateRootCa({ trustDomain: 'cluster.local' });
    const rogue = await issueLeaf(rogueRoot, 'spiffe://cluster.local/ns/shop/sa/api');
    // (TLS 1.3: the client may finish its side before the server's alert arrives; it never gets the application's answer.)
    const refused = await call(server.port, { cert: rogue.certChainPem, key: rogue.privateKeyPem }, api.ca).then(
      (r) => r.data,
      (err: Error) => `error: ${err.message}`,
    );
    assert.notEqual(refused, 'ok');
    for (let i = 0; i < 100 && server.rejected.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.peers.length, 1, 'no connection from the rogue certificate reached the application');
    assert.ok(server.rejected.length >= 1, 'the server aborted the handshake');
    // Why: the rogue certificate does not verify against the served root, the caller's real one does.
    const servedRoot = new crypto.X509Certificate(api.ca).publicKey;
    assert.equal(new crypto.X509Certificate(rogue.certChainPem).verify(servedRoot), false);
    assert.equal(new crypto.X509Certificate(api.cert).verify(servedRoot), true);
  } finally {
    await server.close();
  }
});

test('the caller sidecar originates mesh mTLS to meshed Services only, and the callee inbound accepts both (permissive)', async () => {
  const api = sidecar('api-1.shop', 'api', 'api');
  api.subscribe(TypeUrl.Cluster);
  const cds = await api.expect(TypeUrl.Cluster, 10_000);
  api.ack(cds);
  const clusters = new Map(cds.resources.map((a) => [decodeAny(a).name as string, decodeAny(a)]));
  const meshed = clusters.get('outbound|80||payments.shop.svc.cluster.local') as { transport_socket: { typed_config: Any } };
  const upstream = decodeAny(meshed.transport_socket.typed_config) as { common_tls_context: { alpn_protocols: string[]; tls_certificate_sds_secret_configs: { name: string }[] } };
  assert.deepEqual(upstream.common_tls_context.alpn_protocols, ['tower-mtls']);
  assert.deepEqual(upstream.common_tls_context.tls_certificate_sds_secret_configs.map((c) => c.name), ['default']);
  assert.equal((clusters.get('outbound|80||legacy.shop.svc.cluster.local') as { transport_socket?: unknown }).transport_socket, undefined, 'opted out: plaintext');

  const payments = sidecar('payments-1.shop', 'payments', 'payments');
  payments.subscribe(TypeUrl.Listener);
  const lds = await payments.expect(TypeUrl.Listener, 10_000);
  payments.ack(lds);
  const inbound = lds.resources.map((a) => decodeAny(a)).find((l) => l.name === 'virtualInbound') as { filter_chains: { name: string; transport_socket?: unknown }[] };
  const chains = inbound.filter_chains.map((c) => `${c.name}${c.transport_socket ? ' (mTLS)' : ''}`);
  assert.deepEqual(chains, ['inbound|8080|mtls (mTLS)', 'inbound|8080', 'inbound-passthrough']);
});

test('a client claiming another service account than the clients already sharing its view is refused with a clear error', async () => {
  const first = sidecar('web-0.shop', 'web', 'web');
  await servedIdentity(first);
  const impostor = sidecar('web-1.shop', 'admin', 'web');
  impostor.subscribe(TypeUrl.Secret, ['default']);
  const status = await impostor.ended(10_000);
  assert.match(status.details, /claims service account shop\/admin but shares view .* with clients of shop\/web/);
});

test('rotation: a re-issued certificate is pushed to the connected sidecar as a new "default" Secret from the same root', async () => {
  const c = sidecar('rot-0.shop', 'rotating', 'rotating');
  const before = await servedIdentity(c);
  const issued = await tower.meshIdentities.rotate('shop', 'rotating');
  const r = await c.expect(TypeUrl.Secret, 10_000);
  c.ack(r);
  const pushed = r.resources.map((a) => decodeAny(a)).find((s) => s.name === 'default') as { tls_certificate: { certificate_chain: { inline_string: string } } };
  assert.equal(pushed.tls_certificate.certificate_chain.inline_string, issued.certChainPem);
  assert.notEqual(issued.certChainPem, before.cert);
  const cert = new crypto.X509Certificate(issued.certChainPem);
  assert.equal(cert.subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/rotating');
  assert.ok(cert.verify(new crypto.X509Certificate(before.ca).publicKey));
});
