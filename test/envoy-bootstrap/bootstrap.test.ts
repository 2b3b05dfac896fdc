import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { decodeAndValidate } from '../../src/envoy/compile';

const top = path.resolve(__dirname, '../../..');
const read = (rel: string) => fs.readFileSync(path.join(top, rel), 'utf8');

/** Every Envoy bootstrap Tower ships, including the ones embedded in deploy/ ConfigMaps. */
function bootstraps(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const f of ['envoy-bootstrap/gateway.yaml', 'envoy-bootstrap/sidecar.yaml']) out.push([f, YAML.parse(read(f))]);
  for (const f of ['deploy/gateway/bootstrap-configmap.yaml', 'deploy/demo/sidecar-bootstrap-configmap.yaml']) {
    const cm = YAML.parse(read(f)) as { data: Record<string, string> };
    out.push([`${f} data.bootstrap.yaml`, YAML.parse(cm.data['bootstrap.yaml'])]);
  }
  return out;
}

for (const [name, doc] of bootstraps()) {
  test(`${name} decodes strictly as envoy.config.bootstrap.v3.Bootstrap and passes validate.rules`, () => {
    const r = decodeAndValidate('envoy.config.bootstrap.v3.Bootstrap', doc);
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
    const json = r.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- decoded proto JSON
    // ADS over gRPC, delta by default, to the tower-xds cluster with HTTP/2 keepalives and retry backoff.
    assert.equal(json.dynamic_resources.ads_config.api_type, 'DELTA_GRPC');
    assert.equal(json.dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name, 'tower-xds');
    assert.ok(json.dynamic_resources.ads_config.grpc_services[0].envoy_grpc.retry_policy.retry_back_off);
    assert.deepEqual(json.dynamic_resources.cds_config, { ads: {}, resource_api_version: 'V3' });
    const xds = json.static_resources.clusters.find((c: { name: string }) => c.name === 'tower-xds');
    const opts = xds.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    assert.ok(opts.explicit_http_config.http2_protocol_options.connection_keepalive.interval);
    // Admin on localhost only; Prometheus stats on the fixed port 15090.
    assert.equal(json.admin.address.socket_address.address, '127.0.0.1');
    const stats = json.static_resources.listeners.find((l: { name: string }) => l.name === 'prometheus_stats');
    assert.equal(stats.address.socket_address.port_value, 15090);
    assert.ok(['gateway', 'sidecar'].includes(json.node.metadata.TOWER_ROLE));
  });
}

test('a bootstrap with a typo is refused with the field path', () => {
  const doc = YAML.parse(read('envoy-bootstrap/gateway.yaml')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test mutation
  doc.dynamic_resources.ads_config.api_typo = 'GRPC';
  const r = decodeAndValidate('envoy.config.bootstrap.v3.Bootstrap', doc);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.errors.some((e) => e.path.includes('dynamic_resources.ads_config') && /api_typo/.test(e.path + e.message)), JSON.stringify(!r.ok && r.errors));
});

test('the proxyless bootstrap is a gRPC xDS bootstrap with an ADS server and a node', () => {
  const b = JSON.parse(read('envoy-bootstrap/proxyless.json')) as { xds_servers: { server_uri: string; server_features: string[] }[]; node: { id: string; metadata: Record<string, string> } };
  assert.match(b.xds_servers[0].server_uri, /:18000$/);
  assert.deepEqual(b.xds_servers[0].server_features, ['xds_v3']);
  assert.equal(b.node.metadata.TOWER_ROLE, 'proxyless');
  // The node part is an envoy.config.core.v3.Node in proto3 JSON (camelCase allowed).
  const r = decodeAndValidate('envoy.config.core.v3.Node', b.node);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
});

test('every --config-yaml override in deploy/ decodes strictly as a Bootstrap (it is merged into the file)', () => {
  const files = ['deploy/gateway/deployment.yaml', 'deploy/demo/workloads.yaml'];
  let seen = 0;
  for (const f of files) {
    for (const doc of YAML.parseAllDocuments(read(f)).map((d) => d.toJS() as { kind?: string; spec?: any })) { // eslint-disable-line @typescript-eslint/no-explicit-any -- manifest walk
      if (doc?.kind !== 'Deployment') continue;
      for (const c of doc.spec.template.spec.containers as { name: string; args?: string[] }[]) {
        const m = (c.args ?? []).join(' ').match(/--config-yaml\s+"(.*)"/);
        if (!m) continue;
        seen++;
        const override = YAML.parse(m[1].replace(/\$\{(\w+)\}/g, 'sample-$1'));
        const r = decodeAndValidate('envoy.config.bootstrap.v3.Bootstrap', override);
        assert.ok(r.ok, `${f} ${c.name}: ${JSON.stringify(!r.ok && r.errors)}`);
      }
    }
  }
  assert.ok(seen >= 5, `found ${seen} overrides`);
});
