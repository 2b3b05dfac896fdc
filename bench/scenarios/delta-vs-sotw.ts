/**
 * Scenario 5: bytes on the wire per client for one endpoint change, delta
 * versus state-of-the-world, for Tower and the baseline. The message size is
 * the serialized (Delta)DiscoveryResponse a client received carrying the
 * change (gRPC and HTTP/2 framing excluded); the reference is the size of
 * the one changed ClusterLoadAssignment.
 */
import type { Fleet } from '../fleet';
import { round } from '../stats';
import type { Target, TargetKind } from '../target';
import { connectFleet, runChanges, startTarget } from './helpers';
import { RunOptions, ScenarioResult, goal, scaled } from './types';

export async function deltaVsSotw(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(o.quick ? 200 : 1000, o), endpointsPerService: 10, zones: 3 };
  const clients = scaled(o.quick ? 10 : 100, o);
  const changes = o.quick ? 5 : 10;
  const figures: Record<string, Record<string, unknown>> = {};
  const notes: string[] = [];
  for (const kind of ['baseline', 'tower'] as TargetKind[]) {
    figures[kind] = {};
    for (const variant of ['sotw', 'delta'] as const) {
      let target: Target | undefined;
      let fleet: Fleet | undefined;
      try {
        target = await startTarget(kind, mesh, o);
        fleet = (await connectFleet(target, { clients, variant }, 120_000)).fleet;
        const run = await runChanges(target, fleet, changes, mesh.services, 1, 100);
        if (run.stoppedEarly) notes.push(`${kind} ${variant}: ${run.stoppedEarly}`);
        figures[kind][variant] = { changesMeasured: run.completed, messageBytes: round(run.messageBytes.p50), claBytes: round(run.resourceBytes.p50), ratioToCla: round(run.messageBytes.p50 / run.resourceBytes.p50), p99Ms: round(run.perClient.p99) };
      } catch (err) {
        figures[kind][variant] = { error: (err as Error).message };
        notes.push(`${kind} ${variant}: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        await fleet?.stop();
        await target?.stop();
      }
    }
  }
  const towerDelta = figures.tower?.delta as { ratioToCla?: number } | undefined;
  return {
    scenario: 'delta-vs-sotw',
    title: `Delta vs state-of-the-world: bytes per client for one endpoint change (${clients} clients)`,
    setup: { mesh, clients, changes },
    figures,
    goals: [goal('Tower delta message / changed CLA', '<= 1.2x', towerDelta?.ratioToCla ?? NaN, 'x', (v) => v <= 1.2)],
    notes,
    durationMs: Date.now() - started,
  };
}
