import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/config/errors';
import { parseServeConfig } from '../../src/config/serve-config';
import { parseDumpConfig } from '../../src/config/dump-config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-config-'));
const file = path.join(dir, 'kubeconfig');
fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\n');
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('defaults: xds 18000, admin 18001, host 0.0.0.0, info logs', () => {
  const c = parseServeConfig(['--files', dir], {});
  assert.deepEqual(c, {
    host: '0.0.0.0',
    xdsPort: 18000,
    adminPort: 18001,
    logLevel: 'info',
    debounce: { quietMs: 100, maxWaitMs: 1000 },
    source: { kind: 'files', dir },
  });
});

test('environment is read and flags override it', () => {
  const env = {
    TOWER_XDS_PORT: '19000',
    TOWER_ADMIN_PORT: '19001',
    TOWER_LOG_LEVEL: 'DEBUG',
    TOWER_DEBOUNCE_QUIET_MS: '5',
    TOWER_DEBOUNCE_MAX_MS: '50',
    TOWER_DEBOUNCE_ENDPOINT_QUIET_MS: '7',
    TOWER_FILES: dir,
    TOWER_HOST: '127.0.0.1',
  };
  const fromEnv = parseServeConfig([], env);
  assert.equal(fromEnv.xdsPort, 19000);
  assert.equal(fromEnv.adminPort, 19001);
  assert.equal(fromEnv.logLevel, 'debug');
  assert.equal(fromEnv.host, '127.0.0.1');
  assert.deepEqual(fromEnv.debounce, { quietMs: 5, maxWaitMs: 50, endpointQuietMs: 7 });
  assert.deepEqual(fromEnv.source, { kind: 'files', dir });
  const overridden = parseServeConfig(['--xds-port', '0', '--admin-port=0', '--log-level', 'warn', '--debounce-max-ms', '60'], env);
  assert.equal(overridden.xdsPort, 0);
  assert.equal(overridden.adminPort, 0);
  assert.equal(overridden.logLevel, 'warn');
  assert.equal(overridden.debounce.maxWaitMs, 60);
  assert.equal(overridden.debounce.quietMs, 5);
});

test('Kubernetes sources: --kubeconfig and --in-cluster (flag or TOWER_IN_CLUSTER)', () => {
  assert.deepEqual(parseServeConfig(['--kubeconfig', file], {}).source, { kind: 'kubernetes', kubeconfig: file, inCluster: false });
  assert.deepEqual(parseServeConfig(['--in-cluster'], {}).source, { kind: 'kubernetes', inCluster: true });
  assert.deepEqual(parseServeConfig([], { TOWER_IN_CLUSTER: 'true' }).source, { kind: 'kubernetes', inCluster: true });
  assert.deepEqual(parseServeConfig([], { TOWER_KUBECONFIG: file }).source, { kind: 'kubernetes', kubeconfig: file, inCluster: false });
  assert.deepEqual(parseServeConfig(['--in-cluster', '--namespace', 'shop'], {}).source, { kind: 'kubernetes', inCluster: true, namespace: 'shop' });
  assert.deepEqual(parseServeConfig(['--in-cluster'], { TOWER_NAMESPACE: 'shop' }).source, { kind: 'kubernetes', inCluster: true, namespace: 'shop' });
  assert.match(configError(() => parseServeConfig(['--in-cluster', '--namespace', 'Shop_1'], {})).message, /invalid flag --namespace="Shop_1": expected a namespace name/);
  assert.match(configError(() => parseServeConfig(['--files', dir], { TOWER_NAMESPACE: 'shop' })).message, /environment variable TOWER_NAMESPACE applies to Kubernetes sources, not flag --files/);
});

const badFlags: Array<[string[], RegExp]> = [
  [['--xds-port', 'abc'], /flag --xds-port="abc": expected a whole number/],
  [['--xds-port', '70000'], /flag --xds-port="70000": expected a port 0-65535/],
  [['--admin-port=-1'], /flag --admin-port="-1"/],
  [['--admin-port', '-1'], /--admin-port/],
  [['--log-level', 'loud'], /flag --log-level="loud": expected one of fatal, error/],
  [['--debounce-quiet-ms', '1.5'], /flag --debounce-quiet-ms="1.5": expected a whole number/],
  [['--debounce-max-ms', '9999999'], /flag --debounce-max-ms="9999999": expected at most/],
  [['--debounce-quiet-ms', '500', '--debounce-max-ms', '100'], /flag --debounce-quiet-ms=500 exceeds flag --debounce-max-ms=100/],
  [['--xds-port', '18001'], /flag --xds-port and flag --admin-port are both 18001/],
  [['--bogus'], /unknown flag --bogus/],
  [['--files'], /--files/],
  [['extra'], /unexpected argument "extra"/],
];

for (const [flags, message] of badFlags) {
  test(`bad flag ${flags.join(' ')} is named in the error`, () => {
    const err = configError(() => parseServeConfig([...flags, ...(flags.includes('--files') ? [] : ['--files', dir])], {}));
    assert.match(err.message, /^tower serve: /);
    assert.match(err.message, message);
  });
}

const badEnv: Array<[Record<string, string>, RegExp]> = [
  [{ TOWER_XDS_PORT: 'http' }, /environment variable TOWER_XDS_PORT="http"/],
  [{ TOWER_ADMIN_PORT: '65536' }, /environment variable TOWER_ADMIN_PORT="65536": expected a port/],
  [{ TOWER_LOG_LEVEL: 'verbose' }, /environment variable TOWER_LOG_LEVEL="verbose"/],
  [{ TOWER_DEBOUNCE_QUIET_MS: 'soon' }, /environment variable TOWER_DEBOUNCE_QUIET_MS="soon"/],
  [{ TOWER_DEBOUNCE_MAX_MS: '1e3' }, /environment variable TOWER_DEBOUNCE_MAX_MS="1e3"/],
  [{ TOWER_IN_CLUSTER: 'maybe' }, /environment variable TOWER_IN_CLUSTER="maybe": expected true or false/],
  [{ TOWER_FILES: '/no/such/tower/dir' }, /environment variable TOWER_FILES "\/no\/such\/tower\/dir": directory does not exist/],
  [{ TOWER_KUBECONFIG: '/no/such/kubeconfig' }, /environment variable TOWER_KUBECONFIG "\/no\/such\/kubeconfig": file does not exist/],
];

for (const [env, message] of badEnv) {
  test(`bad environment ${Object.keys(env).join(',')} is named in the error`, () => {
    const needsSource = !('TOWER_FILES' in env) && !('TOWER_KUBECONFIG' in env) && !('TOWER_IN_CLUSTER' in env);
    const err = configError(() => parseServeConfig(needsSource ? ['--files', dir] : [], env));
    assert.match(err.message, message);
  });
}

test('sources: at most one; none serves an empty mesh', () => {
  assert.deepEqual(parseServeConfig([], {}).source, { kind: 'none' });
  assert.match(configError(() => parseServeConfig(['--files', dir, '--in-cluster'], {})).message, /choose one source, not flag --files and flag --in-cluster/);
  assert.match(configError(() => parseServeConfig(['--kubeconfig', file], { TOWER_FILES: dir })).message, /environment variable TOWER_FILES and flag --kubeconfig/);
  assert.match(configError(() => parseServeConfig(['--files', file], {})).message, /flag --files ".*kubeconfig": not a directory/);
});

test('tower dump flags', () => {
  assert.deepEqual(parseDumpConfig(['--role', 'gateway', '--files', dir], {}), { role: 'gateway', dir, format: 'yaml', mtlsMode: 'permissive' });
  assert.deepEqual(parseDumpConfig(['--role=sidecar', '--files', dir, '--node-id', 'n1', '--namespace', 'shop', '--type', 'EDS', '--output', 'json', '--labels', 'app=api, version=v2', '--service-account', 'api', '--mtls-mode', 'STRICT'], {}), {
    role: 'sidecar',
    dir,
    nodeId: 'n1',
    namespace: 'shop',
    type: 'eds',
    format: 'json',
    labels: { app: 'api', version: 'v2' },
    serviceAccount: 'api',
    mtlsMode: 'strict',
  });
  assert.equal(parseDumpConfig(['--role', 'gateway', '--files', dir], { TOWER_MTLS_MODE: 'disabled' }).mtlsMode, 'disabled');
  assert.match(configError(() => parseDumpConfig(['--files', dir], {})).message, /tower dump: missing flag --role/);
  assert.match(configError(() => parseDumpConfig(['--role', 'mesh', '--files', dir], {})).message, /flag --role="mesh": expected gateway\[=NAMESPACE\/NAME\], sidecar/);
  assert.match(configError(() => parseDumpConfig(['--role', 'gateway'], {})).message, /missing flag --files/);
  assert.match(configError(() => parseDumpConfig(['--role', 'gateway', '--files', dir, '--type', 'xds'], {})).message, /flag --type="xds"/);
  assert.match(configError(() => parseDumpConfig(['--role', 'gateway', '--files', dir, '--xds-port', '1'], {})).message, /tower dump: unknown flag --xds-port/);
});
