/**
 * Scenario 2: translation. 10,000 services x 10 endpoints cold (a fresh
 * process; proto loading timed apart) to a validated, encoded table; then
 * single EndpointSlice changes re-translated and re-encoded. Beside it, the
 * library floor (bench/library-floor.ts): protobufjs alone encoding the same
 * messages from plain objects and decoding them back, first pass.
 */
import { nowMs } from '../clock';
import { summarize, round, roundSummary } from '../stats';
import { serviceFor } from './helpers';
import { Target, serverEnv } from '../target';
import { RunOptions, ScenarioResult, goal, scaled } from './types';
import { ChildHandle } from '../ipc';
import * as path from 'node:path';
import type { LibraryFloor } from '../library-floor';

export async function translation(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(10_000, o), endpointsPerService: 10, zones: 3 };
  const changes = o.quick ? 50 : 200;
  // Tower's process without a server: build only, then changes.
  const child = new ChildHandle(path.join(__dirname, '..', 'tower-process.js'), 'tower', ['--expose-gc', ...o.towerExecArgv], [], serverEnv);
  try {
    const build = await child.request<Target['build'] & { phases?: { modelMs: number; viewMs: number } }>('build', { mesh, translator: o.translator });
    const times: number[] = [];
    const t0 = nowMs();
    for (let i = 1; i <= changes; i++) {
      const r = await child.request<{ translateMs: number }>('change', { service: serviceFor(i, mesh.services), seq: i });
      times.push(r.translateMs);
    }
    const wall = nowMs() - t0;
    const s = summarize(times);
    const mem = await child.request<{ rss: number; heapUsed: number }>('stats');
    // After the figures above: the same table's messages encoded and decoded by protobufjs alone.
    const floor = await child.request<LibraryFloor>('floor', {});
    const floorMs = floor.encodeFirstMs + floor.decodeFirstMs;
    return {
      scenario: 'translation',
      title: `Translation: ${mesh.services} services x 10 endpoints cold, then ${changes} single-slice changes`,
      setup: { mesh, changes, translator: build.translator, translatorNote: build.note },
      figures: {
        protoLoadMs: round(build.protoLoadMs ?? NaN), meshGenerateMs: round(build.generateMs ?? NaN), coldTranslateMs: round(build.translateMs),
        coldPhasesMs: { model: round(build.phases?.modelMs ?? NaN), viewTable: round(build.phases?.viewMs ?? NaN) },
        libraryFloor: { resources: floor.resources, encodeFirstMs: round(floor.encodeFirstMs), encodeBestMs: round(floor.encodeBestMs), decodeFirstMs: round(floor.decodeFirstMs), decodeBestMs: round(floor.decodeBestMs) },
        coldToLibraryFloor: round(build.translateMs / floorMs),
        resources: build.resources, changeMs: roundSummary(s), changesWallMs: round(wall),
        rssMiB: round(mem.rss / 2 ** 20), heapUsedMiB: round(mem.heapUsed / 2 ** 20),
      },
      goals: [
        goal('cold translation to encoded table', '<= 500 ms', build.translateMs, 'ms', (v) => v <= 500),
        goal('one EndpointSlice change (p50)', '<= 2 ms', s.p50, 'ms', (v) => v <= 2),
      ],
      notes: build.translator === 'pipeline' ? [] : [`translator is ${build.translator} (${build.note ?? ''}): figures do not measure Tower's pipeline`],
      durationMs: Date.now() - started,
    };
  } finally {
    await child.stop();
  }
}
