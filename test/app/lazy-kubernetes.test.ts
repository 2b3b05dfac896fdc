/**
 * File mode never loads @kubernetes/client-node (about 0.8 s of start-up, which
 * a restarted Tower facing a reconnecting fleet should not pay); Kubernetes
 * mode does. Checked in a child process that starts a real Tower.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const dist = path.join(__dirname, '..', '..');
const examples = path.join(dist, '..', 'examples');

function clientNodeLoadedAfterStart(args: string[]): { loaded: boolean; out: string } {
  const script = `
    const { parseServeConfig } = require(${JSON.stringify(path.join(dist, 'src/config/serve-config.js'))});
    const { startTower } = require(${JSON.stringify(path.join(dist, 'src/app/start-tower.js'))});
    const { createLogger } = require(${JSON.stringify(path.join(dist, 'src/observability/logger.js'))});
    (async () => {
      const config = parseServeConfig(${JSON.stringify(args)}, {});
      const tower = await startTower(config, { logger: createLogger({ level: 'silent' }) });
      const loaded = Object.keys(require.cache).some((k) => k.includes('@kubernetes/client-node'));
      await tower.close();
      process.stdout.write(JSON.stringify({ loaded }));
    })().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e) })); });`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const r = JSON.parse(out) as { loaded?: boolean; error?: string };
  assert.equal(r.error, undefined, out);
  return { loaded: r.loaded === true, out };
}

test('tower serve --files starts without loading @kubernetes/client-node', () => {
  const { loaded } = clientNodeLoadedAfterStart(['--files', examples, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1']);
  assert.equal(loaded, false);
});
