/**
 * Every case in testdata/in renders exactly the files in testdata/out (no
 * missing, changed or orphan file), and every golden resource passes
 * compileResource and the cross-reference check. Regenerate with
 * `npm run test:update` after an intended change.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { compileResource } from '../../src/envoy/compile';
import { checkCrossReferences } from '../../src/envoy/cross-refs';
import { TypeUrl } from '../../src/envoy/type-urls';
import { allOutputs, caseNames, renderCase, testdataDir, typeFiles } from './golden-lib';

const outDir = path.join(testdataDir(), 'out');
const cases = caseNames();

test('golden cases exist for every required scenario', () => {
  for (const c of ['basic-http', 'grpc-service', 'multi-port', 'slices-terminating-zones', 'headless-no-endpoints', 'sidecar-modes', 'gateway-tls', 'invalid-input', 'canary-split', 'header-and-method-match', 'retries-timeouts', 'fault-injection', 'cors-and-ratelimit', 'redirect-rewrite-mirror', 'gamma-east-west', 'conflict']) {
    assert.ok(cases.includes(c), c);
  }
});

const rendered = new Map<string, Map<string, string>>();
for (const name of cases) {
  test(`golden: ${name}`, () => {
    const files = renderCase(name);
    rendered.set(name, files);
    for (const [file, text] of files) {
      const p = path.join(outDir, file);
      assert.ok(fs.existsSync(p), `${file} is missing: run npm run test:update`);
      assert.equal(text, fs.readFileSync(p, 'utf8'), `${file} differs from the golden file: run npm run test:update if intended`);
    }
  });
}

test('no orphan golden files', () => {
  const expected = new Set<string>();
  for (const name of cases) for (const f of (rendered.get(name) ?? renderCase(name)).keys()) expected.add(f);
  const orphans = allOutputs().filter((f) => !expected.has(f));
  assert.deepEqual(orphans, []);
});

test('every golden resource passes compileResource, and each role view passes the cross-reference check', () => {
  const views = new Map<string, Map<string, Map<string, unknown>>>();
  let count = 0;
  for (const file of allOutputs()) {
    const parts = file.split('.');
    if (parts.length !== 4) continue; // <case>.errors.yaml
    const [caseName, role, short] = parts as [string, string, string];
    const typeUrl = typeFiles[short];
    assert.ok(typeUrl, `${file}: unknown type ${short}`);
    const list = parse(fs.readFileSync(path.join(outDir, file), 'utf8')) as Record<string, unknown>[];
    assert.ok(Array.isArray(list) && list.length > 0, file);
    const view = views.get(`${caseName}.${role}`) ?? new Map<string, Map<string, unknown>>();
    views.set(`${caseName}.${role}`, view);
    const byName = new Map<string, unknown>();
    view.set(typeUrl, byName);
    for (const json of list) {
      const name = String(typeUrl === TypeUrl.ClusterLoadAssignment ? json.cluster_name : json.name);
      const r = compileResource(typeUrl, name, json);
      assert.ok(r.ok, r.ok ? '' : `${file} ${name}: ${JSON.stringify(r.errors)}`);
      byName.set(name, r.json);
      count++;
    }
  }
  assert.ok(count > 50, `only ${count} golden resources`);
  for (const [key, view] of views) {
    const m = (t: string) => view.get(t) ?? new Map<string, unknown>();
    const errors = checkCrossReferences({ clusters: m(TypeUrl.Cluster), assignments: m(TypeUrl.ClusterLoadAssignment), listeners: m(TypeUrl.Listener), routes: m(TypeUrl.RouteConfiguration), secrets: m(TypeUrl.Secret) });
    assert.deepEqual(errors, [], key);
  }
});

test('invalid input: errors name object and field, and the valid service is still emitted', () => {
  const errors = parse(fs.readFileSync(path.join(outDir, 'invalid-input.errors.yaml'), 'utf8')) as { model: string[] };
  const text = errors.model.join('\n');
  for (const needle of ['Service shop/bad-port', 'spec.ports[0].port', 'EndpointSlice shop/good-1', 'endpoints[1].addresses[0]', 'Secret shop/broken-cert', 'HTTPRoute shop/to-nowhere', 'spec.ports[1].name']) {
    assert.ok(text.includes(needle), needle);
  }
  const cds = fs.readFileSync(path.join(outDir, 'invalid-input.gateway.cds.yaml'), 'utf8');
  assert.ok(cds.includes('outbound|80||good.shop.svc.cluster.local'));
  assert.ok(!cds.includes('bad-port'));
});
