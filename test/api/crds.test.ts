import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { type SchemaNode, crdSchema, generatedCrdFiles, structuralErrors, toStructural } from '../../src/api/crd';
import { towerKind, towerKinds } from '../../src/api/kinds';
import { validateOpenApi } from '../../src/api/openapi-check';
import { crdDir } from '../../scripts/generate-crds';
import { allSamples, backendPolicySample, gatewaySample, meshRoutePolicySample, routePolicySample, securityPolicySample } from './samples';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary fields

function committedSchema(kind: string): SchemaNode {
  const k = towerKind(kind)!;
  const crd = parse(fs.readFileSync(path.join(crdDir(), `${k.plural}.yaml`), 'utf8')) as Obj;
  return crd.spec.versions[0].schema.openAPIV3Schema as SchemaNode;
}

test('committed deploy/crds equal the generated manifests (run node dist/scripts/generate-crds.js to update)', () => {
  const generated = generatedCrdFiles(towerKinds);
  for (const { file, text } of generated) {
    const p = path.join(crdDir(), file);
    assert.ok(fs.existsSync(p), `${file} is missing`);
    assert.equal(fs.readFileSync(p, 'utf8'), text, `${file} is stale`);
  }
  const extra = fs.readdirSync(crdDir()).filter((f) => !generated.some((g) => g.file === f));
  assert.deepEqual(extra, [], 'files in deploy/crds that the generator does not write');
});

test('every CRD is structural, bounded, and declares names, status subresource and printer columns', () => {
  for (const k of towerKinds) {
    const crd = parse(fs.readFileSync(path.join(crdDir(), `${k.plural}.yaml`), 'utf8')) as Obj;
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(crd.metadata.name, `${k.plural}.tower.dev`);
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names, { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.singular, shortNames: k.shortNames, categories: ['tower'] });
    const v = crd.spec.versions[0];
    assert.equal(v.name, 'v1alpha1');
    assert.deepEqual(v.subresources, { status: {} });
    const columns = v.additionalPrinterColumns.map((c: Obj) => c.name);
    assert.ok(columns.includes('Accepted') && columns.includes('Age'), `${k.kind}: ${columns}`);
    const schema = v.schema.openAPIV3Schema as SchemaNode;
    assert.deepEqual(structuralErrors(schema), [], k.kind);
    assert.deepEqual(schema.required, ['spec']);
    assert.deepEqual((schema.properties as Obj).metadata, { type: 'object' });
    const text = JSON.stringify(schema);
    for (const word of ['"$ref"', '"anyOf"', '"oneOf"', '"allOf"', '"const"', '"additionalProperties":false', '"propertyNames"']) {
      assert.ok(!text.includes(word), `${k.kind} schema contains ${word}`);
    }
  }
  assert.deepEqual(towerKind('RoutePolicy')!.printerColumns.map((c) => c.name), ['Hostnames', 'Accepted', 'Programmed', 'Age']);
  assert.deepEqual(towerKind('Gateway')!.printerColumns.map((c) => c.name), ['Accepted', 'Programmed', 'Age']);
});

test('the structural checks catch what the API server would refuse', () => {
  const bad: SchemaNode = {
    type: 'object',
    properties: {
      u: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      s: { type: 'string' },
      n: { type: 'integer', minimum: 0 },
      a: { type: 'array', items: { type: 'string', maxLength: 3 } },
      p: { type: 'string', maxLength: 9, pattern: '(?=x)' },
      m: { type: 'object', additionalProperties: { type: 'string', maxLength: 3 } },
    },
  };
  const errs = structuralErrors(bad);
  for (const want of ['.u: forbidden keyword anyOf', '.u: no type', '.s: string without maxLength', '.n: number without minimum and maximum', '.a: array without maxItems', '.p: pattern is not RE2', '.m: map without maxProperties']) {
    assert.ok(errs.some((e) => e.startsWith(want)), `missing "${want}" in ${JSON.stringify(errs)}`);
  }
  assert.throws(() => toStructural(z.toJSONSchema(z.strictObject({ u: z.union([z.string(), z.number()]) }), { target: 'openapi-3.0' }) as SchemaNode), /CRD schema at \.u: unsupported keyword anyOf/);
});

test('sample objects zod accepts are valid per the CRD schema, as applied and as defaulted by zod', () => {
  for (const sample of allSamples()) {
    const k = towerKind(sample.kind)!;
    assert.ok(k.schema.safeParse(sample).success, sample.kind);
    const schema = committedSchema(sample.kind);
    assert.deepEqual(validateOpenApi(schema, sample), [], `${sample.kind} ${sample.metadata.name} as applied`);
    assert.deepEqual(validateOpenApi(schema, k.schema.parse(sample)), [], `${sample.kind} ${sample.metadata.name} after zod defaults`);
  }
});

/** Mutations both zod and the CRD schema reject; each names the path the CRD reports. */
const bothReject: [string, () => Obj, string][] = [
  ['port above 65535', () => { const o: Obj = gatewaySample(); o.spec.listeners[0].port = 70000; return o; }, 'spec.listeners[0].port'],
  ['unknown listener field', () => { const o: Obj = gatewaySample(); o.spec.listeners[0].hostname = 'a.example.com'; return o; }, 'spec.listeners[0].hostname'],
  ['protocol not in enum', () => { const o: Obj = gatewaySample(); o.spec.listeners[0].protocol = 'TCP'; return o; }, 'spec.listeners[0].protocol'],
  ['too many listeners', () => { const o: Obj = gatewaySample(); o.spec.listeners = Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 1000 + i, protocol: 'HTTP' })); return o; }, 'spec.listeners'],
  ['bad duration', () => { const o: Obj = routePolicySample(); o.spec.rules[0].timeouts.request = '1d'; return o; }, 'spec.rules[0].timeouts.request'],
  ['weight above max', () => { const o: Obj = meshRoutePolicySample(); o.spec.rules[0].backendRefs[0].weight = 1_000_001; return o; }, 'spec.rules[0].backendRefs[0].weight'],
  ['percent above 100', () => { const o: Obj = routePolicySample(); o.spec.rules[0].filters[3].requestMirror.percent = 101; return o; }, 'spec.rules[0].filters[3].requestMirror.percent'],
  ['missing backend port', () => { const o: Obj = meshRoutePolicySample(); delete o.spec.rules[0].backendRefs[0].port; return o; }, 'spec.rules[0].backendRefs[0].port'],
  ['header value too long', () => { const o: Obj = routePolicySample(); o.spec.rules[0].matches[1].headers[0].value = 'x'.repeat(4097); return o; }, 'spec.rules[0].matches[1].headers[0].value'],
  ['retryOn duplicate (set)', () => { const o: Obj = routePolicySample(); o.spec.rules[0].retry.retryOn.push('reset', 'reset'); return o; }, 'spec.rules[0].retry.retryOn[4]'],
  ['redirect status 304', () => { const o: Obj = routePolicySample(); o.spec.rules[1].filters[0].requestRedirect.statusCode = 304; return o; }, 'spec.rules[1].filters[0].requestRedirect.statusCode'],
  ['hostname uppercase', () => { const o: Obj = routePolicySample(); o.spec.hostnames = ['Shop.example.com']; return o; }, 'spec.hostnames[0]'],
  ['circuit breaker above int32', () => { const o: Obj = backendPolicySample(); o.spec.circuitBreaker.maxRequests = 2 ** 31; return o; }, 'spec.circuitBreaker.maxRequests'],
  ['lb type not in enum', () => { const o: Obj = backendPolicySample(); o.spec.loadBalancer.type = 'Fastest'; return o; }, 'spec.loadBalancer.type'],
  ['http2 not boolean', () => { const o: Obj = backendPolicySample(); o.spec.http2 = 'yes'; return o; }, 'spec.http2'],
  ['jwks uri not https', () => { const o: Obj = securityPolicySample(); o.spec.jwt.providers[0].remoteJWKS.uri = 'ftp://x/y'; return o; }, 'spec.jwt.providers[0].remoteJWKS.uri'],
  ['unknown authorization field', () => { const o: Obj = securityPolicySample(); o.spec.authorization.mode = 'strict'; return o; }, 'spec.authorization.mode'],
  ['missing action', () => { const o: Obj = securityPolicySample(); delete o.spec.authorization.rules[0].action; return o; }, 'spec.authorization.rules[0].action'],
  ['missing spec', () => { const o: Obj = securityPolicySample(); delete o.spec; return o; }, 'spec'],
];

test('what the CRD schema can say, zod and the CRD both reject, at the same path', () => {
  for (const [what, make, p] of bothReject) {
    const o = make();
    const k = towerKind(o.kind)!;
    const zr = k.schema.safeParse(o);
    assert.equal(zr.success, false, `zod accepted: ${what}`);
    const crdErrs = validateOpenApi(committedSchema(o.kind), o);
    assert.ok(crdErrs.some((e) => e.startsWith(`${p}:`) || e.startsWith(`${p}[`)), `CRD did not reject ${what} at ${p}: ${JSON.stringify(crdErrs)}`);
  }
});

/** Rules only zod enforces (refinements); the API server stores these objects and Tower reports them as Accepted=False. */
const onlyZodRejects: [string, () => Obj][] = [
  ['regex that is not RE2', () => { const o: Obj = routePolicySample(); o.spec.rules[2].matches[0].path.value = '(a)\\1'; return o; }],
  ['weights all zero', () => { const o: Obj = meshRoutePolicySample(); o.spec.rules[0].backendRefs[1].weight = 0; o.spec.rules[0].backendRefs[0].weight = 0; return o; }],
  ['duplicate rule names', () => { const o: Obj = routePolicySample(); o.spec.rules[1].name = 'api'; return o; }],
  ['Gateway and Service parents mixed', () => { const o: Obj = routePolicySample(); o.spec.parentRefs.push({ kind: 'Service', name: 'x' }); return o; }],
  ['filter member not matching type', () => { const o: Obj = routePolicySample(); o.spec.rules[0].filters[0].type = 'CORS'; return o; }],
  ['HTTPS without tls', () => { const o: Obj = gatewaySample(); delete o.spec.listeners[1].tls; return o; }],
  ['RingHash without consistentHash', () => { const o: Obj = backendPolicySample(); delete o.spec.loadBalancer.consistentHash; return o; }],
  ['jwt rule naming an unknown provider', () => { const o: Obj = securityPolicySample(); o.spec.jwt.rules[1].providers = ['nope']; return o; }],
];

test('refinements are zod-only: the CRD accepts these, zod rejects them', () => {
  for (const [what, make] of onlyZodRejects) {
    const o = make();
    assert.equal(towerKind(o.kind)!.schema.safeParse(o).success, false, `zod accepted: ${what}`);
    assert.deepEqual(validateOpenApi(committedSchema(o.kind), o), [], `the CRD now rejects "${what}": move it to the both-reject list`);
  }
});

test('the generated schema for a kind matches crdSchema()', () => {
  for (const k of towerKinds) assert.deepEqual(committedSchema(k.kind), JSON.parse(JSON.stringify(crdSchema(k))));
});
