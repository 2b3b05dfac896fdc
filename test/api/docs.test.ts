import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseTowerObject, towerKind, towerKinds } from '../../src/api/kinds';
import { validateOpenApi } from '../../src/api/openapi-check';
import { crdSchema } from '../../src/api/crd';
import { repoRoot } from '../../scripts/generate-crds';

test('every YAML example in docs/crd-reference.md is valid for zod and for the CRD schema', () => {
  const md = fs.readFileSync(path.join(repoRoot(), 'docs', 'crd-reference.md'), 'utf8');
  const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const kinds = new Set<string>();
  for (const block of blocks) {
    for (const doc of parseAllDocuments(block)) {
      assert.deepEqual(doc.errors, [], 'YAML syntax');
      const obj = doc.toJS() as { kind: string };
      const r = parseTowerObject(obj, 'docs/crd-reference.md');
      assert.ok(r.ok, !r.ok ? r.errors.join('\n') : '');
      assert.deepEqual(validateOpenApi(crdSchema(towerKind(obj.kind)!), obj), [], obj.kind);
      kinds.add(obj.kind);
    }
  }
  assert.deepEqual([...kinds].sort(), towerKinds.map((k) => k.kind).sort(), 'each kind has an example');
});
