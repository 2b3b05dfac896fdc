/** Mesh mTLS translation with a mesh-wide mode (what `tower serve --mtls-mode` sets) and a real identity store. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { parseYamlObjects } from '../../src/model/inputs';
import { defaultMeshConfig } from '../../src/model/model-builder';
import { roleFromFlag, roleFromNode } from '../../src/model/roles';
import type { MeshConfig, MeshIdentitySource, MtlsMode } from '../../src/model/types';
import { dumpConfig } from '../../src/pipeline/dump-config';
import { generateRootCa } from '../../src/mesh-ca/root-ca';
import { MeshIdentityStore } from '../../src/mesh-ca/identity-store';
import { identityOf } from '../../translators/mesh-mtls';

const yaml = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  clusterIP: 10.96.7.1
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8080 }, { name: grpc, port: 9000, targetPort: 9000, appProtocol: grpc }]
---
apiVersion: v1
kind: Service
metadata: { name: legacy, namespace: shop, annotations: { tower.dev/mtls: disabled } }
spec:
  clusterIP: 10.96.7.2
  selector: { app: legacy }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`;
const { objects } = parseYamlObjects(yaml, 'mtls.yaml');
const sidecar = roleFromNode({ id: 'web-0', metadata: { TOWER_ROLE: 'sidecar', NAMESPACE: 'shop', SERVICE_ACCOUNT: 'web', LABELS: 'app=web', INTERCEPTION_MODE: 'transparent' } });

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking decoded proto3 JSON in assertions
const config = (mode: MtlsMode, identities?: MeshIdentitySource): MeshConfig => ({ ...defaultMeshConfig, mtls: { mode, ...(identities ? { identities } : {}) } });
const byName = (list: readonly unknown[] | undefined): Map<string, J> => new Map((list ?? []).map((x) => [(x as J).name as string, x as J]));

test('mesh mode permissive: clusters to meshed Services originate mTLS, the opted-out one and proxyless clusters stay plaintext', () => {
  const d = dumpConfig(objects, sidecar, { config: config('permissive') });
  assert.deepEqual(d.translationErrors, []);
  const cds = byName(d.resources.CDS);
  for (const name of ['outbound|80||web.shop.svc.cluster.local', 'outbound|9000||web.shop.svc.cluster.local']) {
    const tc = cds.get(name)?.transport_socket?.typed_config as J;
    assert.equal(tc['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', name);
    assert.equal(tc.sni, 'web.shop.svc.cluster.local');
    assert.deepEqual(tc.common_tls_context.combined_validation_context.default_validation_context.match_typed_subject_alt_names, [{ san_type: 'URI', matcher: { prefix: 'spiffe://cluster.local/' } }]);
  }
  assert.equal(cds.get('outbound|80||legacy.shop.svc.cluster.local')?.transport_socket, undefined);
  const proxyless = dumpConfig(objects, roleFromFlag('proxyless', { namespace: 'shop' }), { config: config('strict') });
  assert.ok((proxyless.resources.CDS ?? []).every((c) => (c as J).transport_socket === undefined));
  assert.equal(proxyless.resources.SDS, undefined, 'proxyless clients get no identity Secrets');
});

test('mesh mode strict: the sidecar inbound has one chain per port, always mTLS; disabled: no TLS anywhere and no identity Secrets', () => {
  const strict = dumpConfig(objects, sidecar, { config: config('strict') });
  const inbound = byName(strict.resources.LDS).get('virtualInbound') as J;
  assert.deepEqual(inbound.filter_chains.map((c: J) => [c.name, c.filter_chain_match?.destination_port, c.transport_socket?.typed_config?.require_client_certificate]), [
    ['inbound|8080', 8080, true],
    ['inbound|9000', 9000, true],
    ['inbound-passthrough', undefined, undefined],
  ]);
  assert.equal(inbound.listener_filters.length, 1, 'no tls_inspector needed');
  assert.deepEqual([...byName(strict.resources.SDS).keys()].sort(), ['ROOTCA', 'default']);

  const off = dumpConfig(objects, sidecar, { config: config('disabled') });
  assert.ok((off.resources.CDS ?? []).every((c) => (c as J).transport_socket === undefined));
  assert.equal(off.resources.SDS, undefined);
});

test('with the mesh CA store, the identity Secrets hold the certificate of the client identity and the root; gateways use their own identity', async () => {
  const root = await generateRootCa({ trustDomain: 'cluster.local' });
  const store = new MeshIdentityStore({ root, trustDomain: 'cluster.local' });
  try {
    const gateway = roleFromFlag('gateway=edge/public', { nodeId: 'gw-0' });
    for (const role of [sidecar, gateway]) {
      const id = identityOf(role)!;
      await store.ensure(id.namespace, id.serviceAccount);
    }
    const d = dumpConfig(objects, sidecar, { config: config('permissive', store), redactSecrets: false });
    const sds = byName(d.resources.SDS);
    const cert = new crypto.X509Certificate(sds.get('default')!.tls_certificate.certificate_chain.inline_string as string);
    assert.equal(cert.subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/web');
    assert.ok(cert.checkPrivateKey(crypto.createPrivateKey(sds.get('default')!.tls_certificate.private_key.inline_string as string)));
    assert.equal(sds.get('ROOTCA')!.validation_context.trusted_ca.inline_string, root.certPem);

    const g = dumpConfig(objects, gateway, { config: config('permissive', store), redactSecrets: false });
    const gcert = new crypto.X509Certificate(byName(g.resources.SDS).get('default')!.tls_certificate.certificate_chain.inline_string as string);
    assert.equal(gcert.subjectAltName, 'URI:spiffe://cluster.local/ns/edge/sa/public');
    assert.ok(byName(g.resources.CDS).get('outbound|80||web.shop.svc.cluster.local')?.transport_socket, 'the gateway originates mTLS to meshed Services');
  } finally {
    store.close();
  }
});

test('a Service annotation overrides the mesh mode both ways; an unknown value is reported against the annotation', () => {
  const text = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop, annotations: { tower.dev/mtls: Strict } }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: odd, namespace: shop, annotations: { tower.dev/mtls: sometimes } }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
`;
  const d = dumpConfig(parseYamlObjects(text, 'x.yaml').objects, sidecar, { config: config('disabled') });
  const inbound = byName(d.resources.LDS).get('virtualInbound') as J;
  assert.ok(inbound.filter_chains[0].transport_socket, 'strict by annotation although the mesh is disabled');
  assert.equal(byName(d.resources.CDS).get('outbound|80||odd.shop.svc.cluster.local')?.transport_socket, undefined);
  assert.deepEqual(d.modelErrors, [
    'Service shop/odd (x.yaml): metadata.annotations["tower.dev/mtls"]: "sometimes" is not an mTLS mode (disabled, permissive or strict); the mesh mode (disabled) applies [invalid-object]',
  ]);
});
