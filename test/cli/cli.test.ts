/**
 * The `tower` CLI as a real child process, run from the compiled sources next
 * to this test (dist/ or dist-<helper>/), exactly as bin/tower.js runs it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { get } from '../admin/http-get';

const mainJs = path.join(__dirname, '../../src/cli/main.js');
const runner = `require(${JSON.stringify(mainJs)}).main(process.argv.slice(1))`;

interface Done { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Done>; out: () => string } {
  // Only the variables the test sets: no TOWER_* from the developer's shell leaks in.
  const child = spawn(process.execPath, ['-e', runner, '--', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Done>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, out: () => stdout };
}

const run = (args: string[], env: Record<string, string> = {}): Promise<Done> => start(args, env).done;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tower-cli-'));
fs.writeFileSync(
  path.join(dir, 'shop.yaml'),
  `apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop }
spec:
  ports: [{ name: http, port: 8080 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: cart-1
  namespace: shop
  labels: { kubernetes.io/service-name: cart }
addressType: IPv4
endpoints: [{ addresses: [10.1.0.1], conditions: { ready: true } }]
ports: [{ name: http, port: 8080 }]
`,
);
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('tower version and --help', async () => {
  const [v, h, sh] = await Promise.all([run(['version']), run(['--help']), run(['serve', '--help'])]);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^tower \d+\.\d+\.\d+/);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Usage: tower <command>/);
  assert.match(h.stdout, /serve/);
  assert.equal(sh.code, 0);
  assert.match(sh.stdout, /--xds-port N .*TOWER_XDS_PORT, default 18000/);
  assert.match(sh.stdout, /--admin-port N .*TOWER_ADMIN_PORT, default 18001/);
});

test('usage errors exit 2 naming the flag, variable or command', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['serve', '--files', dir, '--bogus'], {}, /tower serve: unknown flag --bogus/],
    [['serve', '--files', dir, '--xds-port', 'abc'], {}, /invalid flag --xds-port="abc"/],
    [['serve', '--files', dir], { TOWER_ADMIN_PORT: 'admin' }, /invalid environment variable TOWER_ADMIN_PORT="admin"/],
    [['frobnicate'], {}, /unknown command "frobnicate"/],
    [['--frobnicate'], {}, /unknown flag --frobnicate/],
    [['dump', '--files', dir], {}, /missing flag --role/],
    [['dump', '--role', 'sidecar', '--labels', 'app', '--files', dir], {}, /--labels.*expected KEY=VALUE/],
  ];
  const results = await Promise.all(cases.map(([args, env]) => run(args, env)));
  for (const [i, [args, , message]] of cases.entries()) {
    const r = results[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: exit code (stderr: ${r.stderr})`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

for (const [what, sourceArgs] of [['a folder', ['--files', dir]], ['no source (an empty mesh)', []]] as const) test(`serve with ${what}: /healthz answers, /readyz turns ready, SIGTERM exits 0`, async () => {
  const p = start(['serve', ...sourceArgs, '--xds-port', '0', '--admin-port', '0', '--host', '127.0.0.1']);
  try {
    const lines = (): Array<Record<string, unknown>> =>
      p.out().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    // Wait for the start-up line (no time limit here: the test runner's timeout applies).
    const serving = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = (): void => {
        const l = lines().find((x) => x.msg === 'tower serving');
        if (l) resolve(l);
      };
      p.child.stdout!.on('data', check);
      p.done.then((d) => reject(new Error(`serve exited early: ${d.code} ${d.stderr}`)), reject);
      check();
    });
    const adminPort = serving.adminPort as number;
    assert.ok(adminPort > 0 && (serving.xdsPort as number) > 0);
    const health = await get(adminPort, '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    // Ready once the initial configuration is published; the log line says when.
    while (!lines().some((x) => x.msg === 'initial configuration published')) await new Promise((r) => setTimeout(r, 20));
    const ready = await get(adminPort, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json().ready, true);
    p.child.kill('SIGTERM');
    const d = await p.done;
    assert.equal(d.code, 0, d.stderr);
    assert.ok(lines().some((x) => x.msg === 'stopped'));
  } finally {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
});

test('serve: a port already in use is exit 1 naming the address', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  try {
    const port = (busy.address() as net.AddressInfo).port;
    const r = await run(['serve', '--files', dir, '--xds-port', '0', '--admin-port', String(port), '--host', '127.0.0.1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`tower serve: admin server cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  } finally {
    await new Promise((resolve) => busy.close(resolve));
  }
});

test('dump --labels --service-account shows the inbound side a workload\'s sidecar serves', async () => {
  const examples = path.join(__dirname, '..', '..', '..', 'examples');
  const r = await run(['dump', '--role', 'sidecar-transparent', '--namespace', 'shop', '--labels', 'app=payments', '--service-account', 'payments', '--type', 'lds', '--output', 'json', '--files', examples]);
  type Lds = { resources: { LDS: Array<{ name: string; filter_chains?: Array<{ name?: string }> }> } };
  const chains = (out: Lds): string[] => out.resources.LDS.flatMap((l) => (l.filter_chains ?? []).map((c) => `${l.name}/${c.name ?? ''}`));
  const payments = chains(JSON.parse(r.stdout) as Lds);
  assert.ok(payments.includes('virtualInbound/inbound|9090'), `payments' inbound chain: ${payments.join(', ')}`);
  const without = chains(JSON.parse((await run(['dump', '--role', 'sidecar-transparent', '--namespace', 'shop', '--type', 'lds', '--output', 'json', '--files', examples])).stdout) as Lds);
  assert.ok(!without.some((c) => c.includes('inbound|')), `no labels, no inbound side: ${without.join(', ')}`);
});

test('dump prints the configuration of a role from a folder, without a server', async () => {
  const r = await run(['dump', '--role', 'sidecar', '--namespace', 'shop', '--files', dir]);
  // Exit 1 exactly when errors were reported.
  assert.equal(r.code, /^error: /m.test(r.stderr) ? 1 : 0, r.stderr);
  assert.match(r.stdout, /^role: sidecar$/m);
  const out = parse(r.stdout) as { role: string; view: string; resources: Record<string, Array<Record<string, any>>> };
  assert.equal(out.view, 'sidecar|explicit|shop|');
  const clusters = out.resources.CDS!.map((c) => c.name as string);
  assert.ok(clusters.some((n) => n.includes('cart.shop')), clusters.join(', '));
  const cla = out.resources.EDS!.find((e) => String(e.cluster_name).includes('cart.shop'));
  assert.ok(cla, 'a ClusterLoadAssignment for cart');
  assert.equal(cla.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address, '10.1.0.1');
});
