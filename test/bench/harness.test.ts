/**
 * A tiny smoke run of the benchmark harness (no timing assertions): the mesh
 * generator, the simulated Envoys in their worker process against the
 * baseline server and against Tower (each in its own process), and the CLI.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EndpointSlice, Service } from '../../src/k8s/types';
import { changedSlice, generateMesh, markerAddress, parseMarker } from '../../bench/mesh';
import { connectFleet, runChanges, startTarget } from '../../bench/scenarios/helpers';
import type { RunOptions } from '../../bench/scenarios/types';
import type { Fleet } from '../../bench/fleet';
import type { Target, TargetKind } from '../../bench/target';
import { parseArgs } from '../../bench/main';
import { encodeNames, encodeSotwRequest } from '../../bench/ads-codec';
import { messageType } from '../../src/envoy/proto-root';

const opts: RunOptions = { quick: true, variant: 'sotw', churnTarget: 'tower', scale: 1, translator: 'auto', towerExecArgv: [], log: () => undefined };

describe('bench mesh generator', () => {
  it('builds valid Services and EndpointSlices spread over zones', () => {
    const mesh = generateMesh({ services: 12, endpointsPerService: 4, zones: 3 });
    assert.equal(mesh.services.length, 12);
    assert.equal(mesh.slices.length, 12);
    for (const s of mesh.services) Service.parse(s);
    for (const s of mesh.slices) EndpointSlice.parse(s);
    const zones = new Set(mesh.slices.flatMap((s) => s.endpoints.map((e) => e.zone)));
    assert.equal(zones.size, 3);
    const addresses = mesh.slices.flatMap((s) => s.endpoints.map((e) => e.addresses[0]));
    assert.equal(new Set(addresses).size, 48, 'endpoint addresses are unique');
    assert.ok(addresses.every((a) => parseMarker(a) === undefined), 'ordinary addresses carry no marker');
  });

  it('marks a changed slice with its sequence number', () => {
    const mesh = generateMesh({ services: 3, endpointsPerService: 2, zones: 1 });
    const changed = changedSlice(mesh, 1, 777);
    assert.equal(changed.endpoints[0].addresses[0], markerAddress(777));
    assert.equal(parseMarker(changed.endpoints[0].addresses[0]), 777);
    assert.equal(changed.metadata.name, mesh.slices[1].metadata.name);
    assert.throws(() => generateMesh({ services: 0, endpointsPerService: 1, zones: 1 }), /services must be a positive integer/);
  });
});

describe('bench ADS codec', () => {
  it('encodes requests Envoy-style and decodes them with Envoy\'s protos', () => {
    const T = messageType('envoy.service.discovery.v3.DiscoveryRequest');
    const buf = encodeSotwRequest({ node: { id: 'n1', cluster: 'c', metadata: { TOWER_ROLE: 'sidecar' } }, typeUrl: 'type.googleapis.com/x', versionInfo: 'v1', names: ['a', 'b'], nonce: 'n', errorMessage: 'bad' });
    const m = T.toObject(T.decode(buf)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- decoded message
    assert.deepEqual(m.resource_names, ['a', 'b']);
    assert.equal(m.version_info, 'v1');
    assert.equal(m.response_nonce, 'n');
    assert.equal(m.error_detail.message, 'bad');
    assert.equal(m.node.metadata.fields.TOWER_ROLE.stringValue, 'sidecar');
    const cached = encodeSotwRequest({ typeUrl: 't', versionInfo: '', names: [], encodedNames: encodeNames(['x', 'y']), nonce: '' });
    assert.deepEqual((T.toObject(T.decode(cached)) as { resource_names: string[] }).resource_names, ['x', 'y']);
  });
});

describe('bench harness smoke run', () => {
  const open: { target?: Target; fleets: Fleet[] }[] = [];
  after(async () => {
    for (const o of open) { for (const f of o.fleets) await f.stop(); await o.target?.stop(); }
  });

  for (const kind of ['baseline', 'tower'] as TargetKind[]) {
    it(`${kind}: state-of-the-world and delta Envoys sync, then every client ACKs each endpoint change`, async () => {
      const slot: { target?: Target; fleets: Fleet[] } = { fleets: [] };
      open.push(slot);
      const mesh = { services: 6, endpointsPerService: 3, zones: 2 };
      slot.target = await startTarget(kind, mesh, opts);
      assert.ok(slot.target.port > 0);
      assert.equal(slot.target.build.translator, 'pipeline');
      const target = slot.target;
      const [sotw, delta] = await Promise.all((['sotw', 'delta'] as const).map(async (variant, k) => {
        const { fleet } = await connectFleet(target, { clients: 2, clientsPerWorker: 2, variant, indexOffset: k * 2 }, 60_000);
        slot.fleets.push(fleet);
        return fleet;
      }));
      assert.equal(sotw.readySince(0), 2);
      assert.equal(delta.readySince(0), 2);
      for (const [i, fleet] of [sotw, delta].entries()) {
        const run = await runChanges(target, fleet, 2, mesh.services, 1 + i * 2, 0);
        assert.equal(run.perClient.count, 4, 'two changes reached both clients');
        assert.ok(run.resourceBytes.min > 0);
        assert.ok(run.messageBytes.min > run.resourceBytes.min, 'a response is larger than the one resource it carries');
        const stats = await fleet.stats();
        assert.equal(stats.workers, 1);
        assert.ok(stats.responses >= 2 * 3, 'each client received CDS, EDS and the changes');
        assert.equal(fleet.errorCodes.get(8) ?? 0, 0);
      }
      assert.equal((await target.stats()).clients, 4);
    });
  }
});

describe('bench CLI', () => {
  it('rejects unknown scenarios and flags with a clear message', () => {
    assert.throws(() => parseArgs(['--scenario', 'nope']), /unknown scenario nope/);
    assert.throws(() => parseArgs(['--frobnicate']), /unknown argument --frobnicate/);
    assert.throws(() => parseArgs(['--scale', '0']), /--scale must be/);
    const o = parseArgs(['--scenario', 'translation,memory', '--quick', '--json']);
    assert.deepEqual(o.names, ['translation', 'memory']);
    assert.equal(o.json, true);
    assert.equal(o.run.quick, true);
  });

  it('prints one JSON object per scenario with setup, figures, goals and machine', () => {
    const main = path.join(__dirname, '..', '..', 'bench', 'main.js');
    const r = spawnSync(process.execPath, [main, '--scenario', 'translation', '--quick', '--scale', '0.001', '--json'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const out = JSON.parse(lines[0]) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON output
    assert.equal(out.scenario, 'translation');
    assert.equal(out.setup.mesh.services, 10);
    assert.equal(out.figures.resources.ClusterLoadAssignment, 10);
    assert.equal(out.figures.changeMs.count, 50);
    // the library floor re-encodes every distinct resource of the table
    const total = Object.values(out.figures.resources as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(out.figures.libraryFloor.resources, total);
    assert.ok(out.figures.libraryFloor.encodeFirstMs > 0 && out.figures.coldPhasesMs.model > 0);
    assert.ok(out.goals.length >= 2);
    assert.ok(out.machine.cpus >= 1 && out.machine.memoryMiB > 0);
    assert.match(out.command, /--scenario translation/);
  });
});
