/**
 * Scenario 1: endpoint convergence. S services x E endpoints, N connected
 * simulated Envoys; change one EndpointSlice at a time and time from the
 * source change (the parent's IPC send) until every affected client has
 * ACKed it. Run against the baseline first, then Tower, with the same
 * clients and bytes.
 */
import { round, roundSummary } from '../stats';
import type { Target, TargetKind } from '../target';
import { connectFleet, runChanges, startTarget } from './helpers';
import { RunOptions, ScenarioResult, goal, scaled } from './types';

export async function endpointConvergence(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(1000, o), endpointsPerService: 10, zones: 3 };
  const clients = scaled(o.quick ? 100 : 1000, o);
  const changes = o.quick ? 3 : 30;
  const variants = ['sotw', 'delta'] as const;
  const setup = { mesh, clients, variants, changes, gapMsBetweenChanges: 200, clientsPerWorker: 250, timing: 'from the parent sending the change over IPC to each client ACK (shared CLOCK_MONOTONIC)' };
  const figures: Record<string, unknown> = {};
  const notes: string[] = [];
  const p99: Record<string, number> = {};
  for (const variant of variants) for (const kind of ['baseline', 'tower'] as TargetKind[]) {
    const key = `${kind}-${variant}`;
    let target: Target | undefined;
    let fleet;
    try {
      target = await startTarget(kind, mesh, o);
      o.log(`  ${key}: mesh built (${target.build.translator}), connecting ${clients} clients`);
      const c = await connectFleet(target, { clients, variant, rampMs: Math.min(10_000, clients * 5) }, 300_000);
      fleet = c.fleet;
      o.log(`  ${key}: all clients synced in ${round(c.syncMs)} ms; applying ${changes} changes`);
      const run = await runChanges(target, fleet, changes, mesh.services, 1, 200);
      // A change that never reached every client counts as an unbounded latency.
      p99[key] = run.stoppedEarly?.includes('timed out') ? Infinity : run.perClient.p99;
      if (run.stoppedEarly) notes.push(`${key}: ${run.stoppedEarly}`);
      figures[key] = { changesMeasured: run.completed, translator: target.build.translator, initialSyncMs: round(c.syncMs), latencyMs: roundSummary(run.perClient), lastClientMs: roundSummary(run.perChange), translateMs: roundSummary(run.translateMs), bytesPerClient: run.messageBytes.p50, claBytes: run.resourceBytes.p50 };
      if (fleet.errorSamples.length) notes.push(`${key}: stream errors: ${fleet.errorSamples.join('; ')}`);
    } catch (err) {
      figures[key] = { error: (err as Error).message };
      notes.push(`${key}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      await fleet?.stop();
      await target?.stop();
    }
  }
  const ratio = (v: string) => (p99[`tower-${v}`] ?? NaN) / (p99[`baseline-${v}`] ?? NaN);
  return {
    scenario: 'endpoint-convergence',
    title: `Endpoint convergence: ${mesh.services} services x 10 endpoints, ${clients} clients`,
    setup,
    figures,
    goals: variants.flatMap((v) => [
      goal(`Tower ${v} p99 change-to-ACK (all clients)`, '<= 150 ms', p99[`tower-${v}`] ?? NaN, 'ms', (x) => x <= 150),
      goal(`Tower ${v} p99 / baseline ${v} p99`, '<= 1.5x', ratio(v), 'x', (x) => x <= 1.5),
    ]),
    notes,
    durationMs: Date.now() - started,
  };
}
