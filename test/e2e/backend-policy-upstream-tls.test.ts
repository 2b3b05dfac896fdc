/**
 * BackendPolicy upstream TLS end to end over a real ADS stream: Tower (the
 * real app on a folder) holds back the cluster of a Service whose policy
 * trusts a CA Secret that does not exist yet; once the Secret is written the
 * cluster arrives with an UpstreamTlsContext (SNI = the Service hostname,
 * CA by SDS) and the SDS Secret ca/<cluster> carries the CA bundle. That
 * served bundle then verifies, with node's TLS client doing what Envoy does
 * (trusted CA + SNI + DNS SAN), a server certificate the CA issued for the
 * Service hostname, and refuses one from another CA or for another name.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Tower } from '../../src/app/start-tower';
import { generateRootCa, type RootCa } from '../../src/mesh-ca/root-ca';
import { ecdsaP256, privateKeyPem, subtle, x509 } from '../../src/mesh-ca/x509';
import { startFolderTower } from '../fixtures/tower-e2e';
import { decodeAny, SotwClient, testNode, type SotwResponse } from '../fixtures/xds-client';

const host = 'ledger.shop.svc.cluster.local';
const clusterName = `outbound|443||${host}`;
const caName = `ca/${clusterName}`;
const manifests = `apiVersion: v1
kind: Service
metadata: { name: ledger, namespace: shop }
spec:
  clusterIP: 10.96.0.50
  ports: [{ name: https, port: 443, targetPort: 8443 }]
---
apiVersion: tower.dev/v1alpha1
kind: BackendPolicy
metadata: { name: ledger-tls, namespace: shop }
spec:
  targetRefs: [{ kind: Service, name: ledger }]
  tls: { caCertificateRefs: [{ kind: Secret, name: ledger-ca }] }
`;
const caSecret = (pem: string): string => `apiVersion: v1
kind: Secret
metadata: { name: ledger-ca, namespace: shop }
type: Opaque
data: { ca.crt: ${Buffer.from(pem).toString('base64')} }
`;

let dir = '';
let tower: Tower | undefined;
let client: SotwClient | undefined;
let ca: RootCa;
let otherCa: RootCa;

/** A server certificate for `dnsName` signed by `root`. */
async function serverCert(root: RootCa, dnsName: string): Promise<{ cert: string; key: string }> {
  const keys = await subtle.generateKey(ecdsaP256, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${dnsName}`,
    issuer: root.cert.subject,
    publicKey: keys.publicKey,
    signingKey: root.signingKey,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3_600_000),
    signingAlgorithm: ecdsaP256,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dnsName }]), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** A TLS server with `id`; connects to it trusting `trusted` with SNI `sni`: resolves 'ok' or the verification error. */
async function handshake(id: { cert: string; key: string }, trusted: string, sni: string): Promise<string> {
  const server = tls.createServer({ cert: id.cert, key: id.key }, (s) => s.end('ok'));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<string>((resolve) => {
      const s = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ca: trusted, servername: sni, rejectUnauthorized: true });
      let data = '';
      s.on('data', (d: Buffer) => (data += d.toString()));
      s.on('end', () => resolve(data));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(`error: ${e.code ?? e.message}`));
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Takes responses (ACKing each) until one of `typeUrl` satisfies `ok`. */
async function until(c: SotwClient, typeUrl: string, ok: (r: SotwResponse) => boolean): Promise<SotwResponse> {
  for (;;) {
    const r = await c.next(10_000);
    c.ack(r);
    if (r.type_url === typeUrl && ok(r)) return r;
  }
}

before(async () => {
  [ca, otherCa] = await Promise.all([generateRootCa({ trustDomain: 'ledger.test' }), generateRootCa({ trustDomain: 'other.test' })]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-backend-tls-'));
  fs.writeFileSync(path.join(dir, 'mesh.yaml'), manifests);
  ({ tower } = await startFolderTower(dir));
  await new Promise<void>((resolve) => tower!.readiness.onReady(resolve));
});

after(async () => {
  client?.close();
  await tower?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the CA Secret appears: the TLS cluster and its SDS validation Secret are served, and the served CA verifies the upstream', async () => {
  const c = (client = new SotwClient(tower!.xdsPort, { node: testNode('backend-tls', { TOWER_ROLE: 'gateway' }) }));
  c.subscribe(TypeUrl.Cluster, []);
  const first = await c.expect(TypeUrl.Cluster, 10_000);
  c.ack(first);
  assert.ok(!first.names.includes(clusterName), 'held back while its CA Secret is missing (never sent in plaintext)');

  fs.writeFileSync(path.join(dir, 'ca.yaml'), caSecret(ca.certPem));
  const cds = await until(c, TypeUrl.Cluster, (r) => r.names.includes(clusterName));
  const cluster = decodeAny(cds.resources[cds.names.indexOf(clusterName)]!) as { transport_socket?: { name: string } };
  assert.equal(cluster.transport_socket?.name, 'envoy.transport_sockets.tls');

  c.subscribe(TypeUrl.Secret, [caName]);
  const sds = await until(c, TypeUrl.Secret, (r) => r.names.includes(caName));
  const secret = decodeAny(sds.resources[0]!) as { validation_context: { trusted_ca: { inline_bytes: string } } };
  const served = Buffer.from(secret.validation_context.trusted_ca.inline_bytes, 'base64').toString('utf8');
  assert.equal(served.trim(), ca.certPem.trim());

  assert.equal(await handshake(await serverCert(ca, host), served, host), 'ok', 'a certificate the CA issued for the Service hostname');
  assert.match(await handshake(await serverCert(otherCa, host), served, host), /^error: /, 'another CA is refused');
  assert.match(await handshake(await serverCert(ca, 'other.shop.svc.cluster.local'), served, host), /^error: ERR_TLS_CERT_ALTNAME_INVALID/, 'another name is refused');
});
