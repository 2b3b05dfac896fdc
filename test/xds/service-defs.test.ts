/**
 * The xDS services Tower registers are listed in src/xds/service-defs.ts
 * rather than read from the loaded protos (so the port opens before the
 * protos are parsed). These tests hold that list to Envoy's own protos and
 * check that listening really parses nothing.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { envoyRoot } from '../../src/envoy/proto-root';
import { csdsService, discoveryServices, rawServiceDefinition } from '../../src/xds/service-defs';

describe('xDS service definitions', () => {
  for (const spec of [...discoveryServices, csdsService]) {
    it(`${spec.name}: every method of Envoy's proto, with its streaming kind and path`, () => {
      const svc = envoyRoot().lookupService(spec.name);
      const def = rawServiceDefinition(spec);
      const want = Object.values(svc.methods).map((m) => ({ name: m.name, path: `/${spec.name}/${m.name}`, requestStream: m.requestStream === true, responseStream: m.responseStream === true }));
      const got = Object.entries(def).map(([name, m]) => ({ name, path: m.path, requestStream: m.requestStream, responseStream: m.responseStream }));
      const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
      assert.deepEqual(got.sort(byName), want.sort(byName));
    });
  }

  it('XdsServer.listen opens the port without parsing Envoy\'s protos', () => {
    const dist = path.join(__dirname, '..', '..');
    const script = `
      const { XdsServer } = require(${JSON.stringify(path.join(dist, 'src/xds/server.js'))});
      const { envoyRootLoadedFrom } = require(${JSON.stringify(path.join(dist, 'src/envoy/proto-root.js'))});
      (async () => {
        const xds = new XdsServer({ selectView: () => 'v' });
        const port = await xds.listen(0, '127.0.0.1');
        const loaded = envoyRootLoadedFrom() !== undefined;
        await xds.close();
        process.stdout.write(JSON.stringify({ port, loaded }));
      })().catch((e) => process.stdout.write(JSON.stringify({ error: String(e) })));`;
    const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { port?: number; loaded?: boolean; error?: string };
    assert.equal(r.error, undefined);
    assert.ok((r.port ?? 0) > 0);
    assert.equal(r.loaded, false);
  });
});
