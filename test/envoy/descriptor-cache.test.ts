/**
 * The build's descriptor cache (src/envoy/descriptor-cache.ts) must give the
 * same Root as parsing Envoy's .proto files: same descriptors, same options
 * the validator reads, for every object; a cache for other inputs is refused.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { deserializeDescriptor, serializeDescriptor } from '../../src/envoy/descriptor-cache';
import { envoyDescriptorCachePath, envoyDescriptorKey, parseEnvoyProtos } from '../../src/envoy/proto-root';

function objects(ns: protobuf.NamespaceBase, out = new Map<string, protobuf.ReflectionObject>()): Map<string, protobuf.ReflectionObject> {
  for (const o of ns.nestedArray) {
    out.set(`${o.constructor.name}:${o.fullName}`, o);
    if (o instanceof protobuf.Type) for (const f of [...o.fieldsArray, ...o.oneofsArray]) out.set(`${f.constructor.name}:${f.fullName}`, f);
    if (o instanceof protobuf.Namespace) objects(o, out);
  }
  return out;
}

describe('Envoy descriptor cache', () => {
  const parsed = parseEnvoyProtos();
  const key = envoyDescriptorKey();

  it('reads back the same descriptors and parsedOptions as parsing the protos', () => {
    const cached = deserializeDescriptor(serializeDescriptor(parsed, key), key);
    assert.ok(cached);
    // JSON text (not deepEqual: option objects differ only in prototype)
    assert.equal(JSON.stringify(cached.toJSON()), JSON.stringify(parsed.toJSON()));
    const want = objects(parsed);
    const got = objects(cached);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    let withOptions = 0;
    for (const [id, o] of want) {
      const c = got.get(id)!;
      assert.equal(JSON.stringify(c.parsedOptions), JSON.stringify(o.parsedOptions), id);
      if (o.parsedOptions?.length) withOptions++;
      if (o instanceof protobuf.Field) assert.equal((c as protobuf.Field).resolvedType?.fullName, o.resolvedType?.fullName, id);
    }
    assert.ok(withOptions > 1000, `only ${withOptions} objects carry options`);
  });

  it('refuses a cache built from other inputs, or a damaged one', () => {
    const text = serializeDescriptor(parsed, key);
    assert.equal(deserializeDescriptor(text, `${key}x`), undefined);
    assert.equal(deserializeDescriptor(text.slice(0, 1000), key), undefined);
    assert.equal(deserializeDescriptor(JSON.stringify({ key, root: { nested: { x: { fields: { a: { type: 'NoSuchType', id: 1 } } } } }, parsedOptions: [] }), key), undefined);
  });

  it('the build wrote the cache and Tower loads the protos from it', () => {
    assert.ok(fs.existsSync(envoyDescriptorCachePath), `${envoyDescriptorCachePath} missing: npm run build writes it`);
    const rootJs = path.join(__dirname, '..', '..', 'src', 'envoy', 'proto-root.js');
    const out = execFileSync(process.execPath, ['-e', `const p = require(${JSON.stringify(rootJs)}); p.envoyRoot(); process.stdout.write(String(p.envoyRootLoadedFrom()));`], { encoding: 'utf8' });
    assert.equal(out, 'descriptor-cache');
  });
});
