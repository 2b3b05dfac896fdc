/** The mesh CA: root and leaf certificates verified with node's own X.509, lifetimes, rotation, loading a shared root. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRootCa } from '../../src/mesh-ca/root-ca';
import { issueLeaf } from '../../src/mesh-ca/issue-leaf';
import { MeshIdentityStore } from '../../src/mesh-ca/identity-store';
import { loadOrGenerateRootCa, loadRootCaDir } from '../../src/mesh-ca/load-root-ca';
import { FakeClock } from '../fixtures/fake-clock';

const hour = 3600_000;

test('a leaf is issued by the root: checkIssued and verify hold, the only SAN is the SPIFFE id, key matches, not a CA', async () => {
  const root = await generateRootCa({ trustDomain: 'cluster.local' });
  const leaf = await issueLeaf(root, 'spiffe://cluster.local/ns/shop/sa/api');
  const r = new crypto.X509Certificate(root.certPem);
  const l = new crypto.X509Certificate(leaf.certChainPem);
  assert.equal(r.ca, true);
  assert.ok(r.verify(r.publicKey), 'the root is self-signed');
  assert.equal(l.ca, false);
  assert.ok(l.checkIssued(r), 'the leaf names the root as issuer');
  assert.ok(l.verify(r.publicKey), 'the root signed the leaf');
  assert.equal(l.subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/api');
  assert.ok(l.checkPrivateKey(crypto.createPrivateKey(leaf.privateKeyPem)));
  assert.equal(l.publicKey.asymmetricKeyType, 'ec');
  assert.equal(l.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.deepEqual(l.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  // A root that did not sign it does not verify it.
  const other = new crypto.X509Certificate((await generateRootCa({ trustDomain: 'cluster.local' })).certPem);
  assert.equal(l.verify(other.publicKey), false);
});

test('leaf lifetime: 24 h by default, backdated one minute, never beyond the root', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const root = await generateRootCa({ trustDomain: 'td', now, lifetimeMs: 48 * hour });
  const leaf = await issueLeaf(root, 'spiffe://td/ns/a/sa/b', { now });
  assert.equal(leaf.notAfter.getTime() - now.getTime(), 24 * hour);
  assert.equal(now.getTime() - leaf.notBefore.getTime(), 60_000);
  const l = new crypto.X509Certificate(leaf.certChainPem);
  assert.equal(new Date(l.validTo).getTime(), leaf.notAfter.getTime());
  const late = await issueLeaf(root, 'spiffe://td/ns/a/sa/b', { now: new Date(now.getTime() + 40 * hour) });
  assert.equal(late.notAfter.getTime(), root.notAfter.getTime(), 'capped at the root expiry');
});

test('identity store: one issuance per identity, cached; re-issued at 2/3 of the lifetime and listeners told; close stops rotation', async () => {
  const clock = new FakeClock();
  clock.advance(Date.parse('2030-01-01T00:00:00Z'));
  const root = await generateRootCa({ trustDomain: 'cluster.local', now: new Date(clock.now()) });
  const store = new MeshIdentityStore({ root, trustDomain: 'cluster.local', lifetimeMs: 3 * hour, clock });
  const rotated: string[] = [];
  store.onRotated((ns, sa) => rotated.push(`${ns}/${sa}`));
  assert.equal(store.identity('shop', 'api'), undefined);
  const [a, b] = await Promise.all([store.ensure('shop', 'api'), store.ensure('shop', 'api')]);
  assert.equal(a, b, 'concurrent callers share one issuance');
  assert.equal(store.identity('shop', 'api'), a);
  assert.equal(a.spiffeId, 'spiffe://cluster.local/ns/shop/sa/api');
  assert.equal(clock.pendingTimers(), 1);
  // Just before 2/3 of the lifetime nothing happens; at 2/3 a new certificate replaces it.
  clock.advance(2 * hour - 1000);
  assert.equal(store.identity('shop', 'api'), a);
  clock.advance(1000);
  await new Promise((r) => setTimeout(r, 0));
  for (let i = 0; i < 50 && store.identity('shop', 'api') === a; i++) await new Promise((r) => setTimeout(r, 5));
  const next = store.identity('shop', 'api');
  assert.ok(next && next !== a, 'rotated');
  assert.ok(next.notAfter.getTime() > a.notAfter.getTime());
  assert.notEqual(next.privateKeyPem, a.privateKeyPem, 'a fresh key');
  assert.deepEqual(rotated, ['shop/api']);
  assert.equal(clock.pendingTimers(), 1, 'the next rotation is scheduled');
  store.close();
  assert.equal(clock.pendingTimers(), 0);
});

test('a shared root is loaded from a directory (ca.crt/ca.key or a mounted tls Secret); bad files name what is wrong', async () => {
  const root = await generateRootCa({ trustDomain: 'cluster.local' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-mesh-ca-'));
  try {
    fs.writeFileSync(path.join(dir, 'tls.crt'), root.certPem);
    fs.writeFileSync(path.join(dir, 'tls.key'), root.keyPem);
    const loaded = await loadRootCaDir(dir);
    assert.equal(loaded.root.certPem.trim(), root.certPem.trim());
    // Leaves issued by either replica's copy verify against the same root.
    const leaf = await issueLeaf(loaded.root, 'spiffe://cluster.local/ns/x/sa/y');
    assert.ok(new crypto.X509Certificate(leaf.certChainPem).verify(new crypto.X509Certificate(root.certPem).publicKey));

    const other = await generateRootCa({ trustDomain: 'cluster.local' });
    fs.writeFileSync(path.join(dir, 'tls.key'), other.keyPem);
    await assert.rejects(loadRootCaDir(dir), /tls\.crt: the CA key does not match the CA certificate/);
    fs.writeFileSync(path.join(dir, 'tls.key'), 'not a key');
    await assert.rejects(loadRootCaDir(dir), /not a PKCS#8 PEM ECDSA P-256 private key/);
    fs.rmSync(path.join(dir, 'tls.key'));
    await assert.rejects(loadRootCaDir(dir), /tls\.crt exists but tls\.key does not/);
    fs.rmSync(path.join(dir, 'tls.crt'));
    await assert.rejects(loadRootCaDir(dir), /expected ca\.crt and ca\.key/);
    const leafOnly = await issueLeaf(root, 'spiffe://cluster.local/ns/x/sa/y');
    fs.writeFileSync(path.join(dir, 'ca.crt'), leafOnly.certChainPem);
    fs.writeFileSync(path.join(dir, 'ca.key'), leafOnly.privateKeyPem);
    await assert.rejects(loadRootCaDir(dir), /not a CA certificate/);
    assert.equal((await loadOrGenerateRootCa({ trustDomain: 'cluster.local' })).origin, 'generated');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
