import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

const top = path.resolve(__dirname, '../../..');

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

test('every deploy/ manifest parses and names apiVersion, kind and metadata.name', () => {
  const files = yamlFiles(path.join(top, 'deploy'));
  assert.ok(files.length >= 8, `only ${files.length} manifest files`);
  for (const file of files) {
    for (const [i, doc] of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).entries()) {
      assert.deepEqual(doc.errors.map(String), [], `${file} document ${i}`);
      const o = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | null;
      if (o === null) continue;
      assert.ok(o.apiVersion && o.kind, `${file} document ${i}: apiVersion and kind`);
      if (o.kind !== 'Kustomization') assert.ok(o.metadata?.name, `${file} document ${i}: metadata.name`);
    }
  }
});

test('kustomizations list only files that exist', () => {
  for (const file of yamlFiles(path.join(top, 'deploy')).filter((f) => path.basename(f) === 'kustomization.yaml')) {
    const k = YAML.parse(fs.readFileSync(file, 'utf8')) as { resources?: string[] };
    for (const r of k.resources ?? []) assert.ok(fs.existsSync(path.join(path.dirname(file), r)), `${file}: ${r}`);
  }
});

test('bootstrap ConfigMaps are generated from envoy-bootstrap/ and are current', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gen = require(path.join(top, 'scripts/generate-deploy.js')) as { outputs: Record<string, string>; towerHost: string };
  for (const [file, text] of Object.entries(gen.outputs)) {
    assert.equal(fs.readFileSync(path.join(top, file), 'utf8'), text, `${file} is stale: run node scripts/generate-deploy.js`);
    const cm = YAML.parse(text) as { data: Record<string, string> };
    assert.match(cm.data['bootstrap.yaml'], new RegExp(`address: ${gen.towerHost}`));
  }
});

test('the ClusterRole grants reads only, and writes only status of Tower kinds', () => {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(top, 'deploy/tower/rbac.yaml'), 'utf8')).map((d) => d.toJS());
  const role = docs.find((d) => d.kind === 'ClusterRole') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  for (const rule of role.rules) {
    const writes = rule.verbs.filter((v) => !['get', 'list', 'watch'].includes(v));
    if (writes.length) for (const r of rule.resources) assert.match(r, /\/status$/, `write verbs ${writes} on ${r}`);
  }
});

test('Tower runs with the same malloc settings in the cluster, under npm start and in the benchmarks', () => {
  const d = YAML.parse(fs.readFileSync(path.join(top, 'deploy/tower/deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } } };
  const env = Object.fromEntries((d.spec.template.spec.containers.find((c) => c.name === 'tower')?.env ?? []).map((e) => [e.name, e.value]));
  const { serverEnv } = require(path.join(top, 'dist/bench/target.js')) as { serverEnv: Record<string, string> };
  const pkg = JSON.parse(fs.readFileSync(path.join(top, 'package.json'), 'utf8')) as { scripts: { start: string } };
  for (const [name, value] of Object.entries(serverEnv)) {
    assert.equal(env[name], value, `deployment.yaml sets ${name}`);
    assert.ok(pkg.scripts.start.includes(`${name}=${value}`), `npm start sets ${name}`);
  }
  assert.ok(Object.keys(serverEnv).length > 0);
});
