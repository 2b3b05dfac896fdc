/** BackendPolicy CA references resolved by the model (missing-secret errors, incremental re-attach when the Secret appears) and which deltas a policy change reports. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ModelBuilder } from '../../../src/model/model-builder';
import { caSecretsReferencedBy } from '../../../src/model/backend-policy';
import { outboundClusters } from '../../../translators/outbound';
import { service } from '../../model/fixtures';

const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const svc = service('shop', 'ledger', [{ name: 'https', port: 443 }]);
const route = (spec: Record<string, unknown>) => ({ apiVersion: 'tower.dev/v1alpha1', kind: 'BackendPolicy', metadata: { name: 'ledger', namespace: 'shop' }, spec: { targetRefs: [{ kind: 'Service', name: 'ledger' }], ...spec } });
const caSecret = (data: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ledger-ca', namespace: 'shop' }, type: 'Opaque', stringData: { 'ca.crt': data } });

test('a missing CA Secret is a missing-secret error naming spec.tls.caCertificateRefs[i]; when it appears the Service is re-attached with the bundle', () => {
  const b = new ModelBuilder();
  b.apply([{ type: 'upsert', object: svc }, { type: 'upsert', object: route({ tls: { caCertificateRefs: [{ kind: 'Secret', name: 'ledger-ca' }, { kind: 'ConfigMap', name: 'bundle' }] } }) }]);
  const errs = b.errors().map((e) => [e.code, e.path]);
  assert.deepEqual(errs, [
    ['unsupported-policy', 'spec.tls.caCertificateRefs[1]'],
    ['missing-secret', 'spec.tls.caCertificateRefs[0]'],
  ]);
  assert.equal(outboundClusters(b.model().services['shop/ledger'] as never).length, 1, 'no validation Secret without a bundle');
  const d = b.apply([{ type: 'upsert', object: caSecret(pem) }]);
  assert.deepEqual([...d.services], ['shop/ledger']);
  assert.deepEqual(b.errors().map((e) => e.code), ['unsupported-policy']);
  const specs = outboundClusters(b.model().services['shop/ledger'] as never);
  assert.equal(specs.length, 2);
  assert.equal(specs[1]?.name, 'ca/outbound|443||ledger.shop.svc.cluster.local');
  assert.equal(Buffer.from((specs[1]?.json as { validation_context: { trusted_ca: { inline_bytes: string } } }).validation_context.trusted_ca.inline_bytes, 'base64').toString(), pem);
  // the same content again changes nothing; new content re-attaches
  assert.equal(b.apply([{ type: 'upsert', object: caSecret(pem) }]).services.size, 0);
  assert.deepEqual([...b.apply([{ type: 'upsert', object: caSecret(pem + pem) }]).services], ['shop/ledger']);
  const d2 = b.apply([{ type: 'delete', kind: 'Secret', namespace: 'shop', name: 'ledger-ca' }]);
  assert.deepEqual([...d2.services], ['shop/ledger']);
  assert.equal(outboundClusters(b.model().services['shop/ledger'] as never).length, 1);
});

test('a Secret without ca.crt is not a CA; a broken ca.crt is an invalid-secret error', () => {
  const b = new ModelBuilder();
  b.apply([{ type: 'upsert', object: svc }, { type: 'upsert', object: route({ tls: { caCertificateRefs: [{ kind: 'Secret', name: 'ledger-ca' }] } }) }]);
  b.apply([{ type: 'upsert', object: caSecret('not a pem') }]);
  const codes = b.errors().map((e) => [e.code, e.source.kind, e.path]);
  assert.deepEqual(codes, [
    ['invalid-secret', 'Secret', 'stringData["ca.crt"]'],
    ['missing-secret', 'BackendPolicy', 'spec.tls.caCertificateRefs[0]'],
  ]);
});

test('changing only the hash of a policy is mesh-wide (gateway and sidecar routes carry it); other changes are per Service', () => {
  const b = new ModelBuilder();
  b.apply([{ type: 'upsert', object: svc }]);
  const hashed = route({ loadBalancer: { type: 'RingHash', consistentHash: { type: 'Header', header: { name: 'x-user' } } } });
  assert.equal(b.apply([{ type: 'upsert', object: hashed }]).meshWide, true);
  assert.equal(b.apply([{ type: 'upsert', object: { ...hashed, spec: { ...hashed.spec, connectTimeout: '1s' } } }]).meshWide, false);
  assert.equal(b.apply([{ type: 'delete', kind: 'BackendPolicy', namespace: 'shop', name: 'ledger' }]).meshWide, true);
  assert.equal(b.apply([{ type: 'upsert', object: route({ connectTimeout: '1s' }) }]).meshWide, false);
});

test('caSecretsReferencedBy lists the CA Secrets of attached policies (what Kubernetes sources must read)', () => {
  const b = new ModelBuilder();
  b.apply([{ type: 'upsert', object: svc }, { type: 'upsert', object: route({ tls: { caCertificateRefs: [{ kind: 'Secret', name: 'ledger-ca' }, { kind: 'ConfigMap', name: 'bundle' }] } }) }]);
  assert.deepEqual([...caSecretsReferencedBy(b.model())], ['Secret/shop/ledger-ca']);
  b.apply([{ type: 'delete', kind: 'BackendPolicy', namespace: 'shop', name: 'ledger' }]);
  assert.deepEqual([...caSecretsReferencedBy(b.model())], []);
});
