#!/usr/bin/env node
// Regenerates the bootstrap ConfigMaps under deploy/ from envoy-bootstrap/*.yaml,
// so there is one source of truth for each bootstrap. In a cluster Tower is
// reached at its Service's DNS name instead of the `tower` host name.
// test/deploy/manifests.test.ts fails when these files are stale.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const top = path.join(__dirname, '..');
const towerHost = 'tower.tower-system.svc.cluster.local';

function configMap(name, namespace, bootstrapFile) {
  const text = fs.readFileSync(path.join(top, 'envoy-bootstrap', bootstrapFile), 'utf8');
  const body = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/address: tower, port_value: 18000/, `address: ${towerHost}, port_value: 18000`);
  const doc = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'tower' } },
    data: { 'bootstrap.yaml': body.trimStart() },
  };
  return `# Generated from envoy-bootstrap/${bootstrapFile} by scripts/generate-deploy.js; do not edit.\n` + YAML.stringify(doc, { lineWidth: 0 });
}

const outputs = {
  'deploy/gateway/bootstrap-configmap.yaml': configMap('gateway-bootstrap', 'tower-system', 'gateway.yaml'),
  'deploy/demo/sidecar-bootstrap-configmap.yaml': configMap('sidecar-bootstrap', 'shop', 'sidecar.yaml'),
};
module.exports = { outputs, towerHost };
if (require.main === module) {
  for (const [file, text] of Object.entries(outputs)) fs.writeFileSync(path.join(top, file), text);
  console.log(`wrote ${Object.keys(outputs).join(', ')}`);
}
