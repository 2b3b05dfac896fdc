import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { warmUpTranslation } from '../../src/pipeline/warm-up';

test('warm-up translates its sample mesh for every role without errors', () => {
  const r = warmUpTranslation({ services: 20 });
  assert.deepEqual(r.errors, []);
  assert.ok(r.cpuMs > 0);
});
