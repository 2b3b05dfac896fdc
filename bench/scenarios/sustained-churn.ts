/**
 * Scenario 6: sustained churn. 50 endpoint changes per second for 5 minutes
 * (20 s with --quick) with N clients. Tower's CPU comes from its own
 * process.cpuUsage(); heap is compared after a full GC at the end of the
 * first minute (first 5 s with --quick) and at the end; after the churn
 * stops, the latest change of every touched service must reach every client.
 */
import { nowMs } from '../clock';
import type { Fleet } from '../fleet';
import { round } from '../stats';
import type { Target } from '../target';
import { connectFleet, serviceFor, sleep, startTarget } from './helpers';
import { RunOptions, ScenarioResult, goal, scaled } from './types';

export async function sustainedChurn(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(1000, o), endpointsPerService: 10, zones: 3 };
  const clients = scaled(o.quick ? 100 : 1000, o);
  const rate = 50;
  const durationMs = o.quick ? 20_000 : 300_000;
  const firstWindowMs = o.quick ? 5_000 : 60_000;
  let target: Target | undefined;
  let fleet: Fleet | undefined;
  try {
    target = await startTarget(o.churnTarget, mesh, o);
    const c = await connectFleet(target, { clients, variant: o.variant, arrivals: 'summary' }, 180_000);
    fleet = c.fleet;
    await target.gc();
    const s0 = await target.stats();
    o.log(`  ${clients} clients synced; churning ${rate}/s for ${durationMs / 1000} s`);
    const lastSeqOf = new Map<number, number>();
    const t0 = nowMs();
    let seq = 0;
    let heapFirst = NaN;
    let behindSchedule = 0;
    // Changes are sent on schedule without waiting for Tower's reply (IPC keeps
    // them in order), so a slow Tower builds a backlog instead of slowing the source.
    const inFlight: Promise<unknown>[] = [];
    let heapProbe: Promise<void> | undefined;
    while (nowMs() - t0 < durationMs) {
      seq++;
      const due = t0 + (seq * 1000) / rate;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      else if (wait < -5) behindSchedule++;
      const svc = serviceFor(seq, mesh.services);
      lastSeqOf.set(svc, seq);
      fleet.sentAt.set(seq, nowMs());
      inFlight.push(target.change(svc, seq));
      if (!heapProbe && nowMs() - t0 >= firstWindowMs) {
        const t = target;
        heapProbe = (async () => { await t.gc(); heapFirst = (await t.stats()).heapUsed; })();
      }
    }
    await Promise.all(inFlight);
    await heapProbe;
    const s1 = await target.stats();
    const wallMs = s1.at - s0.at;
    const cores = (s1.cpuMs - s0.cpuMs) / wallMs;
    // Let it settle, then every service's latest change must be everywhere.
    const finals = [...lastSeqOf.values()];
    let settled = true;
    try {
      await fleet.waitFor(() => finals.every((q) => fleet!.seen(q) >= clients), 20_000, 'the latest change of every service to reach every client');
    } catch { settled = false; }
    const behind = finals.filter((q) => fleet!.seen(q) < clients).length;
    await target.gc();
    const heapLast = (await target.stats()).heapUsed;
    const growth = (heapLast - heapFirst) / heapFirst;
    let delivered = 0;
    for (const q of fleet.summaries.values()) delivered += q.count;
    return {
      scenario: 'sustained-churn',
      title: `Sustained churn: ${rate} endpoint changes/s for ${durationMs / 1000} s, ${clients} clients`,
      setup: { target: o.churnTarget, mesh, clients, rate, durationMs, variant: o.variant, translator: target.build.translator },
      figures: {
        changesSent: seq, changesSentLateOver5ms: behindSchedule, cpuCores: round(cores, 3),
        heapAfterGcMiB: { firstWindow: round(heapFirst / 2 ** 20), end: round(heapLast / 2 ** 20) }, heapGrowthPct: round(growth * 100),
        rssEndMiB: round(target.rss() / 2 ** 20),
        latencyMs: { p50: fleet.histogramPercentile(50), p99: fleet.histogramPercentile(99), max: fleet.histogramPercentile(100) },
        arrivalsPerClient: round(delivered / clients), servicesWithClientsBehind: behind, settled,
      },
      goals: [
        goal(`average ${o.churnTarget} CPU`, '<= 0.5 core', cores, 'cores', (v) => v <= 0.5),
        goal('heap growth first window -> end (after GC)', '<= 10 %', growth * 100, '%', (v) => v <= 10),
        goal('services whose latest change missed a client', '= 0', behind, 'count', (v) => v === 0),
      ],
      notes: ['latency percentiles are 1 ms histogram buckets over every arrival; superseded changes a client never received are not counted (collapsing is allowed)'],
      durationMs: Date.now() - started,
    };
  } finally {
    await fleet?.stop();
    await target?.stop();
  }
}
