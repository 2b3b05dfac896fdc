/**
 * A sidecar that connects before Tower's initial sync waits for both the sync
 * and its identity certificate, then gets its identity Secrets and a cluster
 * that uses them (the view is never published without the certificate).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { startTower } from '../../src/app/start-tower';
import { parseServeConfig } from '../../src/config/serve-config';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createLogger } from '../../src/observability/logger';
import { defaultKindRegistry, type KubeObject } from '../../src/sources/kinds';
import type { Source, SourceListener } from '../../src/sources/source';
import { decodeAny, SotwClient, testNode } from '../fixtures/xds-client';

class ManualSource implements Source {
  readonly name = 'manual';
  listener: SourceListener | undefined;
  async start(listener: SourceListener): Promise<void> {
    this.listener = listener;
  }
  async stop(): Promise<void> {}
}

test('connected before the initial sync: identity Secrets and the mTLS cluster arrive once synced', async () => {
  const source = new ManualSource();
  const config = parseServeConfig(['--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--debounce-quiet-ms', '5', '--debounce-max-ms', '50', '--mtls-mode', 'strict'], {});
  const tower = await startTower(config, { source, logger: createLogger({ level: 'silent' }) });
  const c = new SotwClient(tower.xdsPort, { node: testNode('early-0.shop', { TOWER_ROLE: 'sidecar', NAMESPACE: 'shop', SERVICE_ACCOUNT: 'early', LABELS: 'app=early' }) });
  try {
    c.subscribe(TypeUrl.Cluster);
    // The client is attached (its node seen) before the source has synced; then the Service arrives with the sync.
    for (let i = 0; i < 500 && tower.xds.clients().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(tower.xds.clients().length, 1);
    assert.equal(tower.readiness.ready, false);
    const kind = defaultKindRegistry().get('v1', 'Service')!;
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments', namespace: 'shop' }, spec: { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } } as unknown as KubeObject;
    source.listener!({ type: 'upsert', key: 'Service/shop/payments', object: svc, kind, origin: { source: 'cluster', cluster: 'test' } });
    source.listener!({ type: 'synced', source: 'manual' });
    const cds = await c.expect(TypeUrl.Cluster, 10_000);
    c.ack(cds);
    const cluster = cds.resources.map((a) => decodeAny(a)).find((x) => x.name === 'outbound|80||payments.shop.svc.cluster.local') as { transport_socket?: unknown };
    assert.ok(cluster?.transport_socket, 'strict mesh: the cluster originates mTLS');
    c.subscribe(TypeUrl.Secret, ['default', 'ROOTCA']);
    const sds = await c.expect(TypeUrl.Secret, 10_000);
    const def = sds.resources.map((a) => decodeAny(a)).find((x) => x.name === 'default') as { tls_certificate: { certificate_chain: { inline_string: string } } };
    assert.equal(new crypto.X509Certificate(def.tls_certificate.certificate_chain.inline_string).subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/early');
  } finally {
    c.close();
    await tower.close();
  }
});
