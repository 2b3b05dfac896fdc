/** `tower serve` mesh mTLS settings: --mtls-mode / TOWER_MTLS_MODE and --mesh-ca-dir / TOWER_MESH_CA_DIR. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseServeConfig } from '../../src/config/serve-config';
import { ConfigError } from '../../src/config/errors';
import { mtlsSettingsOf } from '../../src/config/mtls-settings';

test('no mTLS flag: the defaults (permissive, a root generated at start)', () => {
  const c = parseServeConfig([], {});
  assert.equal(c.mtls, undefined);
  assert.deepEqual(mtlsSettingsOf(c), { mode: 'permissive' });
});

test('mode from the flag or the environment (flag wins); CA directory resolved and checked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-ca-dir-'));
  try {
    assert.deepEqual(parseServeConfig(['--mtls-mode', 'STRICT'], {}).mtls, { mode: 'strict' });
    assert.deepEqual(parseServeConfig([], { TOWER_MTLS_MODE: 'disabled' }).mtls, { mode: 'disabled' });
    assert.deepEqual(parseServeConfig(['--mtls-mode', 'strict'], { TOWER_MTLS_MODE: 'disabled' }).mtls, { mode: 'strict' });
    assert.deepEqual(parseServeConfig(['--mesh-ca-dir', dir], {}).mtls, { mode: 'permissive', caDir: path.resolve(dir) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bad values name the flag or variable', () => {
  assert.throws(() => parseServeConfig(['--mtls-mode', 'mutual'], {}), (e: unknown) => e instanceof ConfigError && /--mtls-mode="mutual".*disabled, permissive, strict/.test(e.message));
  assert.throws(() => parseServeConfig([], { TOWER_MTLS_MODE: 'on' }), (e: unknown) => e instanceof ConfigError && /TOWER_MTLS_MODE="on"/.test(e.message));
  assert.throws(() => parseServeConfig(['--mesh-ca-dir', '/nonexistent/tower-ca'], {}), (e: unknown) => e instanceof ConfigError && /--mesh-ca-dir "\/nonexistent\/tower-ca": directory does not exist/.test(e.message));
});
