/** Shared steps of the scenarios: start a target and a fleet, converge, apply changes. */
import { nowMs } from '../clock';
import { Fleet, FleetOptions } from '../fleet';
import type { MeshSpec } from '../mesh';
import { Summary, summarize } from '../stats';
import { Target, TargetKind } from '../target';
import type { RunOptions } from './types';

/** Tower's debounce in the bench: the server defaults unless overridden. */
export const benchDebounce = undefined;

export async function startTarget(kind: TargetKind, mesh: MeshSpec, o: RunOptions, port = 0, listenFirst = false): Promise<Target> {
  return Target.start(kind, { mesh, translator: o.translator, execArgv: kind === 'tower' ? o.towerExecArgv : [], debounce: benchDebounce }, port, listenFirst);
}

/** Starts a fleet against a target and waits until every client holds its full config. */
export async function connectFleet(target: Target, fo: FleetOptions, timeoutMs: number): Promise<{ fleet: Fleet; syncMs: number }> {
  const fleet = new Fleet({ requireListeners: (target.build.resources?.Listener ?? 0) > 0, ...fo });
  try {
    await fleet.spawn();
    const t0 = nowMs();
    await fleet.start(target.address);
    await fleet.waitAllReady(t0, timeoutMs);
    return { fleet, syncMs: nowMs() - t0 };
  } catch (err) {
    await fleet.stop();
    throw err;
  }
}

/** Deterministic spread of changed services. */
export function serviceFor(i: number, services: number): number {
  return (i * 7919 + 13) % services;
}

export interface ConvergenceRun {
  completed: number;
  /** Why fewer than the requested changes were measured (a change did not converge in 30 s, or the time budget ran out). */
  stoppedEarly?: string;
  perClient: Summary;
  perChange: Summary;
  translateMs: Summary;
  messageBytes: Summary;
  resourceBytes: Summary;
}

/**
 * Applies `changes` endpoint changes one after another; each is timed from
 * the parent's send (shared clock) until every client of the fleet has ACKed
 * the ClusterLoadAssignment carrying it.
 */
export async function runChanges(target: Target, fleet: Fleet, changes: number, services: number, firstSeq: number, gapMs: number, budgetMs = 90_000): Promise<ConvergenceRun> {
  const startedAt = nowMs();
  let completed = 0;
  let stoppedEarly: string | undefined;
  const latencies: number[] = [];
  const lastClient: number[] = [];
  const translate: number[] = [];
  const msgBytes: number[] = [];
  const resBytes: number[] = [];
  for (let i = 0; i < changes; i++) {
    const seq = firstSeq + i;
    const sent = nowMs();
    const r = await target.change(serviceFor(seq, services), seq);
    translate.push(r.translateMs);
    let arrivals;
    try {
      arrivals = await fleet.waitMarker(seq, fleet.size, 30_000);
    } catch (err) {
      stoppedEarly = (err as Error).message;
      break;
    }
    completed++;
    let worst = 0;
    for (const a of arrivals) {
      latencies.push(a.at - sent);
      worst = Math.max(worst, a.at - sent);
      msgBytes.push(a.messageBytes);
      resBytes.push(a.resourceBytes);
    }
    lastClient.push(worst);
    if (nowMs() - startedAt > budgetMs && i + 1 < changes) {
      stoppedEarly = `time budget of ${budgetMs} ms used up after ${completed} of ${changes} changes`;
      break;
    }
    if (gapMs > 0) await new Promise((res) => setTimeout(res, gapMs));
  }
  return { completed, stoppedEarly, perClient: summarize(latencies), perChange: summarize(lastClient), translateMs: summarize(translate), messageBytes: summarize(msgBytes), resourceBytes: summarize(resBytes) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
